import { describe, expect, it } from 'vitest';
import { facts, kubernetesAuth, plan } from '../scenarios/oracle/fixtures.ts';
import { groupByEnvironment, loadPlans } from '../scenarios/plan.ts';
import { claimsOf, conflicts, defaultConcurrency, defaultParallel, OWN_ENVIRONMENT, pickNext, refusableAudiences, runScheduled, scheduleOrder, schedulePlans } from './schedule.ts';

const item = (id: string, claims: string[]) => ({ id, claims });

describe('schedulePlans', () => {
  it('with --parallel 1 runs every plan as written, one after another', () => {
    const plans = [plan({ id: 'a' }), plan({ id: 'b' })];
    const s = schedulePlans(plans, 1);
    expect(s.map((x) => [x.actual === x.plan, x.names, x.claims])).toEqual([
      [true, [], [OWN_ENVIRONMENT]],
      [true, [], [OWN_ENVIRONMENT]],
    ]);
  });

  it('renames each plan apart and claims only the audience lines the API server would log', () => {
    const refused = plan({ id: 'refused', auth: kubernetesAuth({ tokenReviewer: 'client-jwt' }) });
    const accepted = plan({ id: 'accepted', issuer: { audiences: ['https://kubernetes.default.svc.cluster.local'] } });
    const [r, a] = schedulePlans([refused, accepted], 4);
    expect(r!.actual.issuer.name).not.toBe('vault-issuer');
    expect(r!.claims).toEqual([`audiences ["vault://${r!.actual.issuer.namespace}/${r!.actual.issuer.name}"]`]);
    // A token carrying the API audience is accepted: the API server logs no audience line for it.
    expect(a!.claims).toEqual([]);
    expect(conflicts(r!.claims, a!.claims)).toBe(false);
  });

  it('tells tokens with the same written audiences apart by the default audience cert-manager adds', () => {
    const wrong = (id: string) => plan({ id, issuer: { audiences: ['wrong'] } });
    const [x, y] = schedulePlans([wrong('x'), wrong('y')], 4);
    expect(x!.claims).toEqual([`audiences ["wrong" "vault://${x!.actual.issuer.namespace}/${x!.actual.issuer.name}"]`]);
    expect(conflicts(x!.claims, y!.claims)).toBe(false);
  });

  it('makes two plans whose tokens would carry the same audience list take turns', () => {
    const p = plan({ issuer: { audiences: ['wrong'] } });
    expect(claimsOf(p, false)).toHaveLength(1);
    expect(conflicts(claimsOf(p, false), claimsOf({ ...p, id: 'twin' }, false))).toBe(true);
  });

  it('lets a plan that cannot be renamed own the environment', () => {
    const [u] = schedulePlans([plan({ id: 'u', upgrade: { from: 'v1.19.5', to: 'v1.20.3' } })], 4);
    expect(u!.claims).toEqual([OWN_ENVIRONMENT]);
    expect(u!.alone).toMatch(/upgrade/);
    expect(u!.actual).toBe(u!.plan);
  });

  it('lists each refusable audience list once, across the stages of an upgrade too', () => {
    const p = plan({ upgrade: { from: 'v1.19.5', to: 'v1.20.3' } });
    const lists = refusableAudiences(p);
    expect(new Set(lists.map((l) => JSON.stringify(l))).size).toBe(lists.length);
    expect(lists.every((l) => !l.includes(facts(p).apiAudiences[0]!))).toBe(true);
  });
});

describe('pickNext and scheduleOrder', () => {
  it('puts plans that run alone first, then the longest chain of plans sharing a claim', () => {
    const items = [item('free', []), item('w1', ['w']), item('alone', [OWN_ENVIRONMENT]), item('w2', ['w'])];
    expect(scheduleOrder(items).map((i) => i.id)).toEqual(['alone', 'w1', 'w2', 'free']);
  });

  it('fills free slots with plans that conflict with nothing running', () => {
    const pending = [item('w2', ['w']), item('free', [])];
    expect(pickNext(pending, [item('w1', ['w'])], 3)).toBe(1);
    expect(pickNext(pending, [item('w1', ['w']), item('f', [])], 2)).toBe(-1);
    expect(pickNext([item('alone', [OWN_ENVIRONMENT])], [item('f', [])], 4)).toBe(-1);
    expect(pickNext([item('f', [])], [item('alone', [OWN_ENVIRONMENT])], 4)).toBe(-1);
    expect(pickNext([item('alone', [OWN_ENVIRONMENT])], [], 4)).toBe(0);
  });
});

describe('runScheduled', () => {
  it('runs everything, never more than the slots and never two plans with a claim in common at once', async () => {
    const items = [item('a', ['w']), item('b', []), item('c', ['w']), item('d', []), item('e', [OWN_ENVIRONMENT]), item('f', ['v']), item('g', ['v', 'w'])];
    const running = new Set<(typeof items)[number]>();
    const done: string[] = [];
    let peak = 0;
    await runScheduled(items, 3, async (it) => {
      for (const other of running) expect(conflicts(it.claims, other.claims), `${it.id} beside ${other.id}`).toBe(false);
      running.add(it);
      peak = Math.max(peak, running.size);
      await new Promise((r) => setTimeout(r, 5 + (it.id.charCodeAt(0) % 3) * 5));
      running.delete(it);
      done.push(it.id);
    });
    expect(done.sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(3);
  });

  it('goes on after a plan throws', async () => {
    const done: string[] = [];
    await runScheduled([item('bad', []), item('good', [])], 2, async (it) => {
      if (it.id === 'bad') throw new Error('boom');
      done.push(it.id);
    });
    expect(done).toEqual(['good']);
  });

  it('schedules the biggest shipped environment with most plans free to overlap', () => {
    const big = groupByEnvironment(loadPlans()).sort((a, b) => b.plans.length - a.plans.length)[0]!;
    const s = schedulePlans(big.plans, 6);
    const free = s.filter((x) => !x.claims.includes(OWN_ENVIRONMENT));
    expect(free.length).toBe(s.length);
    // Claims are unique per plan unless two tokens share written audiences.
    const names = new Set(s.map((x) => `${x.actual.issuer.namespace}/${x.actual.issuer.name}/${x.actual.auth.mount}`));
    expect(names.size).toBe(s.length);
  });

  it('defaults to a few scenarios per core', () => {
    expect(defaultParallel(2)).toBe(6);
    expect(defaultParallel(1)).toBe(3);
  });
});

describe('defaultConcurrency', () => {
  it('keeps kind at two clusters and an existing cluster at one, and gives the process cluster two more than the cores', () => {
    expect(defaultConcurrency('kind', 8)).toBe(2);
    expect(defaultConcurrency('existing', 8)).toBe(1);
    expect(defaultConcurrency('local', 2)).toBe(4);
  });
});
