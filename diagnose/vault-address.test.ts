import { describe, expect, it } from 'vitest';
import { inputErrorOf as refusal } from '../lib/test-support/input-error.ts';
import { noAddressNote, redirectRefusal, vaultTarget } from './vault-address.ts';

const ISSUER = 'https://vault.vault.svc:8200';

describe("diagnose's Vault address policy: the token goes only where the operator said", () => {
  it('no operator address: no target at all, whatever the Issuer names', () => {
    expect(vaultTarget(undefined, { insecureHttp: false, issuerServer: ISSUER })).toBeUndefined();
    expect(vaultTarget(undefined, { insecureHttp: true, issuerServer: 'http://127.0.0.1:9' })).toBeUndefined();
    const note = noAddressNote(ISSUER);
    expect(note).toContain('--vault-addr URL or VAULT_ADDR');
    expect(note).toContain(`--vault-addr ${ISSUER}`);
  });

  it("the operator's https address, from either source; the same Vault as the Issuer's is no finding", () => {
    expect(vaultTarget({ address: 'https://vault.vault.svc:8200/', from: '--vault-addr' }, { insecureHttp: false, issuerServer: ISSUER })).toEqual({ address: ISSUER, from: '--vault-addr' });
    // default port and host case do not make another Vault
    expect(vaultTarget({ address: 'https://VAULT.example.com:443', from: 'VAULT_ADDR' }, { insecureHttp: false, issuerServer: 'https://vault.example.com' })).toEqual({ address: 'https://vault.example.com', from: 'VAULT_ADDR' });
  });

  it("another address than the Issuer's is read, and the mismatch is a finding naming both", () => {
    const t = vaultTarget({ address: 'https://127.0.0.1:8200', from: '--vault-addr' }, { insecureHttp: false, issuerServer: ISSUER });
    expect(t?.address).toBe('https://127.0.0.1:8200');
    expect(t?.mismatch).toMatch(/^the Issuer points at https:\/\/vault\.vault\.svc:8200, you asked me to read https:\/\/127\.0\.0\.1:8200 \(--vault-addr\)/);
  });

  it('plain http is refused unless --vault-insecure-http, naming where the address came from', () => {
    const flag = refusal(() => vaultTarget({ address: 'http://127.0.0.1:8200', from: '--vault-addr' }, { insecureHttp: false, issuerServer: ISSUER }));
    expect(flag.where).toEqual({ file: 'command line', field: '--vault-addr' });
    expect(flag.problem).toMatch(/plain http: the Vault token would cross the network in clear/);
    expect(flag.fix).toMatch(/--vault-insecure-http/);
    const env = refusal(() => vaultTarget({ address: 'http://vault:8200', from: 'VAULT_ADDR' }, { insecureHttp: false, issuerServer: ISSUER }));
    expect(env.where).toEqual({ file: 'environment', field: 'VAULT_ADDR' });
    expect(vaultTarget({ address: 'http://127.0.0.1:8200', from: '--vault-addr' }, { insecureHttp: true, issuerServer: ISSUER })?.address).toBe('http://127.0.0.1:8200');
  });

  it('not an http(s) URL, or one carrying credentials, is bad input', () => {
    expect(refusal(() => vaultTarget({ address: 'vault:8200', from: '--vault-addr' }, { insecureHttp: true, issuerServer: ISSUER })).problem).toMatch(/not an http\(s\) URL/);
    expect(refusal(() => vaultTarget({ address: 'not a url', from: '--vault-addr' }, { insecureHttp: false, issuerServer: ISSUER })).problem).toMatch(/is not a URL/);
    expect(refusal(() => vaultTarget({ address: 'https://u:p@vault:8200', from: '--vault-addr' }, { insecureHttp: false, issuerServer: ISSUER })).problem).toMatch(/user name or password/);
  });

  it('a redirect is an error naming the Location (resolved), saying the token was not sent there', () => {
    const target = { address: 'https://127.0.0.1:8200', from: '--vault-addr' as const };
    const e = redirectRefusal(target, 'sys/auth', 307, 'https://evil.example:8200/v1/sys/auth');
    expect(e.where).toEqual({ file: 'command line', field: '--vault-addr' });
    expect(e.problem).toBe('Vault at https://127.0.0.1:8200 answered 307 to GET /v1/sys/auth, redirecting to https://evil.example:8200/v1/sys/auth: diagnose does not follow redirects, and the token was not sent there');
    expect(redirectRefusal(target, 'sys/auth', 302, '/elsewhere').problem).toContain('redirecting to https://127.0.0.1:8200/elsewhere');
    expect(redirectRefusal(target, 'sys/auth', 301, undefined).problem).toContain('redirecting to (no Location)');
  });
});
