import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatOutcome } from '../cli/format-outcome.ts';
import { ownClusterBackends, type Backend } from '../cli/backends.ts';
import { runSettings } from '../cli/run-settings.ts';
import { planEnvironments, type EnvironmentGroup, type EnvironmentSpec } from '../runner/environment-spec.ts';
import type { ScenarioEnvironment } from '../runner/environment.ts';
import { runScenario } from '../runner/run-scenario.ts';
import { filterPlans, loadPlans } from '../scenarios/plan.ts';
import type { Plan } from '../scenarios/types.ts';

/**
 * What an e2e suite iterates over: the catalogue (narrowed by a filter in --filter syntax), partitioned into the
 * environments the scenarios share. Like the CLI, this top level reads the process environment; nothing below does.
 */
export function e2eGroups(filter: string | undefined): EnvironmentGroup[] {
  let plans = loadPlans({ dirs: process.env.CM_VAULT_E2E_SCENARIOS?.split(':').filter(Boolean) ?? [] });
  if (filter) plans = filterPlans(plans, filter);
  return planEnvironments(plans, runSettings({}));
}

/** One environment per group, started once for its tests and stopped after them (worker-scoped, in Playwright's terms). */
export function environmentFixture(backend: Backend, spec: EnvironmentSpec) {
  let env: ScenarioEnvironment | undefined;
  let startError: unknown;
  return {
    skipReason: (p: Plan) => backend.skipReason?.(p),
    async setUp() {
      try {
        env = await backend.startEnvironment(spec);
      } catch (err) {
        startError = err;
      }
    },
    get(): ScenarioEnvironment {
      if (!env) throw startError ?? new Error('environment not started');
      return env;
    },
    async tearDown() {
      await env?.stop();
    },
  };
}

export type Extra = (group: EnvironmentGroup, env: () => ScenarioEnvironment) => void;

/**
 * The catalogue as vitest suites on one backend: a describe per shared cluster, an it per scenario; `extra` may
 * add tests to a group (they share its cluster).
 */
export function describeCatalogue(name: 'local' | 'kind', filter: string | undefined, extra?: Extra): void {
  const backend = ownClusterBackends[name];
  for (const group of e2eGroups(filter)) {
    describe(`${name} ${group.spec.key}`, () => {
      const env = environmentFixture(backend, group.spec);
      const runnable = group.plans.filter((p) => !env.skipReason(p));
      if (runnable.length) {
        beforeAll(() => env.setUp());
        afterAll(() => env.tearDown());
      }
      for (const plan of group.plans) {
        const skip = env.skipReason(plan);
        if (skip) {
          it.skip(`${plan.id} — ${skip}`, () => {});
          continue;
        }
        it(plan.id, async () => {
          const result = await runScenario(env.get(), plan);
          // The whole three-sided diff in the failure message, not just "expected false to be true".
          expect(result.verdict.pass, formatOutcome(result)).toBe(true);
          expect(result.verdict.sides.map((s) => s.side)).toEqual(expect.arrayContaining(['issuer', 'vault', 'apiserver']));
        });
      }
      if (runnable.length) extra?.(group, () => env.get());
    });
  }
}
