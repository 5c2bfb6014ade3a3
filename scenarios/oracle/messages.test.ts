import { describe, expect, it } from 'vitest';
import { forbiddenMessage, goQuote, goQuoteSlice, hclogField, loginUrl, strictDecodingRejection, vaultApiError } from './messages.ts';

describe('Go formatting', () => {
  it('%q on a []string separates with spaces, not commas', () => {
    expect(goQuoteSlice(['a', 'b'])).toBe('["a" "b"]');
    expect(goQuoteSlice([])).toBe('[]');
  });

  it('quotes like strconv.Quote', () => {
    expect(goQuote('say "hi"\\\n')).toBe('"say \\"hi\\"\\\\\\n"');
    expect(goQuote('\u0001')).toBe('"\\x01"');
  });

  it('hclog escapes quotes inside a quoted value', () => {
    expect(hclogField('err', 'a "b"')).toBe('err="a \\"b\\""');
  });
});

describe('Kubernetes Forbidden texts', () => {
  it('namespaced subresource with a name', () => {
    expect(
      forbiddenMessage({ user: 'u', verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token', name: 'sa', namespace: 'ns' }),
    ).toBe('serviceaccounts "sa" is forbidden: User "u" cannot create resource "serviceaccounts/token" in API group "" in the namespace "ns"');
  });

  it('cluster-scoped without a name, group-qualified', () => {
    expect(forbiddenMessage({ user: 'u', verb: 'create', group: 'authentication.k8s.io', resource: 'tokenreviews', name: '' })).toBe(
      'tokenreviews.authentication.k8s.io is forbidden: User "u" cannot create resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope',
    );
  });

  it('strict decoding lists every unknown field', () => {
    expect(strictDecodingRejection('Issuer', 'v1', ['spec.a', 'spec.b'])).toBe(
      'Issuer in version "v1" cannot be handled as a Issuer: strict decoding error: unknown field "spec.a", unknown field "spec.b"',
    );
  });
});

describe('Vault client texts', () => {
  it('formats a response error', () => {
    expect(vaultApiError('POST', 'https://v/x', 403, ['permission denied'])).toBe(
      'Error making API request.\n\nURL: POST https://v/x\nCode: 403. Errors:\n\n* permission denied',
    );
  });

  it('joins the server and the mount without doubling slashes', () => {
    expect(loginUrl('https://v:8200/', 'k8s')).toBe('https://v:8200/v1/auth/k8s/login');
  });
});
