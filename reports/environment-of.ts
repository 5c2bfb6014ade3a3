import type { EnvironmentRecord, RunReport } from './model.ts';
import type { Plan } from '../scenarios/types.ts';

/** The environment record a plan ran in: the runner names environments by the plan's `environmentKey`. */
export function environmentOf(run: RunReport, plan: Plan): EnvironmentRecord | undefined {
  return run.environments.find((e) => e.key === plan.environmentKey);
}
