import { describe, expect, it } from 'vitest';
import { describeJwt, redact, redactLines } from './redact.ts';
import { signedTestJwt } from './test-support/jwt.ts';

describe('redact', () => {
  it('replaces the root token wherever it appears', () => {
    const token = 'f3b0c44298fc1c149afbf4c8996fb924';
    expect(redact(`Root Token: ${token}\nX-Vault-Token=${token}`, [token])).toBe(
      'Root Token: <redacted:root-token>\nX-Vault-Token=<redacted:root-token>',
    );
  });

  it('labels named secrets and ignores empty ones', () => {
    expect(redact('a hunter2 b', [{ label: 'reviewer', value: 'hunter2' }, ''])).toBe('a <redacted:reviewer> b');
  });

  it('shows a JWT as its header and claims, without the signature', () => {
    const jwt = signedTestJwt({ aud: ['b'], sub: 'system:serviceaccount:ns:sa' }, { kid: 'k1' });
    const signature = jwt.split('.')[2]!;
    const out = redact(`login jwt=${jwt} done`);
    expect(out).toBe(
      'login jwt=<jwt header={"alg":"RS256","typ":"JWT","kid":"k1"} claims={"aud":["b"],"sub":"system:serviceaccount:ns:sa"}> done',
    );
    expect(out).not.toContain(signature);
  });

  it('handles unsecured JWTs (empty signature) and JWTs inside JSON', () => {
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"aud":"x"}').toString('base64url')}.`;
    expect(redact(`{"jwt":"${unsigned}"}`)).toBe('{"jwt":"<jwt header={"alg":"none"} claims={"aud":"x"}>"}');
  });

  it('redacts a JWT-shaped string it cannot decode', () => {
    expect(describeJwt('eyJub3QganNvbg.eyJhbGc.c2ln')).toBe('<redacted:jwt>');
    expect(redact('x eyJub3QganNvbg.eyJhbGc.c2ln y')).toBe('x <redacted:jwt> y');
  });

  it('leaves ordinary dotted text alone', () => {
    const text = 'auth.kubernetes.auth_kubernetes_1a2b listening on 127.0.0.1:8200 v1.21.4';
    expect(redact(text, ['not-present'])).toBe(text);
  });

  it("hides the dev server's unseal key and root token, also where a log prefix precedes them (kind's pod logs)", () => {
    expect(redact('Unseal Key: 2GcQ2A6iwiSSEOJy3usk9w9S+zxsVHtBb/W0wLWG49A=')).toBe('Unseal Key: <redacted:unseal-key>');
    expect(redact('Unseal Key 1: abc')).toBe('Unseal Key 1: <redacted:unseal-key>');
    expect(redact('2026-12-07T10:00:00.1Z stdout F Unseal Key: abc=\n2026-12-07T10:00:00.1Z stdout F Root Token: not-listed')).toBe(
      '2026-12-07T10:00:00.1Z stdout F Unseal Key: <redacted:unseal-key>\n2026-12-07T10:00:00.1Z stdout F Root Token: <redacted:root-token>',
    );
    expect(redact('core: unseal key supplied: migrate=false')).toBe('core: unseal key supplied: migrate=false');
  });

  it('replaces Vault tokens, private keys and base64 of a secret by their kind', () => {
    expect(redact('X-Vault-Token: hvs.CAESIJ2kq0Vq8rTh3nYb7zX1pLmQeWc9uFoRjKdSgAaBtN4 ok')).toBe('X-Vault-Token: <redacted:vault-token> ok');
    expect(redact('key: -----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\nnext')).toBe('key: <redacted:ec-private-key>\nnext');
    const jwt = signedTestJwt({ aud: ['b'] });
    expect(redact(`token: ${Buffer.from(jwt).toString('base64')}\nca.crt: x`)).toBe('token: <redacted:base64 of jwt>\nca.crt: x');
  });

  it('joins a JWT wrapped over lines, and leaves the line after a whole one alone', () => {
    const jwt = signedTestJwt({ aud: ['b'] }, { kid: 'k1' });
    const described = '<jwt header={"alg":"RS256","typ":"JWT","kid":"k1"} claims={"aud":["b"]}>';
    expect(redact(`jwt=${jwt.slice(0, 50)}\n  ${jwt.slice(50, 300)}\n  ${jwt.slice(300)}\n2026-12-07 next`)).toBe(`jwt=${described}\n2026-12-07 next`);
    expect(redact(`jwt=${jwt}\n2026-12-07 next`)).toBe(`jwt=${described}\n2026-12-07 next`);
  });

  it('redacts line lists', () => {
    expect(redactLines(['a tok', 'b'], ['tok'])).toEqual(['a <redacted:root-token>', 'b']);
  });
});
