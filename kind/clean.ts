/**
 * What `cm-vault-e2e clean` leaves of the kind backend and says so: kind clusters named cmve-* and labelled
 * containers that no ledger in this cache's runs dir records. They may be another checkout's runs in progress on
 * the same Docker daemon (or kept environments), so clean never removes by name pattern alone; runs reap what
 * their own dead runs left (lib/reap.ts).
 */
import { RUN_ID_IN_NAME } from '../lib/run-identity.ts';
import { RUN_LABEL_KEY } from '../lib/ledger.ts';
import { KIND_CLUSTER_LABEL } from '../lib/reap.ts';
import { dockerMaybe, PROJECT_LABEL } from './images/common.ts';

export interface Unrecorded {
  /** `kind cluster cmve-…`, `container …`, each with why. */
  what: string;
  /** The command that removes it, for whoever knows it is theirs. */
  byHand: string;
}

/**
 * Of the cmve-* kind clusters and labelled containers on the daemon: those no run recorded in this cache names —
 * clusters with no run id in their name (made by an older suite or by hand; a `-kept` one is a kept
 * environment's), clusters of a run with no ledger here, containers without a run label (a kind node goes with
 * its cluster). Containers with a run label are reaping's to judge (lib/reap.ts sortContainers).
 */
export function unrecorded(clusters: string[], containers: Array<{ name: string; run: string; node: string }>, recorded: Set<string>): Unrecorded[] {
  const out: Unrecorded[] = [];
  for (const c of [...new Set(clusters)].filter((n) => n.startsWith('cmve-'))) {
    const run = RUN_ID_IN_NAME.exec(c)?.[1];
    if (run && recorded.has(run)) continue;
    if (!run && c.endsWith('-kept')) continue;
    out.push({ what: `kind cluster ${c} (${run ? `run ${run}, recorded by no ledger in this cache: another checkout's` : 'no run id in its name: made by hand or by an older suite'})`, byHand: `kind delete cluster --name ${c}` });
  }
  for (const c of containers.filter((x) => x.name && !x.run && !x.node)) out.push({ what: `container ${c.name} (no run label)`, byHand: `docker rm -f ${c.name}` });
  return out;
}

/** unrecorded() of what the Docker daemon holds now. */
export async function unrecordedKind(recorded: Set<string>): Promise<Unrecorded[]> {
  const clusters = ((await dockerMaybe(['ps', '-a', '--filter', `label=${KIND_CLUSTER_LABEL}`, '--format', `{{.Label "${KIND_CLUSTER_LABEL}"}}`])) ?? '').split('\n');
  const containers = ((await dockerMaybe(['ps', '-a', '--filter', `label=${PROJECT_LABEL}`, '--format', `{{.Names}}\t{{.Label "${RUN_LABEL_KEY}"}}\t{{.Label "${KIND_CLUSTER_LABEL}"}}`])) ?? '').split('\n');
  return unrecorded(clusters, containers.filter(Boolean).map((l) => l.split('\t')).map(([name, run, node]) => ({ name: name ?? '', run: run ?? '', node: node ?? '' })), recorded);
}
