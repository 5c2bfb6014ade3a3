/**
 * What a kind cluster's node image is stocked with (kind/images/stocked.ts): the images the environments sharing the
 * cluster will run (runner/cluster-handoff.ts servedBy): each pinned cert-manager release's three, and each
 * in-cluster Vault's.
 */
import { EnvironmentError } from '../lib/errors.ts';
import { binaryPath, vaultBinary } from '../provision/artifacts.ts';
import type { ClusterServes } from '../runner/cluster-handoff.ts';
import type { EnvironmentSpec } from '../runner/environment-spec.ts';
import { CERT_MANAGER_COMPONENTS, imageSpec } from './certmanager.ts';
import { debianMirrorOf, ensureExtraImage } from './images/build.ts';
import type { Logger } from './images/common.ts';
import { ensureStockedNodeImage, type StockedNodeImage } from './images/stocked.ts';
import { vaultImageSpec } from './images/vault-image.ts';

/**
 * Fewer loads than this and the node image is used as it is: one `kind load` against one /var copy of the same
 * bytes saves nothing, and the stocked image would cost a build.
 */
export const MIN_LOADS_TO_STOCK = 2;

/**
 * The node image to make the cluster of `spec` from, and what it holds beyond kubeadm's images: `nodeImage` as it
 * is unless the cluster is shared (`serves`, from the run's cluster handoff) by enough to stock, and stocking is on.
 */
export async function nodeImageFor(spec: EnvironmentSpec, serves: ClusterServes | undefined, nodeImage: string, log: Logger): Promise<StockedNodeImage> {
  const plain = { image: nodeImage, stock: new Map() };
  if (!serves || spec.kind.stockNodes === false || serves.certManager.length + serves.inClusterVaults.length < MIN_LOADS_TO_STOCK) return plain;
  const source = { policy: spec.source, ...debianMirrorOf(spec.kind) };
  // An image that cannot be made now (its release not provisioned) is left out: its environment loads it, or says why not.
  const made = async (what: string, make: () => Promise<string[]>) => make().catch((err: unknown) => {
    log(`image: not stocking ${what}: ${err instanceof EnvironmentError ? err.problem : String(err)}; loaded when its environment starts`);
    return [] as string[];
  });
  const releases = serves.certManager.map((version) => made(`cert-manager ${version}`, () =>
    Promise.all(CERT_MANAGER_COMPONENTS.map(async (c) => (await ensureExtraImage(imageSpec(c, version, await binaryPath('cert-manager-controller', version, `cert-manager-${c}`)), log, source)).ref)),
  ));
  const vaults = serves.inClusterVaults.map((v) => made(`${v.engine} ${v.version}`, async () => [(await ensureExtraImage(vaultImageSpec(v.engine, v.version, await vaultBinary(v.engine, v.version)), log, source)).ref]));
  const refs = (await Promise.all([...releases, ...vaults])).flat();
  if (!refs.length) return plain;
  return ensureStockedNodeImage({ nodeImage, kubernetesVersion: spec.kubernetes, refs, log });
}
