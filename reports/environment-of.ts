import { clusterKey } from '../runner/groups.ts';
import type { EnvironmentRecord, RunReport } from './model.ts';
import type { Plan } from '../scenarios/types.ts';

/**
 * The environment record a plan ran in. The runner keys environments by cluster (runner/groups.ts#clusterKey);
 * a backend may key them by the plan's finer `environmentKey`: either matches.
 */
export function environmentOf(run: RunReport, plan: Plan): EnvironmentRecord | undefined {
  const keys = [plan.environmentKey, clusterKey(plan)];
  return run.environments.find((e) => keys.includes(e.key));
}
