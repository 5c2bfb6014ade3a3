import { describe, expect, it } from 'vitest';
import { DEFAULT_PKI_ROLE_SPEC, resolvePkiRole } from './pki-role.ts';
import { loadError, loadOnly, scenarioYaml } from './testing.ts';
import { pkiRoleBody } from '../vault/configure/pki.ts';

const one = (patch: Record<string, string>) => loadOnly({ 'x.yaml': scenarioYaml(patch) })[0]!;

describe('certificate names: every sign parameter cert-manager sends can be driven', () => {
  it('a Certificate without a commonName plans with no CN, its dnsNames, IPs and URIs', () => {
    const p = one({ certificate: '{dnsNames: [evil.other.test], ipAddresses: [192.0.2.10], uriSANs: ["spiffe://example.com/app"]}' });
    expect(p.certificate).toEqual({ dnsNames: ['evil.other.test'], ipAddresses: ['192.0.2.10'], uriSANs: ['spiffe://example.com/app'] });
  });

  it('a commonName alone still means the same dnsNames as before', () => {
    expect(one({ certificate: '{commonName: app.example.com}' }).certificate).toEqual({ commonName: 'app.example.com', dnsNames: ['app.example.com'], ipAddresses: [], uriSANs: [] });
  });

  it('a Certificate naming nothing is an InputError with the fix', () => {
    const err = loadError(scenarioYaml({ certificate: '{dnsNames: []}' }));
    expect(err.where.field).toBe('certificate');
    expect(err.problem).toMatch(/names nothing/);
    expect(err.fix).toMatch(/dnsNames: \[app\.example\.com\]/);
  });

  it('an IP address that is none, and a relative URI, are InputErrors naming the field', () => {
    const ip = loadError(scenarioYaml({ certificate: '{ipAddresses: [300.1.2.3]}' }));
    expect(ip.where.field).toBe('certificate.ipAddresses[0]');
    expect(ip.problem).toMatch(/must be an IP address/);
    const uri = loadError(scenarioYaml({ certificate: '{uriSANs: [app]}' }));
    expect(uri.where.field).toBe('certificate.uriSANs[0]');
    expect(uri.problem).toMatch(/must be an absolute URI/);
  });
});

describe('vault.pkiRole', () => {
  it("with no field set, is the shared role: the same body Vault gets today", () => {
    expect(pkiRoleBody('720h', resolvePkiRole({}))).toEqual(pkiRoleBody());
    expect(resolvePkiRole({})).toEqual(DEFAULT_PKI_ROLE_SPEC);
  });

  it('listing domains turns allow_any_name off unless said otherwise', () => {
    const p = one({ vault: '{engine: vault, placement: external, pkiRole: {allowedDomains: [example.com], allowSubdomains: true}}', certificate: '{dnsNames: [app.example.com]}' });
    expect(p.vault.pkiRole).toEqual({ ...DEFAULT_PKI_ROLE_SPEC, allowedDomains: ['example.com'], allowSubdomains: true, allowAnyName: false });
  });

  it('a scenario without pkiRole plans none (it signs with the shared role)', () => {
    expect(one({}).vault.pkiRole).toBeUndefined();
  });

  it('allowedDomains under allowAnyName: true is an InputError (the list would restrict nothing)', () => {
    const err = loadError(scenarioYaml({ vault: '{engine: vault, placement: external, pkiRole: {allowedDomains: [example.com], allowAnyName: true}}', certificate: '{dnsNames: [app.example.com]}' }));
    expect(err.where.field).toBe('vault.pkiRole.allowAnyName');
    expect(err.fix).toMatch(/drop `allowAnyName: true`/);
  });

  it('a pkiRole without a certificate is an InputError', () => {
    const err = loadError(scenarioYaml({ vault: '{engine: vault, placement: external, pkiRole: {requireCn: true}}' }));
    expect(err.where.field).toBe('vault.pkiRole');
    expect(err.fix).toMatch(/certificate: \{dnsNames/);
  });

  it('an unknown role field is refused (strict), naming the field', () => {
    const err = loadError(scenarioYaml({ vault: '{engine: vault, placement: external, pkiRole: {allowedDomain: [example.com]}}', certificate: '{dnsNames: [app.example.com]}' }));
    expect(err.where.field).toBe('vault.pkiRole.allowedDomain');
  });
});
