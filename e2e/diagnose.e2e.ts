// diagnose, proven on real components: a working environment broken one way per failure class
// (e2e/diagnose/breakages.yaml). Each breakage runs as a scenario (and must fail exactly as the oracle says);
// while its objects exist, `diagnose` reads the cluster and Vault live and must name the class; the fix it
// prints is applied as printed, and the Issuer must become Ready. The two scenario files it wrote must then pass
// on the same environment. Process cluster by default; CM_VAULT_E2E_DIAGNOSE_BACKENDS=local,kind adds kind.
import { fileURLToPath } from 'node:url';
import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioEnvironment, VaultHandle } from '../runner/environment.ts';
import { issuerObject } from '../runner/manifests.ts';
import { runScenario } from '../runner/run-scenario.ts';
import { factsOf } from '../runner/session.ts';
import { VAULT_ROLE } from '../runner/vault-setup.ts';
import { formatSides } from '../reports/side-text.ts';
import { resolvePlaceholders } from '../scenarios/placeholders.ts';
import { filterPlans, loadPlans } from '../scenarios/plan.ts';
import type { Plan, Verdict } from '../scenarios/types.ts';
import { applyFix, diagnoseLive, nudge, waitReady, type LiveDiagnosis } from './diagnose/live.ts';
import { ownClusterBackends } from '../cli/backends.ts';
import { runSettings } from '../cli/run-settings.ts';
import { planEnvironments } from '../runner/environment-spec.ts';
import { environmentFixture } from './fixtures.ts';

const BREAKAGES = fileURLToPath(new URL('./diagnose/breakages.yaml', import.meta.url));
const names = (process.env.CM_VAULT_E2E_DIAGNOSE_BACKENDS ?? 'local').split(',').filter(Boolean) as Array<keyof typeof ownClusterBackends>;
// CI's versions by default, as e2e/local.e2e.ts (crd-unknown-field needs cert-manager v1.14/v1.15: CM_VAULT_E2E_FILTER='ci=*').
const filter = process.env.CM_VAULT_E2E_FILTER ?? 'ci=true';
const plans = filterPlans(loadPlans({ files: [BREAKAGES] }), filter);

for (const name of names) {
  const backend = ownClusterBackends[name];
  for (const group of planEnvironments(plans, runSettings({}))) {
    describe(`diagnose on ${name}: ${group.spec.key}`, () => {
      const env = environmentFixture(backend, group.spec);
      beforeAll(() => env.setUp());
      afterAll(() => env.tearDown());
      for (const plan of group.plans) {
        const failure = plan.expect.failure!;
        it(`${failure}: diagnose names it live, its fix makes the Issuer Ready, its scenarios replay`, async () => {
          const e = env.get();
          const vault = await e.vault(plan.vault.engine, plan.vault.version, plan.vault.placement);
          // The process cluster runs cert-manager as a process: no Deployment image to read the version from.
          const certManagerVersion = name === 'local' ? plan.certManager.version : undefined;
          let live: LiveDiagnosis | undefined;
          let ready: Awaited<ReturnType<typeof waitReady>>;
          const created: KubernetesObject[] = [];
          const broken = await runScenario(e, plan, {
            beforeCleanup: async (verdict: Verdict) => {
              expect(verdict.pass, `the breakage did not fail as the oracle says:\n${formatSides(verdict)}`).toBe(true);
              const refused = failure === 'crd-unknown-field' ? refusedIssuer(e, plan, verdict, vault) : undefined;
              live = await diagnoseLive(e, vault, plan, { ...(certManagerVersion ? { certManagerVersion } : {}), ...(refused ? { refused } : {}) });
              const d = live.diagnosis;
              expect(d.chosen?.outcome, live.text).toBe(failure);
              expect(d.fixes?.ready, live.text).toBe(true);
              for (const step of d.fixes!.steps) created.push(...(await applyFix(e, vault, step.fix.action)));
              if (refused) {
                // The fix made the field exist: the Issuer the API server refused is accepted now.
                await e.kube.create(refused.issuer, { strict: true });
                created.push(refused.issuer);
              } else await nudge(e, plan);
              ready = await waitReady(e, plan);
            },
          });
          try {
            expect(broken.verdict.pass, formatSides(broken.verdict)).toBe(true);
            expect(ready?.status, `${live?.text}\n\nIssuer after the fix: ${JSON.stringify(ready)}`).toBe('True');
            // No secret in what diagnose prints (the token it was given, the reviewer JWT, any ServiceAccount token).
            expect(live!.text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
            expect(live!.text.includes(vault.admin.token)).toBe(false);
          } finally {
            for (const o of created.reverse()) await e.kube.delete(o).catch(() => undefined);
          }
          // `run --scenarios` on what diagnose wrote: the failure as diagnosed, and the fix Ready.
          if (failure === 'crd-unknown-field') return; // the environment now runs the fixed cert-manager
          expect(live!.written.map((p) => p.expect)).toEqual([{ ready: false, failure }, { ready: true }]);
          for (const written of live!.written) {
            const replay = await runScenario(e, written);
            expect(replay.verdict.pass, formatSides(replay.verdict)).toBe(true);
          }
        });
      }
    });
  }
}

/** The Issuer the breakage tried to create and the API server's refusal, as a user would paste them. */
function refusedIssuer(e: ScenarioEnvironment, plan: Plan, verdict: Verdict, vault: VaultHandle) {
  const side = verdict.sides.find((s) => s.side === 'issuer')!;
  const message = side.observed.replace(/^rejected: /, '');
  const facts = factsOf(e, vault.server);
  const audiences = plan.issuer.audiences?.map((a) => resolvePlaceholders(a, plan, facts));
  const issuer = issuerObject(plan, { server: vault.server, caPem: vault.caPem, signPath: `${vault.pkiMount}/sign/${vault.pkiRole}`, role: VAULT_ROLE, ...(audiences ? { audiences } : {}) });
  return { issuer, message };
}
