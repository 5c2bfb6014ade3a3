import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatOutcome } from '../cli/format-outcome.ts';
import { kindBackend } from '../kind/backend.ts';
import { localBackend } from '../local/backend.ts';
import { groupByCluster } from '../runner/groups.ts';
import type { ScenarioEnvironment } from '../runner/environment.ts';
import { runOne, type RunOptions } from '../runner/run.ts';
import { filterPlans, loadPlans } from '../scenarios/plan.ts';
import { loadVersions } from '../scenarios/versions.ts';
import type { Plan } from '../scenarios/types.ts';

type Backend = Pick<RunOptions, 'startEnvironment' | 'skipReason'>;
export const backends = { local: localBackend, kind: kindBackend } as const;

/**
 * What an e2e suite iterates over: the catalogue (narrowed by a filter in --filter syntax), grouped by the
 * cluster the scenarios can share.
 */
export function e2eGroups(filter: string | undefined): Array<{ key: string; plans: Plan[] }> {
  let plans = loadPlans({ dirs: process.env.CM_VAULT_E2E_SCENARIOS?.split(':').filter(Boolean) ?? [] });
  if (filter) plans = filterPlans(plans, filter);
  return groupByCluster(plans);
}

/** One environment per group, started once for its tests and stopped after them (worker-scoped, in Playwright's terms). */
export function environmentFixture(backend: Backend, key: string, first: Plan) {
  let env: ScenarioEnvironment | undefined;
  let startError: unknown;
  return {
    skipReason: (p: Plan) => backend.skipReason?.(p),
    async setUp() {
      try {
        env = await backend.startEnvironment(key, first);
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

export type Extra = (group: { key: string; plans: Plan[] }, env: () => ScenarioEnvironment) => void;

/**
 * The catalogue as vitest suites on one backend: a describe per shared cluster, an it per scenario; `extra` may
 * add tests to a group (they share its cluster).
 */
export function describeCatalogue(name: keyof typeof backends, filter: string | undefined, extra?: Extra): void {
  const backend = backends[name](loadVersions());
  for (const group of e2eGroups(filter)) {
    describe(`${name} ${group.key}`, () => {
      const env = environmentFixture(backend, group.key, group.plans[0]!);
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
          const result = await runOne(env.get(), plan);
          // The whole three-sided diff in the failure message, not just "expected false to be true".
          expect(result.verdict.pass, formatOutcome(result)).toBe(true);
          expect(result.verdict.sides.map((s) => s.side)).toEqual(expect.arrayContaining(['issuer', 'vault', 'apiserver']));
        });
      }
      if (runnable.length) extra?.(group, () => env.get());
    });
  }
}
