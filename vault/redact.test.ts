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

  it('redacts line lists', () => {
    expect(redactLines(['a tok', 'b'], ['tok'])).toEqual(['a <redacted:root-token>', 'b']);
  });
});
