import { localBackend } from '../local/backend.ts';
import { groupByCluster } from '../runner/groups.ts';
import type { ScenarioEnvironment } from '../runner/environment.ts';
import { filterPlans, loadPlans } from '../scenarios/plan.ts';
import { loadVersions } from '../scenarios/versions.ts';
import type { Plan } from '../scenarios/types.ts';

/**
 * What the e2e suites iterate over: the catalogue (narrowed by CM_VAULT_E2E_FILTER, same syntax as --filter),
 * grouped by the cluster the scenarios can share.
 */
export function e2eGroups(): Array<{ key: string; plans: Plan[] }> {
  let plans = loadPlans({ dirs: process.env.CM_VAULT_E2E_SCENARIOS?.split(':').filter(Boolean) ?? [] });
  const filter = process.env.CM_VAULT_E2E_FILTER;
  if (filter) plans = filterPlans(plans, filter);
  return groupByCluster(plans);
}

/** One environment per group, started once for its tests and stopped after them (worker-scoped, in Playwright's terms). */
export function localEnvironmentFixture(key: string, first: Plan) {
  const backend = localBackend(loadVersions());
  let env: ScenarioEnvironment | undefined;
  let startError: unknown;
  return {
    skipReason: backend.skipReason!,
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
