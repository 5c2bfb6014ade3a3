import { nominalFacts } from './facts.ts';
import { predictStages } from './oracle/index.ts';
import type { Expectation, Plan, Prediction } from './types.ts';

/** `ready`, or `not ready (failure-class)`. */
export function outcomeText(o: { ready: boolean; failure?: string | undefined }): string {
  return o.ready ? 'ready' : `not ready (${o.failure ?? 'unknown'})`;
}

export interface Judged {
  plan: Plan;
  /** One stage, or `before` and `after` for an upgrade; `after` is what `expect` describes. */
  stages: Array<{ stage: 'before' | 'after'; version: string; prediction: Prediction }>;
  /** The oracle's outcome for the version the scenario ends on. */
  predicted: Expectation;
  agrees: boolean;
}

/** The oracle's prediction with nominal facts, compared with what the scenario expects. */
export function judge(plan: Plan): Judged {
  const upgrade = plan.certManager.upgrade;
  const stages = predictStages(plan, nominalFacts(plan)).map((s) => ({
    stage: s.stage,
    version: s.stage === 'before' && upgrade ? upgrade.from : plan.certManager.version,
    prediction: s.prediction,
  }));
  const last = stages[stages.length - 1]!.prediction;
  const predicted: Expectation = { ready: last.ready, ...(last.failure ? { failure: last.failure } : {}) };
  const agrees = predicted.ready === plan.expect.ready && predicted.failure === plan.expect.failure;
  return { plan, stages, predicted, agrees };
}

/** The outcome per stage: `ready`, or for an upgrade `before -> after`. */
export function stagesText(j: Judged): string {
  return j.stages.map((s) => outcomeText(s.prediction)).join(' -> ');
}

export function mismatchText(j: Judged): string {
  return `!! MISMATCH ${j.plan.id}: the scenario expects ${outcomeText(j.plan.expect)}, the oracle predicts ${outcomeText(j.predicted)} (${j.plan.source.file}:${j.plan.source.line})`;
}
