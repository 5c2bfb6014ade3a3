import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Kube } from '../lib/kube.ts';
import { ClusterHandoff } from './cluster-handoff.ts';
import { handOn, handOnRunning, mayHandOn, mayHandOnRunning, takeHanded, type HandedCluster, type RunningRelease } from './handover.ts';
import type { Baseline } from './reset.ts';

/** An API server's objects by kind, listed and deleted as runner/reset.ts and certmanager/crds.ts do. */
function fakeKube(objects: Record<string, KubernetesObject[]>): Kube {
  return {
    objects: { list: async (_apiVersion: string, kind: string) => ({ items: objects[kind] ?? [] }) },
    delete: async (o: KubernetesObject) => {
      objects[o.kind!] = (objects[o.kind!] ?? []).filter((x) => x.metadata?.name !== o.metadata?.name);
    },
  } as unknown as Kube;
}

const bare: Baseline = { namespaces: ['default', 'kube-system'], objects: [], extraNamespaces: 'delete' };
const ns = (name: string) => ({ metadata: { name } });
const crd = { metadata: { name: 'issuers.cert-manager.io' }, spec: { group: 'cert-manager.io' } };

function cluster(kube: Kube, events: string[]): HandedCluster<string> {
  return { cluster: 'c1', kube, bare, label: 'kind cluster c1', stop: async () => void events.push('stopped') };
}

describe('handOn', () => {
  it('gives the cluster on when the uninstall removed everything and the reset leaves nothing', async () => {
    const objects = { Namespace: [ns('default'), ns('kube-system'), ns('scenario-a')] };
    const kube = fakeKube(objects);
    const events: string[] = [];
    const to = new ClusterHandoff(['k', 'k']);
    to.take('k');
    await handOn({ to, key: 'k', bare, release: 'r' }, cluster(kube, events), async () => [], (l) => events.push(l));
    expect(objects.Namespace.map((n) => n.metadata.name)).toEqual(['default', 'kube-system']); // the scenario's namespace went
    expect(to.idleCount('k')).toBe(1);
    expect(events).toEqual([]);
    // the next environment says how long the reset took, and how much of it the uninstall
    await takeHanded<string>(to, 'k', (l) => events.push(l));
    expect(events).toEqual([expect.stringMatching(/^kind cluster c1 handed on clean after a \d+(\.\d)?s reset, \d+(\.\d)?s of it the uninstall \(no cert-manager CRD, nothing beyond its bare state\)$/)]);
  });

  it('stops the cluster, saying what was left, when the uninstall could not remove everything', async () => {
    const events: string[] = [];
    const to = new ClusterHandoff(['k', 'k']);
    to.take('k');
    await handOn({ to, key: 'k', bare, release: 'r' }, cluster(fakeKube({ Namespace: [ns('default'), ns('kube-system')] }), events), async () => ['CustomResourceDefinition orders.acme.cert-manager.io'], (l) => events.push(l));
    expect(to.idleCount('k')).toBe(0);
    expect(events).toEqual(['kind cluster c1 not handed on (CustomResourceDefinition orders.acme.cert-manager.io); stopping it', 'stopped']);
  });

  it('stops the cluster when the uninstall fails', async () => {
    const events: string[] = [];
    const to = new ClusterHandoff(['k', 'k']);
    to.take('k');
    await handOn({ to, key: 'k', bare, release: 'r' }, cluster(fakeKube({}), events), async () => Promise.reject(new Error('helm uninstall failed')), (l) => events.push(l));
    expect(events).toEqual(['kind cluster c1 not handed on (the reset failed: helm uninstall failed); stopping it', 'stopped']);
  });
});

describe('takeHanded', () => {
  it('answers a handed cluster that is still clean', async () => {
    const events: string[] = [];
    const to = new ClusterHandoff(['k', 'k']);
    to.take('k');
    await to.give('k', cluster(fakeKube({ Namespace: [ns('default'), ns('kube-system')] }), events));
    expect((await takeHanded<string>(to, 'k', (l) => events.push(l)))?.cluster).toBe('c1');
    expect(events).toEqual(['kind cluster c1 handed on clean (no cert-manager CRD, nothing beyond its bare state)']);
  });

  it('stops a handed cluster that holds a cert-manager CRD again, and answers none', async () => {
    const events: string[] = [];
    const objects: Record<string, KubernetesObject[]> = { Namespace: [ns('default'), ns('kube-system')] };
    const to = new ClusterHandoff(['k', 'k']);
    to.take('k');
    await to.give('k', cluster(fakeKube(objects), events));
    objects.CustomResourceDefinition = [crd];
    expect(await takeHanded<string>(to, 'k', (l) => events.push(l))).toBeUndefined();
    expect(events).toEqual(['kind cluster c1 handed on not clean (CustomResourceDefinition issuers.cert-manager.io); stopping it, starting another', 'stopped']);
  });

  it('answers none when no cluster is idle', async () => {
    expect(await takeHanded(new ClusterHandoff(['k']), 'k', () => undefined)).toBeUndefined();
  });
});

describe('mayHandOn', () => {
  it('is true only while an environment not yet started could take the cluster, and stays false once false', async () => {
    const to = new ClusterHandoff(['k', 'k', 'j']);
    expect(mayHandOn(undefined)).toBe(false);
    to.take('j');
    expect(mayHandOn({ to, key: 'j' })).toBe(false); // the only environment of j: no baseline worth taking
    to.take('k');
    expect(mayHandOn({ to, key: 'k' })).toBe(true);
    to.take('k'); // the second k started too, on a cluster of its own
    expect(mayHandOn({ to, key: 'k' })).toBe(false);
    await to.give('k', cluster(fakeKube({}), []));
    expect(mayHandOn({ to, key: 'k' })).toBe(false);
  });
});

describe('handOnRunning', () => {
  const images = { controller: 'c:v1', webhook: 'w:v1', cainjector: 'i:v1' };
  const installed: Baseline = { namespaces: ['cert-manager', 'default', 'kube-system'], objects: ['cert-manager/Secret/cert-manager-webhook-ca'], extraNamespaces: 'delete' };
  const running: RunningRelease = { release: 'r1', installed, version: 'v1.14.7', images, by: 'env-a' };
  const secret = (namespace: string, name: string) => ({ metadata: { namespace, name } });

  it('resets to the state right after the install, keeps cert-manager, and gives the cluster only to an environment starting with that release', async () => {
    const objects: Record<string, KubernetesObject[]> = {
      Namespace: [ns('cert-manager'), ns('default'), ns('kube-system'), ns('scenario-a')],
      Secret: [secret('cert-manager', 'cert-manager-webhook-ca'), secret('default', 'scenario-token')],
    };
    const kube = fakeKube(objects);
    const events: string[] = [];
    const to = new ClusterHandoff(['k', 'k', 'k'], ['r1', 'r2', 'r1']);
    to.take('k', 'r1');
    expect(mayHandOnRunning({ to, key: 'k', release: 'r1' })).toBe(true);
    let uninstalled = false;
    await handOnRunning({ to, key: 'k', bare, release: 'r1' }, cluster(kube, events), running, async () => void (uninstalled = true));
    expect(uninstalled).toBe(false);
    expect(objects.Namespace!.map((n) => n.metadata?.name)).toEqual(['cert-manager', 'default', 'kube-system']);
    expect(objects.Secret!.map((n) => n.metadata?.name)).toEqual(['cert-manager-webhook-ca']);
    expect(await takeHanded<string>(to, 'k', (l) => events.push(l), 'r2')).toBeUndefined(); // not for another release
    const taken = await takeHanded<string>(to, 'k', (l) => events.push(l), 'r1');
    expect(taken?.running).toEqual(running);
    expect(taken?.bare).toEqual(bare); // still what its next handover resets to
    expect(events).toEqual([expect.stringMatching(/^kind cluster c1 handed on with cert-manager v1\.14\.7 running, after a \d+(\.\d)?s reset \(nothing beyond its state right after the install\)$/)]);
  });

  it('hands on bare (the uninstall path) when the reset leaves something', async () => {
    const kube = fakeKube({ Namespace: [ns('cert-manager'), ns('default'), ns('kube-system')] });
    // a Secret that deleting does not remove (a finalizer, say)
    (kube as unknown as { objects: { list: (a: string, k: string) => Promise<{ items: KubernetesObject[] }> } }).objects.list = async (_a, kind) => ({ items: kind === 'Namespace' ? [ns('cert-manager'), ns('default'), ns('kube-system')] : kind === 'Secret' ? [secret('default', 'stuck')] : [] });
    (kube as unknown as { delete: () => Promise<void> }).delete = async () => {};
    const to = new ClusterHandoff(['k', 'k'], ['r1', 'r1']);
    to.take('k', 'r1');
    let uninstalled = false;
    await handOnRunning({ to, key: 'k', bare, release: 'r1' }, cluster(kube, []), running, async () => void (uninstalled = true), 600);
    expect(uninstalled).toBe(true);
    expect(to.idleCount('k')).toBe(0);
  });

  it('a cluster handed on running that holds more than the state after the install is stopped, not taken', async () => {
    const objects: Record<string, KubernetesObject[]> = { Namespace: [ns('cert-manager'), ns('default'), ns('kube-system')], Secret: [secret('cert-manager', 'cert-manager-webhook-ca')] };
    const events: string[] = [];
    const to = new ClusterHandoff(['k', 'k'], ['r1', 'r1']);
    to.take('k', 'r1');
    await handOnRunning({ to, key: 'k', bare, release: 'r1' }, cluster(fakeKube(objects), events), running, async () => {});
    objects.Namespace!.push(ns('late'));
    expect(await takeHanded<string>(to, 'k', (l) => events.push(l), 'r1')).toBeUndefined();
    expect(events).toEqual(['kind cluster c1 handed on with cert-manager v1.14.7 running, not clean (Namespace late); stopping it, starting another', 'stopped']);
  });
});
