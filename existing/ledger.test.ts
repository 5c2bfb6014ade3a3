import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Kube } from '../lib/kube.ts';
import { inClusterObjects } from '../vault/placements/in-cluster.ts';
import { Cleaner } from '../lib/cleaner.ts';
import { objectKey, withManagedLabel } from '../lib/names.ts';
import { clusterObjectOfKey, runLabelled, waitGone } from './ledger.ts';

describe('the ledger of what this backend made', () => {
  it('undoes newest first, keeps a re-applied object at its first place, and goes on past a failure', async () => {
    const done: string[] = [];
    const l = new Cleaner();
    for (const k of ['ns', 'crd', 'helm', 'crd', 'vault']) l.add(k, async () => void done.push(k));
    l.add('broken', async () => {
      throw new Error('gone wrong');
    });
    l.forget('vault');
    expect(await l.unwind()).toEqual(['broken: gone wrong']);
    expect(done).toEqual(['helm', 'crd', 'ns']);
    expect(l.keys).toEqual([]);
  });

  it('labels what it makes with the run too, and refuses a kind reaping would not look for', () => {
    const sa = runLabelled({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'x', namespace: 'team-a', labels: { a: 'b' } } }, 'rabcde');
    expect(sa.metadata!.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cm-vault-e2e', 'io.cm-vault-e2e.run': 'rabcde', a: 'b' });
    expect(() => runLabelled({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'team-a' } }, 'rabcde')).toThrow(/v1 ConfigMap is not in REAPED_KINDS/);
  });

  it('labels every object managed-by cm-vault-e2e, keeping its own labels', () => {
    const o = withManagedLabel({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'x', namespace: 'team-a', labels: { a: 'b' } } });
    expect(o.metadata!.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cm-vault-e2e', a: 'b' });
    expect(objectKey(o)).toBe('v1/ServiceAccount/team-a/x');
  });
});

describe('in-cluster Vault on a cluster this host reaches only through the API server', () => {
  const objs = inClusterObjects({ namespace: 'vault-vault-v1-21-0', image: 'hashicorp/vault:1.21.0', engine: 'vault', tls: {}, rootToken: 't', serviceType: 'ClusterIP', imagePullPolicy: 'IfNotPresent' });
  it('a ClusterIP Service, a pullable image, every object labelled', () => {
    const byKind = (k: string) => objs.find((o) => o.kind === k) as any;
    expect(byKind('Service').spec.type).toBe('ClusterIP');
    expect(byKind('Deployment').spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    for (const o of objs) expect(o.metadata?.labels?.['app.kubernetes.io/managed-by'], o.kind).toBe('cm-vault-e2e');
  });
});

describe('a cluster-scoped key read back', () => {
  it('keeps a grouped apiVersion whole', () => {
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'orders.acme.cert-manager.io' } };
    expect(clusterObjectOfKey(objectKey(crd))).toEqual({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'orders.acme.cert-manager.io' });
    expect(clusterObjectOfKey(objectKey({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } }))).toEqual({ apiVersion: 'v1', kind: 'Namespace', name: 'team-a' });
  });
});

describe('waiting for deleted namespaces and CRDs to be gone', () => {
  const CRD = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'orders.acme.cert-manager.io' } };
  const NS = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } };

  /**
   * A CRD whose finalizer failed on `storage is (re)initializing` and backs off: it goes only once something
   * changes it (an annotation queues it again, as the API server's CRD finalizer does); the namespace goes after
   * `namespaceReads` reads.
   */
  function stuckCrdKube(namespaceReads: number) {
    const annotated: string[] = [];
    let reads = 0;
    const kube = {
      read: async (_apiVersion: string, kind: string, name: string) => {
        if (kind === 'Namespace') return ++reads > namespaceReads ? undefined : NS;
        if (annotated.includes(name)) return undefined;
        return { ...CRD, status: { conditions: [{ type: 'Terminating', status: 'True', reason: 'InstanceDeletionFailed', message: 'could not list instances: storage is (re)initializing' }] } };
      },
      annotate: async (o: KubernetesObject) => {
        annotated.push(o.metadata!.name!);
      },
    } as unknown as Kube;
    return { kube, annotated };
  }

  it('queues a CRD stuck in InstanceDeletionFailed again, and waits for the namespace too', async () => {
    const { kube, annotated } = stuckCrdKube(2);
    expect(await waitGone(kube, [objectKey(CRD), objectKey(NS)], 10_000)).toEqual([]);
    expect(annotated).toEqual(['orders.acme.cert-manager.io']);
  });

  it('answers what is still there at the deadline', async () => {
    const { kube } = stuckCrdKube(Number.POSITIVE_INFINITY);
    expect(await waitGone(kube, [objectKey(NS)], 1_200)).toEqual([objectKey(NS)]);
  });
});
