import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { EnvironmentError } from '../lib/errors.ts';
import { claimNamespace, deleteOwnNamespace, ensureOwnNamespace, isOwnNamespace, type NamespaceCalls } from './namespace-claim.ts';
import { runLabelled } from './ledger.ts';

const ns = (name: string, labels?: Record<string, string>): KubernetesObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(labels ? { labels } : {}) } });
const MANAGED = { 'app.kubernetes.io/managed-by': 'cm-vault-e2e' };
const ofRun = (run: string) => ({ ...MANAGED, 'io.cm-vault-e2e.run': run });

/** A cluster's namespaces: create refuses a taken name with 409, as the API server does. */
function fakeCluster(initial: KubernetesObject[]) {
  const all = new Map(initial.map((o) => [o.metadata!.name!, o]));
  const writes: string[] = [];
  const calls: NamespaceCalls = {
    create: async (o) => {
      if (all.has(o.metadata!.name!)) throw Object.assign(new Error('AlreadyExists'), { code: 409 });
      writes.push(`create ${o.metadata!.name}`);
      all.set(o.metadata!.name!, o);
    },
    read: async (name) => all.get(name),
    delete: async (name) => {
      writes.push(`delete ${name}`);
      all.delete(name);
    },
  };
  return { calls, writes, all };
}

describe('namespaces on an existing cluster: created only if absent, deleted only when this run made them (issue 29 finding 10)', () => {
  it("counts a namespace as this run's only by its own run label, not by the suite's managed-by label", () => {
    expect(isOwnNamespace(ns('a', ofRun('rmine1')), 'rmine1')).toBe(true);
    expect(isOwnNamespace(ns('a', ofRun('rother')), 'rmine1')).toBe(false);
    expect(isOwnNamespace(ns('a', MANAGED), 'rmine1')).toBe(false);
    expect(isOwnNamespace(ns('a'), 'rmine1')).toBe(false);
    expect(isOwnNamespace(undefined, 'rmine1')).toBe(false);
  });

  it("refuses another run's namespace, one labelled by hand, and a person's, each saying whose and what to do", () => {
    expect(claimNamespace('team-a', undefined, 'rmine1')).toEqual({ claim: 'create' });
    expect(claimNamespace('team-a', ns('team-a', ofRun('rmine1')), 'rmine1')).toEqual({ claim: 'ours' });
    const other = claimNamespace('team-a', ns('team-a', ofRun('rother')), 'rmine1');
    expect(other.claim === 'refused' && other.error.format()).toBe(
      'error: namespace team-a: exists and belongs to run rother (label io.cm-vault-e2e.run=rother), not to this run rmine1\n' +
        '  do: let run rother finish (it removes its namespaces), or if it was killed: `npx cm-vault-e2e clean` (or `kubectl delete ns team-a` once you know it is no one\'s)',
    );
    const byHand = claimNamespace('team-a', ns('team-a', MANAGED), 'rmine1');
    expect(byHand.claim === 'refused' && byHand.error.problem).toMatch(/managed-by label but no run's label/);
    const persons = claimNamespace('team-a', ns('team-a'), 'rmine1');
    expect(persons.claim === 'refused' && persons.error.problem).toBe("exists and is not this suite's");
  });

  it("creates an absent namespace, and neither writes nor deletes another run's", async () => {
    const cluster = fakeCluster([ns('team-b', ofRun('rother'))]);
    expect(await ensureOwnNamespace(cluster.calls, runLabelled(ns('team-a'), 'rmine1'), 'rmine1')).toBe('created');
    expect(await ensureOwnNamespace(cluster.calls, runLabelled(ns('team-a'), 'rmine1'), 'rmine1')).toBe('ours');
    await expect(ensureOwnNamespace(cluster.calls, runLabelled(ns('team-b'), 'rmine1'), 'rmine1')).rejects.toBeInstanceOf(EnvironmentError);
    expect(cluster.all.get('team-b')?.metadata?.labels).toEqual(ofRun('rother'));

    // at the run's end: its own namespace goes, the other run's stays
    expect(await deleteOwnNamespace(cluster.calls, 'team-a', 'rmine1')).toBe(true);
    expect(await deleteOwnNamespace(cluster.calls, 'team-b', 'rmine1')).toBe(false);
    expect(cluster.writes).toEqual(['create team-a', 'delete team-a']);
    expect([...cluster.all.keys()]).toEqual(['team-b']);
  });
});
