import { describe, expect, it } from 'vitest';
import type { AuditEntry, Observation, Prediction } from '../scenarios/types.ts';
import { auditSide } from './audit-verdict.ts';
import { judge } from './verdict.ts';

const DENIED = '1 error occurred:\n\t* permission denied\n\n';
const login = (o: Partial<AuditEntry> = {}): AuditEntry => ({ type: 'response', time: 't', path: 'auth/kubernetes/login', operation: 'update', remoteAddress: '127.0.0.1', role: 'hmac-sha256:r', ...o });
const base: Prediction = { ready: true, tokenAudiences: [], issuer: null, steps: [] };
const obs = (audit: AuditEntry[], extra: Partial<Observation> = {}): Observation => ({ issuer: null, vaultLog: [], apiserverLog: [], audit, ...extra });

describe('the audit side', () => {
  it('a successful login must show the issuer policy', () => {
    const p = { ...base, audit: { login: { path: 'auth/kubernetes/login', policies: ['cm-vault-e2e-issuer'] } } };
    expect(auditSide(p, obs([login({ policies: ['cm-vault-e2e-issuer', 'default'] })]))[0]?.ok).toBe(true);
    const none = auditSide(p, obs([]))[0]!;
    expect(none).toMatchObject({ ok: false, observed: 'no entry' });
  });

  it('a refused login must show its error', () => {
    const p = { ...base, audit: { login: { path: 'auth/kubernetes/login', error: 'permission denied' } } };
    expect(auditSide(p, obs([login({ error: 'permission denied' })]))[0]?.ok).toBe(true);
    expect(auditSide(p, obs([login({ policies: ['x'] })]))[0]?.ok).toBe(false);
  });

  it('no login expected: any login entry with the role fails the side', () => {
    const p = { ...base, audit: { login: null } };
    expect(auditSide(p, obs([]))[0]?.ok).toBe(true);
    expect(auditSide(p, obs([login()]))[0]?.ok).toBe(false);
  });

  it('a refused sign is judged on the sign entry', () => {
    const p = { ...base, audit: { login: { path: 'auth/kubernetes/login', policies: ['p'] }, sign: { path: 'pki/sign/cm-vault-e2e', error: DENIED } } };
    expect(auditSide(p, obs([login({ path: 'pki/sign/cm-vault-e2e', error: DENIED })]))[0]?.ok).toBe(true);
    expect(auditSide(p, obs([login({ path: 'pki/sign/cm-vault-e2e' })]))[0]?.ok).toBe(false);
  });
});

describe('the certificate side of a refused sign', () => {
  const message = 'Vault failed to sign certificate: failed to sign certificate by vault: …';
  const p: Prediction = { ...base, ready: false, failure: 'vault-policy-denied', sign: { allowed: false, certificateRequest: { status: 'False', reason: 'Failed', message } } };
  it('compares the CertificateRequest condition exactly', () => {
    const ok = judge(p, obs([], { certificate: { ready: false, request: { status: 'False', reason: 'Failed', message } } })).find((s) => s.side === 'certificate');
    expect(ok?.ok).toBe(true);
    const issued = judge(p, obs([], { certificate: { ready: true, request: { status: 'True', reason: 'Issued', message: 'Certificate fetched from issuer successfully' } } })).find((s) => s.side === 'certificate');
    expect(issued?.ok).toBe(false);
  });
});

describe('an error response in the audit log', () => {
  it('is matched by the HMAC of the predicted text, never read in clear', () => {
    const text = 'error validating token: invalid audience (aud) claim: audience claim does not match any expected audience';
    const p = { ...base, audit: { login: { path: 'auth/jwt/login', error: text } } };
    const known = login({ path: 'auth/jwt/login', responseError: 'hmac-sha256:26f6', responseErrorIs: text });
    expect(auditSide(p, obs([known]))[0]).toMatchObject({ ok: true, observed: expect.stringContaining('data.error hmac-sha256:26f6 = HMAC of') });
    expect(auditSide(p, obs([login({ path: 'auth/jwt/login', responseError: 'hmac-sha256:0000' })]))[0]?.ok).toBe(false);
  });
});
