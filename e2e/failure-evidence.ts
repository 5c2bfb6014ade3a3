import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { writeReports } from '../reports/index.ts';
import type { ScenarioEnvironment } from '../runner/environment.ts';
import { runScenario } from '../runner/run-scenario.ts';
import type { Plan } from '../scenarios/types.ts';
import type { Extra } from './fixtures.ts';

const PROBE = 'k8s-client-jwt-api-audience-ready';

/**
 * A scenario that fails on purpose, on real components: the plan claims the API server accepts an audience it
 * does not, so `${cluster.apiAudience}` puts that audience in the token, the oracle predicts Ready, and the real
 * API server refuses. The reports must show the three-sided difference, hold the cluster's log bundle where the
 * backend has one, and carry no secret.
 */
export const failingOnPurpose: Extra = (group, env) => {
  const probe = group.plans.find((p) => p.id === PROBE);
  if (!probe) return;
  it(`${PROBE} against a profile that lies about its API audiences fails with evidence and no secrets`, async () => {
    const real = env();
    const lie = { ...real.profile, apiAudiences: ['https://not-this-cluster.example'] };
    // The same environment, except for what it claims about its API audiences (facts and plan both read it).
    const e: ScenarioEnvironment = Object.create(real, { profile: { value: lie } });
    const sabotaged: Plan = { ...probe, id: `${PROBE}-sabotaged`, profile: lie };
    const result = await runScenario(e, sabotaged);
    expect(result.verdict.pass).toBe(false);
    const failed = result.verdict.sides.filter((s) => !s.ok).map((s) => s.side);
    expect(failed).toEqual(expect.arrayContaining(['issuer', 'apiserver']));
    if (e.exportLogs) expect(Object.keys(result.evidence).some((k) => k.startsWith('cluster-logs/') && k.includes('kube-apiserver'))).toBe(true);

    const out = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-failing-'));
    try {
      const now = new Date().toISOString();
      await writeReports({ startedAt: now, finishedAt: now, backend: e.backend, versions: {}, environments: [], results: [result] }, out, { secrets: e.secrets() });
      const junit = await readFile(join(out, 'junit.xml'), 'utf8');
      expect(junit).toContain(`<failure`);
      expect(junit).toContain('is invalid for the target audiences');
      const files = await readdir(join(out, 'evidence', sabotaged.id), { recursive: true });
      expect(files).toContain('verdict.txt');
      for (const f of files) {
        const text = await readFile(join(out, 'evidence', sabotaged.id, f), 'utf8').catch(() => '');
        expect(text, f).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
        for (const secret of e.secrets()) expect(text.includes(secret), f).toBe(false);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
};
