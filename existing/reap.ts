/**
 * Reaping what a killed run left on a cluster it did not make (existingRemovers, which the CLI hands to lib/reap.ts):
 * its Helm release first, then every object carrying its run label, namespaced kinds before cluster-scoped ones and
 * its namespaces last (deleting one only starts it: the API server removes its contents, and reaping waits until it
 * has). The cluster is reached again through the kubeconfig and context the run used, and only while that context
 * still names the same API server: a kubeconfig pointed at another cluster since is refused, with the command to run
 * by hand. A cluster made again at that URL (another kube-system uid) is left alone, and so is a release that is no
 * longer the run's own (existing/release-identity.ts).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { HelmCertManager } from '../certmanager/helm-install.ts';
import { Kube, statusCode } from '../lib/kube.ts';
import { RUN_LABEL_KEY, type ClusterRef, type Resource } from '../lib/ledger.ts';
import type { Removers } from '../lib/reap.ts';
import { objectKey } from '../lib/names.ts';
import { clusterObjectOfKey, FINALIZED_KINDS, REAPED_KINDS, waitGone } from './ledger.ts';
import { clusterUid, judgeRelease, seeRelease } from './release-identity.ts';

type ClusterObjects = Extract<Resource, { kind: 'cluster-objects' }>;
type HelmRelease = Extract<Resource, { kind: 'helm-release' }>;

/** What to run by hand when this process cannot reach the cluster as the run did. */
export function byHand(r: ClusterObjects | HelmRelease): string {
  const target = `--kubeconfig ${r.kubeconfig} --context ${r.context}`;
  if (r.kind === 'helm-release') return `helm ${target.replace('--context', '--kube-context')} -n ${r.namespace} uninstall ${r.name}`;
  const kinds = REAPED_KINDS.map((k) => (k.apiVersion.includes('/') ? `${k.kind.toLowerCase()}s.${k.apiVersion.split('/')[0]}` : `${k.kind.toLowerCase()}s`));
  return `kubectl ${target} delete ${kinds.join(',')} -A -l ${RUN_LABEL_KEY}=${r.run}`;
}

/** The run's kubeconfig and context, checked to still name the API server it recorded. */
export function reconnect(r: ClusterRef, fix: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(r.kubeconfig);
  } catch (err) {
    throw new Error(`its kubeconfig ${r.kubeconfig} cannot be read (${(err as Error).message}); run by hand: ${fix}`);
  }
  if (!kc.getContextObject(r.context)) throw new Error(`its kubeconfig ${r.kubeconfig} no longer has context ${r.context}; run by hand: ${fix}`);
  kc.setCurrentContext(r.context);
  const server = kc.getCurrentCluster()?.server;
  if (server !== r.server) throw new Error(`context ${r.context} of ${r.kubeconfig} now names ${server ?? 'no cluster'}, not ${r.server}; run by hand, against that cluster: ${fix}`);
  return kc;
}

/** How reaping reaches a release: tests pass their own. */
export interface ReleaseReaping {
  connect(r: HelmRelease): Pick<Kube, 'read' | 'list'>;
  uninstall(r: HelmRelease): Promise<boolean>;
}

const helmReaping: ReleaseReaping = {
  connect: (r) => new Kube(reconnect(r, byHand(r))),
  uninstall: (r) => HelmCertManager.uninstall({ kubeconfigPath: r.kubeconfig, kubeContext: r.context, helmVersion: r.helmVersion }),
};

/** Uninstalls the run's release only while it is still the run's own (judgeRelease); otherwise says why it stays. */
export async function uninstallHelmRelease(r: HelmRelease, via: ReleaseReaping = helmReaping): Promise<'removed' | 'gone' | { left: string }> {
  const verdict = judgeRelease(r, await seeRelease(via.connect(r), r));
  if (verdict !== 'uninstall') return typeof verdict === 'object' ? { left: `${verdict.left}; if it is the run's after all: ${byHand(r)}` } : verdict;
  return (await via.uninstall(r)) ? 'removed' : 'gone';
}

export async function deleteClusterObjects(r: ClusterObjects): Promise<'removed' | 'gone' | { left: string }> {
  const kube = new Kube(reconnect(r, byHand(r)));
  // the run label is the run's own, but a cluster made again at the same URL is someone else's to look after
  const uid = r.clusterUid ? await clusterUid(kube) : undefined;
  if (r.clusterUid && uid !== r.clusterUid) return { left: `the cluster at ${r.server} is not the one run ${r.run} used (kube-system uid ${uid ?? 'unreadable'}, was ${r.clusterUid})` };
  const labelSelector = `${RUN_LABEL_KEY}=${r.run}`;
  let deleted = 0;
  const finalized: string[] = [];
  for (const k of REAPED_KINDS) {
    const found = await kube.list(k.apiVersion, k.kind, undefined, labelSelector).catch((err: unknown) => {
      // a kind whose CRD is gone (cert-manager's, after its release went) has nothing left to delete: the API
      // server answers 404, or discovery no longer lists the kind (client-node's KubernetesObjectApi)
      if (statusCode(err) === 404 || /Unrecognized API version and kind/.test(String((err as Error)?.message))) return [];
      throw err;
    });
    for (const o of found) {
      const obj = { apiVersion: k.apiVersion, kind: k.kind, metadata: { name: o.metadata!.name!, ...(k.namespaced ? { namespace: o.metadata!.namespace! } : {}) } };
      await kube.delete(obj);
      if (FINALIZED_KINDS.has(k.kind)) finalized.push(objectKey(obj));
      deleted++;
    }
  }
  // a namespace or CRD still terminating would break the next install of the same names: reaped means gone
  const left = await waitGone(kube, finalized, FINALIZED_WAIT_MS);
  if (left.length) throw new Error(`${left.map(clusterObjectOfKey).map((o) => `${o.kind} ${o.name}`).join(', ')} still terminating after ${FINALIZED_WAIT_MS / 1000} s; the next run or \`clean\` tries again, or by hand: ${byHand(r)}`);
  return deleted ? 'removed' : 'gone';
}

const FINALIZED_WAIT_MS = 180_000;

/** This backend's removers, for lib/reap.ts: the CLI hands them in (cli/reaping.ts). */
export const existingRemovers: Pick<Removers, 'uninstallHelmRelease' | 'deleteClusterObjects'> = {
  uninstallHelmRelease,
  deleteClusterObjects,
};
