/**
 * A node image stocked with the images the environments sharing one cluster will run: every cert-manager release
 * and in-cluster Vault of the run on that cluster, imported into the node's containerd as the node image's own
 * kubeadm images are (pinned, not unpacked). kind gives each node a /var volume filled from its image, so a cluster
 * made from it starts with them, and no environment copies them in (`kind load docker-image`: a `docker save`
 * streamed through `docker exec` into `ctr import`, once per release per cluster, in the middle of the run).
 *
 * One build per node image and set of images (by their Docker image IDs), kept in Docker only: it is rebuilt from
 * the images in Docker when missing. One made for a larger set serves as it is while it holds at most twice the
 * images asked for (each cluster's /var copy grows with what the image holds); a new one replaces those it would
 * serve.
 */
import pLimit from 'p-limit';
import { EnvironmentError } from '../../lib/errors.ts';
import { secondsSince } from '../../lib/wait.ts';
import { COMMIT_CHANGES, CTR_IMPORT, inBuildContainer, listedIn } from './build-container.ts';
import { dockerMaybe, imageId, keyOf, RECIPE_REVISION, stderrLogger, type Logger } from './common.ts';

export const STOCKED_REPOSITORY = 'cm-vault-e2e/kind-node-stocked';
/** The node image's Docker ID a stocked image was made from. */
export const STOCK_BASE_LABEL_KEY = 'io.cm-vault-e2e.stock-base';
/** What it holds: `<reference>@<Docker image ID>`, space-separated, sorted. */
export const STOCK_LABEL_KEY = 'io.cm-vault-e2e.stock';

/** Images by reference, each with the Docker image ID it had when stocked. */
export type Stock = ReadonlyMap<string, string>;

export interface StockedNodeImage {
  /** The image to make the cluster's node from. */
  image: string;
  stock: Stock;
}

export const formatStock = (stock: Stock): string => [...stock].map(([ref, id]) => `${ref}@${id}`).sort().join(' ');

export function parseStock(label: string | undefined): Stock {
  const entries = (label ?? '').split(' ').filter(Boolean).flatMap((e) => {
    const at = e.lastIndexOf('@sha256:');
    return at > 0 ? [[e.slice(0, at), e.slice(at + 1)] as const] : [];
  });
  return new Map(entries);
}

/** Whether `held` has every image of `wanted`, each at the same ID. */
export const holdsAll = (held: Stock, wanted: Stock): boolean => [...wanted].every(([ref, id]) => held.get(ref) === id);

/** Whether a node stocked with `held` does for `wanted`: it holds them all, and not more than as many again. */
export const servesFor = (held: Stock, wanted: Stock): boolean => holdsAll(held, wanted) && held.size <= 2 * wanted.size;

/** Which of the stocked images `candidates` (the node image's) to use for `wanted`: the smallest that does, or undefined. */
export function pickStocked<T extends { stock: Stock }>(candidates: readonly T[], wanted: Stock): T | undefined {
  return candidates.filter((c) => servesFor(c.stock, wanted)).sort((a, b) => a.stock.size - b.stock.size)[0];
}

/**
 * Which stocked images of a node image go once `current` is made: those of another node image, those holding an
 * image whose reference now names another ID in Docker (`idOf`), and those `current` does for.
 */
export function staleStocked<T extends { image: string; base: string; stock: Stock }>(all: readonly T[], current: { image: string; base: string; stock: Stock }, idOf: (ref: string) => string | undefined): T[] {
  return all.filter((s) => {
    if (s.image === current.image) return false;
    if (s.base !== current.base) return true;
    if ([...s.stock].some(([ref, id]) => { const now = idOf(ref); return now !== undefined && now !== id; })) return true;
    return servesFor(current.stock, s.stock);
  });
}

/** Images of one process are stocked one at a time: two environments of one cluster key ask for the same. */
const oneStockAtATime = pLimit(1);

/** The node image `nodeImage` stocked with `refs` (all present in Docker). */
export function ensureStockedNodeImage(o: { nodeImage: string; kubernetesVersion: string; refs: readonly string[]; log?: Logger }): Promise<StockedNodeImage> {
  return oneStockAtATime(() => stock(o));
}

async function stock(o: { nodeImage: string; kubernetesVersion: string; refs: readonly string[]; log?: Logger }): Promise<StockedNodeImage> {
  const started = Date.now();
  const log = o.log ?? stderrLogger;
  const base = await imageId(o.nodeImage);
  if (!base) throw new EnvironmentError(`node image ${o.nodeImage}`, 'is not in Docker', 'run `npx cm-vault-e2e provision --for kind`');
  const ids = await Promise.all(o.refs.map(async (ref) => [ref, await imageId(ref)] as const));
  const absent = ids.filter(([, id]) => !id).map(([ref]) => ref);
  if (absent.length) throw new EnvironmentError(`stocking ${o.nodeImage}`, `${absent.join(', ')} not in Docker`, 'the images are made before the node is stocked; run `npx cm-vault-e2e doctor`');
  const wanted: Stock = new Map(ids.map(([ref, id]) => [ref, id!]));
  const existing = await stockedImages();
  const found = pickStocked(existing.filter((s) => s.base === base), wanted);
  if (found) return { image: found.image, stock: found.stock };

  const image = `${STOCKED_REPOSITORY}:${o.kubernetesVersion}-${keyOf({ base, stock: formatStock(wanted), import: CTR_IMPORT, commit: COMMIT_CHANGES, revision: RECIPE_REVISION })}`;
  log(`image: stocking ${o.nodeImage} with ${wanted.size} images as ${image}`);
  await inBuildContainer(o.nodeImage, async (c) => {
    await c.startContainerd();
    await c.importImages(`${wanted.size} images`, { dockerImages: [...wanted.keys()] });
    const listed = await c.listImages();
    const missing = [...wanted.keys()].filter((ref) => !listedIn(listed, ref));
    if (missing.length) throw new EnvironmentError(`stocking ${o.nodeImage}`, `containerd lacks ${missing.join(', ')} after import`, 'read the listing below', listed);
    await c.stopContainerd();
    await c.commit(image, { [STOCK_BASE_LABEL_KEY]: base, [STOCK_LABEL_KEY]: formatStock(wanted) });
  });
  const current = { image, base, stock: wanted };
  const idNow = new Map(await Promise.all(existing.flatMap((s) => [...s.stock.keys()]).map(async (ref) => [ref, await imageId(ref)] as const)));
  for (const s of staleStocked(existing.filter((e) => e.image.startsWith(`${STOCKED_REPOSITORY}:${o.kubernetesVersion}-`)), current, (ref) => idNow.get(ref))) {
    // one a cluster still runs on stays (Docker refuses), and goes with a later build
    if ((await dockerMaybe(['rmi', s.image])) !== undefined) log(`prune: image ${s.image}`);
  }
  log(`image: ${image} in ${secondsSince(started)}s`);
  return { image, stock: wanted };
}

/** Every stocked node image in Docker, newest first, with what it holds. */
async function stockedImages(): Promise<Array<{ image: string; base: string; stock: Stock }>> {
  const format = `{{.Repository}}:{{.Tag}}`;
  const refs = ((await dockerMaybe(['images', '--format', format, STOCKED_REPOSITORY])) ?? '').split('\n').filter(Boolean);
  const out: Array<{ image: string; base: string; stock: Stock }> = [];
  for (const image of refs) {
    const labels = await dockerMaybe(['image', 'inspect', '--format', `{{ index .Config.Labels ${JSON.stringify(STOCK_BASE_LABEL_KEY)} }}\t{{ index .Config.Labels ${JSON.stringify(STOCK_LABEL_KEY)} }}`, image]);
    const [base, stock] = (labels ?? '').split('\t');
    if (base && stock) out.push({ image, base, stock: parseStock(stock) });
  }
  return out;
}
