// The nine saved inputs (diagnose/testdata/<class>/): offline, each names its class, and the two scenarios
// written for it load with the catalogue schema, agree with the oracle, and the fix is predicted Ready.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPlans } from '../scenarios/plan.ts';
import { loadProfiles } from '../scenarios/profiles.ts';
import { judge } from '../scenarios/outcome.ts';
import { loadVersions } from '../scenarios/versions.ts';
import { diagnose, writeScenarios } from './diagnose.ts';
import { offlineFacts, type OfflineOptions } from './offline.ts';
import { renderDiagnosis } from './render.ts';

const DATA = join(import.meta.dirname, 'testdata');
const versions = loadVersions();
const profiles = loadProfiles();
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const CRD_REJECTION = 'Issuer in version "v1" cannot be handled as a Issuer: strict decoding error: unknown field "spec.vault.auth.kubernetes.serviceAccountRef.audiences"';

const CASES: Array<{ failure: string; flags: Omit<OfflineOptions, 'issuerFile'>; files?: Array<'role' | 'config' | 'auth-list'>; confidence: string[] }> = [
  { failure: 'apiserver-audience', flags: { profile: 'eks-like', certManagerVersion: 'v1.16.5' }, files: ['role', 'config', 'auth-list'], confidence: ['certain'] },
  { failure: 'vault-role-audience', flags: {}, files: ['role'], confidence: ['certain'] },
  { failure: 'jwt-bound-audience', flags: {}, files: ['role'], confidence: ['certain'] },
  { failure: 'jwt-no-bound-audiences', flags: {}, files: ['role'], confidence: ['certain'] },
  { failure: 'token-request-forbidden', flags: {}, confidence: ['certain'] },
  { failure: 'reviewer-forbidden', flags: { profile: 'kind', certManagerVersion: 'v1.16.5' }, files: ['role', 'config', 'auth-list'], confidence: ['certain'] },
  { failure: 'crd-unknown-field', flags: { message: CRD_REJECTION, certManagerVersion: 'v1.14.7' }, confidence: ['certain'] },
  { failure: 'vault-mount-path', flags: {}, files: ['auth-list'], confidence: ['certain'] },
  { failure: 'role-bound-service-account', flags: {}, files: ['role'], confidence: ['certain'] },
];

function run(c: (typeof CASES)[number]) {
  const dir = join(DATA, c.failure);
  const f = new Set(c.files ?? []);
  const facts = offlineFacts(
    {
      issuerFile: join(dir, 'issuer.yaml'),
      ...(f.has('role') ? { vaultRole: join(dir, 'role.json') } : {}),
      ...(f.has('config') ? { vaultAuthConfig: join(dir, 'config.json') } : {}),
      ...(f.has('auth-list') ? { vaultAuthList: join(dir, 'auth-list.json') } : {}),
      ...c.flags,
    },
    profiles,
  );
  return diagnose({ facts, versions, profiles });
}

describe('diagnose --issuer-file on the saved inputs', () => {
  for (const c of CASES) {
    it(`${c.failure}: named offline, fixed, written as two scenarios that agree with the oracle`, () => {
      const d = run(c);
      expect(d.chosen?.outcome).toBe(c.failure);
      expect(c.confidence).toContain(d.confidence);
      expect(d.exactText || c.failure === 'crd-unknown-field').toBe(true);
      expect(d.fixes?.ready).toBe(true);
      const out = mkdtempSync(join(tmpdir(), 'cm-vault-e2e-diagnose-'));
      dirs.push(out);
      const written = writeScenarios(d, out)!;
      const plans = loadPlans({ files: [written.failure, written.fix!] });
      expect(plans.map((p) => judge(p).predicted)).toEqual([{ ready: false, failure: c.failure }, { ready: true }]);
      const text = renderDiagnosis(d, written);
      expect(text).toContain(`Diagnosis: ${c.failure} (`);
      expect(text).toContain('Smallest fix: ');
      expect(text).toContain('trade-off: ');
    });
  }
});

describe('what the facts decide', () => {
  it("permission denied beside a review-host finding: review-host first, its fix a config write, two scenarios the oracle agrees with", () => {
    const c = CASES.find((x) => x.failure === 'reviewer-forbidden')!;
    const base = offlineFacts({ issuerFile: join(DATA, c.failure, 'issuer.yaml'), vaultAuthConfig: join(DATA, c.failure, 'config.json'), ...c.flags }, profiles);
    const d = diagnose({ facts: { ...base, reviewHost: 'unreachable', findings: ['Vault reviews tokens at https://127.0.0.1:1 …'] }, versions, profiles });
    expect(d.chosen?.outcome).toBe('review-host');
    // without the auth mounts read, a wrong mountPath stays a possible other cause
    expect(['certain', 'likely']).toContain(d.confidence);
    expect(d.fixes?.steps[0]?.fix.change).toContain('vault write auth/kubernetes/config kubernetes_host=');
    const out = mkdtempSync(join(tmpdir(), 'cm-vault-e2e-diagnose-'));
    dirs.push(out);
    const written = writeScenarios(d, out)!;
    const plans = loadPlans({ files: [written.failure, written.fix!] });
    expect(plans.map((p) => judge(p).predicted)).toEqual([{ ready: false, failure: 'review-host' }, { ready: true }]);
    expect(plans[0]!.auth).toMatchObject({ reviewHost: 'unreachable' });
  });

  it('permission denied with nothing but the message: apiserver-audience is likely, the mount path is named as the alternative', () => {
    const d = run({ failure: 'apiserver-audience', flags: {}, confidence: [] });
    expect(d.chosen?.outcome).toBe('apiserver-audience');
    expect(d.confidence).toBe('likely');
    expect(d.alternatives.map((a) => a.outcome)).toContain('vault-mount-path');
    expect(d.chosen?.assumptions.join('\n')).toMatch(/Vault has no reviewer token/);
  });

  it('the smallest fix for apiserver-audience on EKS adds its API audience; the scenario keeps it as a placeholder', () => {
    const d = run(CASES[0]!);
    expect(d.fixes!.steps[0]!.fix.change).toContain('"audiences":["https://kubernetes.default.svc"]');
    expect(d.fixes!.fixed.issuer.audiences).toEqual(['${cluster.apiAudience}']);
  });

  it('the role audience fix rewrites the role with its known policies and bindings', () => {
    const change = run(CASES[1]!).fixes!.steps[0]!.fix.change;
    expect(change).toContain('vault write auth/kubernetes/role/cert-manager');
    expect(change).toContain('audience=vault://team-a/vault-issuer');
    expect(change).toContain('token_policies=pki-team-a');
  });

  it('a message no known setup produces is unexplained', () => {
    const d = run({ failure: 'token-request-forbidden', flags: { message: 'x509: certificate signed by unknown authority' }, confidence: [] });
    expect(d.chosen).toBeUndefined();
    expect(d.confidence).toBe('unexplained');
    expect(renderDiagnosis(d)).toContain('Diagnosis: unexplained');
    expect(renderDiagnosis(d)).not.toContain('The Finding above');
  });

  it('an unexplained message beside a review-host finding points at the finding', () => {
    const d = run({ failure: 'token-request-forbidden', flags: { message: 'x509: certificate signed by unknown authority' }, confidence: [] });
    const finding = 'Vault reviews tokens at https://127.0.0.1:1 (auth/kubernetes/config kubernetes_host), but this cluster\'s API server is https://10.0.0.1:6443';
    const text = renderDiagnosis({ ...d, facts: { ...d.facts, findings: [finding] } });
    expect(text).toContain(`Finding: ${finding}`);
    expect(text).toContain('The Finding above fails every login this way whatever else is set: fix it first.');
  });
});
