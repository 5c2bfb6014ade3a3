/**
 * Which Helm release is a run's own. A release is named `cert-manager` in namespace `cert-manager` whoever
 * installs it, and an API server URL may name a cluster made again since (a local cluster on 127.0.0.1:6443), so
 * reaping a killed run's release by name and URL alone would uninstall a user's own cert-manager. The run notes
 * instead the cluster's identity (the uid of its kube-system namespace, which lives as long as the cluster) before
 * it installs, and the release's revision and the uid of that revision's Helm storage Secret once it is installed;
 * reaping uninstalls only what still matches (existing/reap.ts).
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Kube } from '../lib/kube.ts';
import { RUN_LABEL_KEY, type Resource } from '../lib/ledger.ts';

type HelmRelease = Extract<Resource, { kind: 'helm-release' }>;
type Reader = Pick<Kube, 'read' | 'list'>;

/** One revision of a release as Helm's default storage driver keeps it: a Secret labelled owner=helm. */
export interface ReleaseRevision {
  revision: number;
  status: string;
  /** The storage Secret's uid: a revision installed anew (after an uninstall) has another one. */
  uid: string;
}

/** The cluster's identity: its kube-system namespace's uid (undefined when it cannot be read). */
export async function clusterUid(kube: Reader): Promise<string | undefined> {
  return (await kube.read('v1', 'Namespace', 'kube-system'))?.metadata?.uid;
}

/** The release's latest revision, or undefined when there is none (uninstalled, or never made). */
export async function latestRevision(kube: Reader, namespace: string, name: string): Promise<ReleaseRevision | undefined> {
  const secrets = await kube.list<KubernetesObject>('v1', 'Secret', namespace, `owner=helm,name=${name}`);
  const revisions = secrets
    .map((s) => ({ revision: Number(s.metadata?.labels?.version), status: s.metadata?.labels?.status ?? '', uid: s.metadata?.uid ?? '' }))
    .filter((r) => Number.isInteger(r.revision) && r.uid);
  return revisions.sort((a, b) => b.revision - a.revision)[0];
}

/** What reaping sees of a recorded release now. */
export interface SeenRelease {
  clusterUid?: string;
  latest?: ReleaseRevision;
  /** The run label on the release's namespace, when it carries one (the run made the namespace). */
  namespaceRun?: string;
}

export async function seeRelease(kube: Reader, r: HelmRelease): Promise<SeenRelease> {
  const [uid, latest, ns] = await Promise.all([clusterUid(kube), latestRevision(kube, r.namespace, r.name), kube.read('v1', 'Namespace', r.namespace)]);
  const namespaceRun = ns?.metadata?.labels?.[RUN_LABEL_KEY];
  return { ...(uid ? { clusterUid: uid } : {}), ...(latest ? { latest } : {}), ...(namespaceRun ? { namespaceRun } : {}) };
}

/**
 * Whether the release `r` records is what is there now: 'uninstall' when it is the run's own, 'gone' when no
 * release is there, else why it stays. Without a noted revision (the run was killed while installing) the
 * release counts as the run's only in a namespace the run made (its run label): a namespace reaping deletes anyway.
 */
export function judgeRelease(r: HelmRelease, seen: SeenRelease): 'uninstall' | 'gone' | { left: string } {
  const run = r.run ?? 'that made it';
  if (!r.clusterUid) return { left: `run ${run} noted no identity of its cluster or release (a suite before it did not), so it cannot tell its own from one installed since` };
  if (seen.clusterUid !== r.clusterUid) return { left: `the cluster at ${r.server} is not the one run ${run} used (kube-system uid ${seen.clusterUid ?? 'unreadable'}, was ${r.clusterUid}): made again since?` };
  if (!seen.latest) return 'gone';
  if (r.revision !== undefined && r.releaseUid !== undefined) {
    if (seen.latest.revision === r.revision && seen.latest.uid === r.releaseUid) return 'uninstall';
    const how = seen.latest.uid !== r.releaseUid && seen.latest.revision <= r.revision ? 'installed anew since' : 'upgraded since';
    return { left: `it is not the revision run ${run} installed (revision ${seen.latest.revision} ${seen.latest.status} now, the run's was ${r.revision}): ${how}, by someone else` };
  }
  if (r.run && seen.namespaceRun === r.run) return 'uninstall';
  return { left: `run ${run} was stopped while installing it, before noting which revision was its own, and namespace ${r.namespace} is not one it made: revision ${seen.latest.revision} (${seen.latest.status}) may be someone else's` };
}
