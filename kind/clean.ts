/**
 * Removes what the kind backend left running: kind clusters named cmve-*, every container carrying the project
 * label (Vault containers, node-image build containers), and the cmve-kind network. Built images stay.
 *
 * `cm-vault-e2e clean` calls it.
 */
import { execa } from 'execa';
import { deleteKindCluster, listKindClusters, removeKindNetworkIfUnused } from './cluster.ts';
import { pinnedVersions } from './images/build.ts';
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

