import type { Plan, Verdict } from '../scenarios/types.ts';
import { EnvironmentError } from '../lib/errors.ts';
import { apiMessage } from '../lib/kube.ts';
import { missingPins } from '../provision/artifacts.ts';
import { COULD_NOT_RUN } from './could-not-run.ts';
import type { ScenarioEnvironment } from './environment.ts';
import { planEnvironments, type EnvironmentSpec, type RunSettings } from './environment-spec.ts';
import { runScenario, type ScenarioResult } from './run-scenario.ts';
import { Neighbourhood } from './attribution.ts';
import { runScheduled, schedulePlans } from './schedule.ts';
import { ClusterHandoff, clusterKey, groupByCluster, pickEnvironment, servedBy, startRelease, type ClusterShare } from './cluster-handoff.ts';

export interface SkippedScenario {
  plan: Plan;
  /** Why; a broken one's reason starts with COULD_NOT_RUN, the words every output uses for it. */
  skipped: string;
  /** Not a choice but a breakage (its environment failed, or the run threw): "could not run", and the run fails. */
  broken?: boolean;
  /** Pinned artifacts (`artifact@version`) this machine lacked, when that is why it could not run. */
  missing?: string[];
}

/** A scenario that could not run because of `err`, with the pins it lacked. */
export function couldNotRun(plan: Plan, why: string, err: unknown): SkippedScenario {
  const missing = missingPins(err);
  return { plan, skipped: `${COULD_NOT_RUN}: ${why}`, broken: true, ...(missing.length ? { missing } : {}) };
}

export type Outcome = ScenarioResult | SkippedScenario;

export interface EnvironmentRecord {
  key: string;
  notes: string[];
  startupMs: number;
  error?: string;
}

/** What the run tells an environment as it starts, beside its spec: the state of the run it takes part in. */
export interface StartContext {
  /** Where its cluster may come from and goes when it ends, when the run shares clusters between environments. */
  share?: ClusterShare;
}

export interface RunOptions {
  /** What the command line resolved (versions, candidate, image source), for every environment's spec. */
  settings: RunSettings;
  /** Starts the environment a spec describes (a backend); alone (e2e suites, bench scripts) without a context. */
  startEnvironment: (spec: EnvironmentSpec, context?: StartContext) => Promise<ScenarioEnvironment>;
  /** Environments up at once (each is a whole control plane). */
  concurrency?: number;
  /**
   * Scenarios at once inside one environment (default 1: one after another, as written). Above 1 they run under
   * isolated names, and those that must own the environment or share a log marker take turns (runner/schedule.ts).
   */
  parallel?: number;
  /** Why a plan cannot run on this backend, or undefined. */
  skipReason?: (plan: Plan) => string | undefined;
  onResult?: (o: Outcome) => void;
  onEnvironment?: (e: EnvironmentRecord) => void;
  /** Leave environments running (local repro). */
  keep?: boolean;
  /** Called when a scenario's verdict is known, before its objects are removed (`--pause-on-failure`). */
  beforeCleanup?: (plan: Plan, verdict: Verdict, env: ScenarioEnvironment) => Promise<void>;
  signal?: AbortSignal;
}

export interface RunResult {
  outcomes: Outcome[];
  environments: EnvironmentRecord[];
  /** Environments still running because `keep` was set, each with the scenario as it ran whose objects it holds. */
  kept: Array<{ env: ScenarioEnvironment; held?: Plan }>;
  /** Every secret the environments held (root tokens), for the report writers' leak check. */
  secrets: string[];
}

export async function runPlans(plans: Plan[], opts: RunOptions): Promise<RunResult> {
  const outcomes: Outcome[] = [];
  const environments: EnvironmentRecord[] = [];
  const kept: RunResult['kept'] = [];
  const secrets: string[] = [];
  const record = (o: Outcome) => {
    outcomes.push(o);
    opts.onResult?.(o);
  };
  const runnable = plans.filter((p) => {
    const why = opts.skipReason?.(p);
    if (why) record({ plan: p, skipped: why });
    return !why;
  });
  // clusters go from one environment to the next, unless environments are kept (for a later run, or to look inside)
  const sharing = opts.settings.shareClusters !== false && !opts.settings.reuse && !opts.keep;
  const planned = planEnvironments(runnable, opts.settings);
  const keyed = planned.map((g) => ({ ...g, clusterKey: clusterKey(g.spec), release: startRelease(g.spec) }));
  const groups = sharing ? groupByCluster(keyed, (g) => g.clusterKey) : keyed;
  const handoff = sharing ? new ClusterHandoff(groups.map((g) => g.clusterKey), groups.map((g) => g.release)) : undefined;
  const serves = (key: string) => servedBy(groups.filter((g) => g.clusterKey === key).map((g) => g.spec));
  const contextOf = (g: (typeof groups)[number]): StartContext => (handoff ? { share: { to: handoff, key: g.clusterKey, release: g.release, serves: serves(g.clusterKey) } } : {});
  const runGroup = async (group: (typeof groups)[number]) => {
    if (opts.signal?.aborted) {
      for (const p of group.plans) record({ plan: p, skipped: 'interrupted' });
      return;
    }
    const started = Date.now();
    let env: ScenarioEnvironment;
    try {
      env = await opts.startEnvironment(group.spec, contextOf(group));
    } catch (err) {
      const msg = err instanceof EnvironmentError ? err.format() : String(err);
      const rec = { key: group.spec.key, notes: [], startupMs: Date.now() - started, error: msg };
      environments.push(rec);
      opts.onEnvironment?.(rec);
      for (const p of group.plans) record(couldNotRun(p, `environment failed to start: ${msg.split('\n')[0]}`, err));
      return;
    }
    const rec = { key: group.spec.key, notes: env.notes, startupMs: Date.now() - started };
    environments.push(rec);
    opts.onEnvironment?.(rec);
    const neighbours = new Neighbourhood();
    const last = group.plans.at(-1);
    let held: Plan | undefined;
    try {
      await runScheduled(schedulePlans(group.plans, opts.parallel ?? 1), opts.parallel ?? 1, async ({ plan, actual, names }) => {
        if (opts.signal?.aborted) {
          record({ plan, skipped: 'interrupted' });
          return;
        }
        try {
          const hook = opts.beforeCleanup;
          const keepObjects = !!opts.keep && plan === last;
          if (keepObjects) held = actual;
          // the hook shows the scenario as it runs: under its isolated names where it was isolated
          record(await runScenario(env, plan, { keepObjects, neighbours, ...(actual !== plan ? { isolated: { plan: actual, names } } : {}), ...(hook ? { beforeCleanup: (v) => hook(actual, v, env) } : {}) }));
        } catch (err) {
          record(couldNotRun(plan, err instanceof EnvironmentError ? err.format() : apiMessage(err), err));
        }
      });
    } finally {
      secrets.push(...env.secrets());
      if (opts.keep) kept.push({ env, ...(held ? { held } : {}) });
      else await env.stop();
    }
  };
  // `concurrency` slots; each, when free, starts the environment pickEnvironment chooses (sharing clusters) or the next
  const pending = [...groups];
  const running = new Map<string, number>();
  const slot = async (): Promise<void> => {
    for (;;) {
      const i = handoff ? pickEnvironment(pending.map((g) => ({ key: g.clusterKey, release: g.release })), (k) => running.get(k) ?? 0, (k, r) => handoff.usable(k, r)) : pending.length ? 0 : -1;
      if (i < 0) return;
      const group = pending.splice(i, 1)[0]!;
      running.set(group.clusterKey, (running.get(group.clusterKey) ?? 0) + 1);
      try {
        await runGroup(group);
      } finally {
        running.set(group.clusterKey, running.get(group.clusterKey)! - 1);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 1) }, slot));
  } finally {
    await handoff?.drain();
  }
  return { outcomes, environments, kept, secrets };
}


export const isSkipped = (o: Outcome): o is SkippedScenario => 'skipped' in o;
