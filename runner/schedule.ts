import { availableParallelism } from 'node:os';
import { nominalFacts } from '../scenarios/facts.ts';
import { intersects } from '../scenarios/oracle/model.ts';
import { predictStages } from '../scenarios/oracle/index.ts';
import { goQuoteSlice } from '../scenarios/oracle/messages.ts';
import type { Plan } from '../scenarios/types.ts';
import { isolate, suffixesFor, type NameChange } from './isolate.ts';

/**
 * Which scenarios of one environment may run at the same time. Isolated names (runner/isolate.ts) make almost
 * everything a scenario touches its own; what is left shared is claimed here, and two plans with a claim in common
 * never overlap:
 * - `*`: the plan owns the environment (an upgrade, or a plan that keeps its written names) and runs alone;
 * - `audiences <list>`: a token whose audiences miss the API audiences makes the API server log
 *   `token audiences [<list>] is invalid …`, a line that names nothing but the audiences. Two plans whose tokens
 *   carry the same list could not tell their lines apart (runner/attribution.ts), so they take turns.
 *
 * Scheduling apart is the fallback, not the rule: claims come from the renamed plan, where the default audience
 * `vault://<ns>/<issuer>` is already unique, so only tokens with written audiences (a wrong audience, a literal
 * one) still share lines.
 */
export const OWN_ENVIRONMENT = '*';

/**
 * A scenario spends most of its time waiting (for cert-manager to reconcile, for Vault to answer, for a log line to
 * be flushed), not computing: several per core keep the cores busy without the API server and cert-manager
 * falling behind (bench/parallel.ts measures the catalogue at several values).
 */
export const PARALLEL_PER_CORE = 3;

export function defaultParallel(cores = availableParallelism()): number {
  return Math.max(1, cores * PARALLEL_PER_CORE);
}

/**
 * Environments up at once. kind clusters spend most of their start waiting (kubeadm, image loads, Helm) but each
 * holds a node container's memory: two. A process cluster starts in seconds of mostly CPU, but most environments
 * hold a handful of scenarios, so each spends much of its life in what no core is busy with: waiting for its
 * slowest scenario, for cert-manager's controller to start, for its cluster to be handed over. Two more than the
 * cores keep the cores busy through those waits (bench/parallel.ts --concurrency weighs other values). An existing
 * cluster is one cluster.
 */
export function defaultConcurrency(backend: string, cores = availableParallelism()): number {
  if (backend === 'kind') return 2;
  if (backend === 'local') return cores + 2;
  return 1;
}

export interface ScheduledPlan {
  /** As written: ids, reports, filters. */
  plan: Plan;
  /** What runs and what the oracle predicts from (the written plan when not isolated). */
  actual: Plan;
  names: NameChange[];
  claims: string[];
  /** Why it runs alone, when it does. */
  alone?: string;
}

/** The audience lists of the tokens a plan makes that the API server would refuse (nominal facts). */
export function refusableAudiences(plan: Plan): string[][] {
  const facts = nominalFacts(plan);
  const lists = predictStages(plan, facts).map((s) => s.prediction.tokenAudiences).filter((a) => a.length && !intersects(a, facts.apiAudiences));
  return [...new Map(lists.map((a) => [goQuoteSlice(a), [...a]])).values()];
}

export function claimsOf(actual: Plan, alone: boolean): string[] {
  if (alone) return [OWN_ENVIRONMENT];
  return refusableAudiences(actual).map((a) => `audiences ${goQuoteSlice(a)}`);
}

/**
 * The plans of one environment ready to schedule. With `parallel` 1 nothing is renamed: plans run as written, one
 * after another (the path every run took before `--parallel`).
 */
export function schedulePlans(plans: readonly Plan[], parallel: number): ScheduledPlan[] {
  if (parallel <= 1) return plans.map((plan) => ({ plan, actual: plan, names: [], claims: [OWN_ENVIRONMENT] }));
  const suffixes = suffixesFor(plans.map((p) => p.id));
  return plans.map((plan) => {
    const iso = isolate(plan, suffixes.get(plan.id)!);
    if ('exclusive' in iso) return { plan, actual: plan, names: [], claims: claimsOf(plan, true), alone: iso.exclusive };
    return { plan, actual: iso.plan, names: iso.names, claims: claimsOf(iso.plan, false) };
  });
}

export function conflicts(a: readonly string[], b: readonly string[]): boolean {
  return a.includes(OWN_ENVIRONMENT) || b.includes(OWN_ENVIRONMENT) || a.some((c) => b.includes(c));
}

/**
 * The order to offer plans in: those that run alone first (the environment is theirs before anything starts),
 * then the longest chains of plans sharing a claim (they cannot overlap, so they set the pace), else as written.
 */
export function scheduleOrder<T extends { claims: readonly string[] }>(items: readonly T[]): T[] {
  const load = (t: T) => (t.claims.includes(OWN_ENVIRONMENT) ? Infinity : Math.max(0, ...t.claims.map((c) => items.filter((o) => o.claims.includes(c)).length)));
  return items.map((t, i) => ({ t, i, l: load(t) })).sort((a, b) => b.l - a.l || a.i - b.i).map((x) => x.t);
}

/** The first pending item that conflicts with nothing running, if a slot is free. */
export function pickNext<T extends { claims: readonly string[] }>(pending: readonly T[], running: readonly T[], slots: number): number {
  if (running.length >= slots) return -1;
  return pending.findIndex((p) => running.every((r) => !conflicts(p.claims, r.claims)));
}

/** Runs `items` at most `slots` at a time, never two with a claim in common; resolves when all have run. */
export async function runScheduled<T extends { claims: readonly string[] }>(items: readonly T[], slots: number, run: (item: T) => Promise<void>): Promise<void> {
  const pending = scheduleOrder(items);
  const running = new Map<T, Promise<T>>();
  while (pending.length || running.size) {
    let i: number;
    while ((i = pickNext(pending, [...running.keys()], slots)) >= 0) {
      const item = pending.splice(i, 1)[0]!;
      running.set(item, run(item).then(() => item, () => item));
    }
    running.delete(await Promise.race(running.values()));
  }
}
