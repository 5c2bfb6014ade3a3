import { describe, expect, it } from 'vitest';
import type { Observation, Prediction } from '../scenarios/types.ts';
import { APISERVER_NOT_OBSERVABLE, judge } from './verdict.ts';

const MESSAGE = 'Failed to initialize Vault client: while requesting a Vault token using the Kubernetes auth: error calling Vault server: Error making API request.\n\nURL: POST https://127.0.0.1:8200/v1/auth/kubernetes/login\nCode: 403. Errors:\n\n* permission denied';
const LINE = 'token audiences ["vault://team-a/vault-issuer"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local"]';
// As kube-apiserver's klog writes it: the error value is quoted, its own quotes escaped.
const KLOG = 'E1128 15:31:50.171181   25029 authentication.go:75] "Unable to authenticate the request" err="[invalid bearer token, token audiences [\\"vault://team-a/vault-issuer\\"] is invalid for the target audiences [\\"https://kubernetes.default.svc.cluster.local\\"]]"';

const refused: Prediction = {
  ready: false,
  failure: 'apiserver-audience',
  tokenAudiences: ['vault://team-a/vault-issuer'],
  issuer: { status: 'False', reason: 'VaultError', message: MESSAGE },
  vault: { status: 403, errors: ['permission denied'] },
  apiserver: { line: LINE },
  steps: [],
};
const observed = (o: Partial<Observation>): Observation => ({ issuer: { status: 'False', reason: 'VaultError', message: MESSAGE }, vaultLog: [], apiserverLog: [KLOG], ...o });
const byside = (p: Prediction, o: Observation) => Object.fromEntries(judge(p, o).map((s) => [s.side, s.ok]));

describe('judge', () => {
  it('passes the three sides when all agree, reading klog-escaped apiserver lines', () => {
    expect(byside(refused, observed({}))).toEqual({ issuer: true, vault: true, apiserver: true });
  });

  it('fails the issuer side on any difference in the message', () => {
    const o = observed({ issuer: { status: 'False', reason: 'VaultError', message: MESSAGE.replace('403', '400') } });
    expect(byside(refused, o)).toMatchObject({ issuer: false, vault: false });
  });

  it('fails the apiserver side when the line is missing, and when one appears unpredicted', () => {
    expect(byside(refused, observed({ apiserverLog: [] })).apiserver).toBe(false);
    const ready: Prediction = { ...refused, ready: true, failure: undefined, issuer: { status: 'True', reason: 'VaultVerified', message: 'Vault verified' }, vault: { status: 200, errors: [] }, apiserver: undefined };
    const o = observed({ issuer: { status: 'True', reason: 'VaultVerified', message: 'Vault verified' }, certificate: { ready: true, chainVerified: true, sansMatch: true } });
    expect(byside(ready, o)).toEqual({ issuer: true, vault: true, apiserver: false, certificate: true });
  });

  it('requires a predicted Vault log line', () => {
    const p = { ...refused, vault: { ...refused.vault!, logLine: 'login unauthorized: err="x"' } };
    expect(byside(p, observed({})).vault).toBe(false);
    expect(byside(p, observed({ vaultLog: ['2026-11-28T15:48:43.655Z [DEBUG] auth.kubernetes.auth_kubernetes_0e: login unauthorized: err="x"'] })).vault).toBe(true);
  });

  it("judges the signed names where the oracle names them: a CN-less certificate for evil.other.test is what it predicts, nothing else", () => {
    const ready: Prediction = { ...refused, ready: true, failure: undefined, issuer: { status: 'True', reason: 'VaultVerified', message: 'Vault verified' }, vault: { status: 200, errors: [] }, apiserver: undefined };
    const signedEvil: Prediction = { ...ready, sign: { allowed: true, certificateRequest: { status: 'True', reason: 'Issued', message: 'Certificate fetched from issuer successfully' }, signed: { commonName: '', sans: ['DNS:evil.other.test'] } } };
    const cert = (names: { commonName: string; sans: string[] }) => observed({ apiserverLog: [], issuer: ready.issuer!, certificate: { ready: true, chainVerified: true, sansMatch: true, names } });
    const side = (o: Observation) => judge(signedEvil, o).find((s) => s.side === 'certificate')!;
    expect(side(cert({ commonName: '', sans: ['DNS:evil.other.test'] }))).toMatchObject({ ok: true, expected: 'ready=true chainVerified=true sansMatch=true subject CN=(none) SANs DNS:evil.other.test' });
    expect(side(cert({ commonName: 'evil.other.test', sans: ['DNS:evil.other.test'] })).ok).toBe(false);
    expect(side(cert({ commonName: '', sans: ['DNS:app.example.com', 'DNS:evil.other.test'] })).ok).toBe(false);
  });

  it('judges the certificate only for Ready predictions, and fails an unverified chain', () => {
    expect(judge(refused, observed({})).some((s) => s.side === 'certificate')).toBe(false);
    const ready: Prediction = { ...refused, ready: true, issuer: { status: 'True', reason: 'VaultVerified', message: 'Vault verified' }, vault: undefined, apiserver: undefined };
    const o = observed({ apiserverLog: [], issuer: { status: 'True', reason: 'VaultVerified', message: 'Vault verified' }, certificate: { ready: true, chainVerified: false, sansMatch: true } });
    expect(byside(ready, o).certificate).toBe(false);
  });

  it('compares a CRD rejection exactly', () => {
    const msg = 'Issuer in version "v1" cannot be handled as a Issuer: strict decoding error: unknown field "spec.vault.auth.kubernetes.serviceAccountRef.audiences"';
    const p: Prediction = { ...refused, issuer: null, rejection: { message: msg }, vault: undefined, apiserver: undefined };
    expect(byside(p, observed({ issuer: null, rejection: { message: msg }, apiserverLog: [] })).issuer).toBe(true);
    expect(byside(p, observed({ apiserverLog: [] })).issuer).toBe(false);
  });

  it('reports the apiserver side as not observable only where the environment declares its log unreadable', () => {
    const unread = observed({ apiserverLog: [] });
    expect(byside(refused, unread).apiserver).toBe(false);
    expect(judge(refused, unread, { apiserverLogReadable: true }).find((s) => s.side === 'apiserver')!.ok).toBe(false);
    const side = judge(refused, unread, { apiserverLogReadable: false }).find((s) => s.side === 'apiserver')!;
    expect(side).toMatchObject({ ok: true, unobserved: true, observed: APISERVER_NOT_OBSERVABLE, expected: LINE });
    // lines that were read are judged as ever, whatever the declaration
    expect(judge(refused, observed({ apiserverLog: ['unrelated'] }), { apiserverLogReadable: false }).find((s) => s.side === 'apiserver')!.ok).toBe(false);
  });
});
