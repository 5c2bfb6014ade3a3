import { describe, expect, it } from 'vitest';
import { hardenedPolicyHcl } from './hardened-policy.ts';

describe('hardened policy HCL', () => {
  it('writes the article shape on each named endpoint', () => {
    const hcl = hardenedPolicyHcl('pki', 'cm-vault-e2e', { kind: 'hardened', allowedParameters: { common_name: ['*.example.com'], '*': [] }, requiredParameters: ['common_name'], deniedParameters: {}, paths: ['sign'] });
    expect(hcl).toBe(
      [
        'path "pki/sign/cm-vault-e2e" {',
        '  capabilities = ["create", "update"]',
        '  required_parameters = ["common_name"]',
        '  allowed_parameters = {',
        '    "common_name" = ["*.example.com"]',
        '    "*" = []',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });
});

describe('hardened policy HCL: denied_parameters', () => {
  it('writes denied_parameters after allowed_parameters, values as given ("" included)', () => {
    const hcl = hardenedPolicyHcl('pki', 'r', { kind: 'hardened', allowedParameters: { '*': [] }, requiredParameters: [], deniedParameters: { common_name: [''] }, paths: ['sign'] });
    expect(hcl).toContain('  allowed_parameters = {\n    "*" = []\n  }\n  denied_parameters = {\n    "common_name" = [""]\n  }\n}');
  });
});
