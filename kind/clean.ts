/**
 * Removes everything of the kind backend, whoever made it: kind clusters named cmve-*, every container carrying
 * the project label (Vault containers, node-image build containers), and the cmve-kind network. Built images stay.
 *
 * `cm-vault-e2e clean --all` calls it; runs reap what dead runs left on their own (lib/reap.ts).
 */
import { execa } from 'execa';
import { deleteKindCluster, listKindClusters, removeKindNetworkIfUnused } from './cluster.ts';
import { pinnedVersions } from './images/build.ts';
import { RUN_ID_IN_NAME } from '../lib/run-identity.ts';
import { RUN_LABEL_KEY } from '../lib/ledger.ts';
import { KIND_CLUSTER_LABEL } from '../lib/reap.ts';
import { dockerMaybe, PROJECT_LABEL } from './images/common.ts';

export interface KindCleanResult {
  clusters: string[];
  containers: string[];
  network: boolean;
}

export async function cleanKind(kindVersion: string = pinnedVersions().kind): Promise<KindCleanResult> {
  const clusters = (await listKindClusters(kindVersion).catch(() => [] as string[])).filter((c) => c.startsWith('cmve-'));
  for (const c of clusters) await deleteKindCluster(c, kindVersion);
  const ids = ((await dockerMaybe(['ps', '-aq', '--filter', `label=${PROJECT_LABEL}`])) ?? '').split('\n').filter(Boolean);
  const containers: string[] = [];
  for (const id of ids) {
    const name = (await dockerMaybe(['inspect', '--format', '{{.Name}}', id]))?.replace(/^\//, '') ?? id;
    if ((await execa('docker', ['rm', '-f', id], { reject: false })).exitCode === 0) containers.push(name);
  }
  const network = await removeKindNetworkIfUnused();
  return { clusters, containers, network };
}


/**
 * cmve-* kind clusters and labelled containers no run of this checkout recorded: clusters without a run id or
 * `kept` in their name, containers without a run label (made by an older suite, or by hand).
 */
export async function unrecordedKind(): Promise<string[]> {
  const clusters = ((await dockerMaybe(['ps', '-a', '--filter', `label=${KIND_CLUSTER_LABEL}`, '--format', `{{.Label "${KIND_CLUSTER_LABEL}"}}`])) ?? '').split('\n');
  const containers = ((await dockerMaybe(['ps', '-a', '--filter', `label=${PROJECT_LABEL}`, '--format', `{{.Names}}\t{{.Label "${RUN_LABEL_KEY}"}}\t{{.Label "${KIND_CLUSTER_LABEL}"}}`])) ?? '').split('\n');
  const unrecordedClusters = [...new Set(clusters.filter((c) => c.startsWith('cmve-') && !RUN_ID_IN_NAME.test(c) && !c.endsWith('-kept')))];
  const unrecordedContainers = containers.map((l) => l.split('\t')).filter(([name, run, node]) => name && !run && !node).map(([name]) => name!);
  return [...unrecordedClusters.map((c) => `kind cluster ${c}`), ...unrecordedContainers.map((c) => `container ${c}`)];
}
