import { describe, expect, it } from 'vitest';
import { ownClusterBackends } from '../cli/backends.ts';
import { formatOutcome } from '../cli/format-outcome.ts';
import { runSettings } from '../cli/run-settings.ts';
import { isSkipped, runPlans } from '../runner/run.ts';
import type { ScenarioResult } from '../runner/run-scenario.ts';
import { filterPlans, loadPlans } from '../scenarios/plan.ts';

// Scenarios side by side on the process cluster: real etcd, kube-apiserver, cert-manager and Vault shared by four
// scenarios at once, each under isolated names; every verdict must hold and read only its own lines.
const IDS = ['k8s-client-jwt-default-audience-refused', 'k8s-client-jwt-api-audience-ready', 'k8s-role-audience-mismatch', 'k8s-cluster-issuer-client-jwt-no-aud'];

describe('run --parallel on the process cluster', () => {
  it('runs four scenarios of one environment at once, under their own names, each judged on its own log lines', async () => {
    const plans = filterPlans(loadPlans(), `id=${IDS.join('|')}`);
    expect(plans.map((p) => p.id).sort()).toEqual([...IDS].sort());
    const result = await runPlans(plans, { ...ownClusterBackends.local, settings: runSettings({}), parallel: 4 });
    const ran = result.outcomes.filter((o): o is ScenarioResult => !isSkipped(o));
    expect(ran).toHaveLength(IDS.length);
    for (const r of ran) {
      expect(r.verdict.pass, formatOutcome(r)).toBe(true);
      const issuerName = r.names?.find((n) => n.what === 'Issuer' || n.what === 'ClusterIssuer');
      expect(issuerName?.actual, r.plan.id).toMatch(/-[0-9a-f]{5}$/);
      expect(r.notes.join('\n')).toContain(`${issuerName!.written} → ${issuerName!.actual}`);
      // What the verdict read names this scenario's objects only.
      const others = ran.filter((o) => o !== r).flatMap((o) => o.names ?? []).map((n) => n.actual);
      for (const line of [...r.observation.apiserverLog.filter((l) => /token audiences/.test(l)), ...(r.observation.audit ?? []).map((e) => `${e.path} ${e.displayName ?? ''}`)]) {
        for (const name of others) expect(line, `${r.plan.id} read a line of another scenario`).not.toContain(name);
      }
    }
    const refused = ran.find((r) => r.plan.id === 'k8s-client-jwt-default-audience-refused')!;
    const ns = refused.names!.find((n) => n.what === 'namespace')!.actual;
    expect(refused.prediction.apiserver?.line).toContain(`vault://${ns}/`);
  }, 240_000);
});
