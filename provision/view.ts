/**
 * A cache holding exactly what one `provision` chose, hard-linked from the cache it provisioned into (`provision
 * --view DIR`). The e2e suites run on such a view of the `ci` set (.ci/run, `npm run test:e2e`), so on a warm machine
 * a test needing any other pin fails in seconds, as it would on a new machine after the whole cold provisioning.
 *
 * Docker images follow: every image a run uses is made from, or checked against, an artifact's binary
 * (kind/images/build.ts buildKindImages, kind/certmanager.ts, kind/node-stock.ts, the Vault images), so an image
 * another provision left in Docker is out of reach when the view lacks its artifact. Beside the artifacts the view
 * shares what pins nothing: the kind image builds' own caches (rootfs and image tarballs, keyed by their inputs),
 * the tools tests build for themselves, and the build timings.
 */
import { copyFile, link, mkdir, mkdtemp, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { InputError } from '../lib/errors.ts';
import { kindCache, type cacheLayout } from './cache.ts';
import { entryKey, type Manifest, type ManifestEntry } from './manifest.ts';

type Layout = ReturnType<typeof cacheLayout>;

/** What the view shares besides the artifacts: directories it links, files it copies (the suite rewrites them). */
const shared = (layout: Layout) => {
  const k = kindCache(layout.root);
  return { dirs: [k.rootfs, k.images, k.tools, layout.tools], files: [k.fileSha256, layout.timings] };
};

export interface ViewSummary {
  artifacts: number;
  files: number;
}

/**
 * Makes `to` (a new or empty directory) a cache of `entries` from `from`. Entries are rewritten to name the view's
 * files; one whose binary lies outside its artifact directory is refused rather than reached through the old cache.
 */
export async function makeCacheView(entries: ManifestEntry[], from: Layout, to: Layout): Promise<ViewSummary> {
  const existing = await readdir(to.root).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  if (existing.length) throw new InputError({ file: 'command line', field: '--view' }, `${to.root} is not empty`, 'give a new or empty directory (mktemp -d makes one)');

  const manifest: Manifest = { schema: 1, artifacts: {} };
  let files = 0;
  for (const e of entries) {
    const dir = from.artifact(e.name, e.version);
    const binaries = e.binaries.map((b) => {
      const inside = relative(dir, b.path);
      if (inside.startsWith('..') || inside.startsWith(sep)) {
        throw new InputError({ file: from.manifest, field: `artifacts.${entryKey(e.name, e.version)}` }, `binary ${b.path} lies outside ${dir}`, `run \`npx cm-vault-e2e provision --only ${e.name}@${e.version}\` to rebuild it into place`);
      }
      return { ...b, path: join(to.artifact(e.name, e.version), inside) };
    });
    files += await linkTree(dir, to.artifact(e.name, e.version));
    manifest.artifacts[entryKey(e.name, e.version)] = { ...e, binaries };
  }
  const { dirs, files: copied } = shared(from);
  // the same place under the view's root
  const inView = (path: string) => join(to.root, relative(from.root, path));
  for (const d of dirs) files += await linkTree(d, inView(d));
  for (const f of copied) {
    await mkdir(dirname(inView(f)), { recursive: true });
    await copyFile(f, inView(f)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
  await writeFile(to.manifest, JSON.stringify(manifest, null, 2) + '\n');
  return { artifacts: entries.length, files };
}

/** A new directory for a view, under the cache's own views/ (one file system with the artifacts, so links work). */
export async function newViewDir(layout: Layout): Promise<string> {
  await mkdir(layout.views, { recursive: true });
  return mkdtemp(join(layout.views, `view-${process.pid}-`));
}

/** Hard-links every file under `src` into `dst` (copies across file systems); a missing `src` links nothing. */
async function linkTree(src: string, dst: string): Promise<number> {
  const entries = await readdir(src, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (!entries) return 0;
  await mkdir(dst, { recursive: true });
  let n = 0;
  for (const e of entries) {
    const s = join(src, e.name);
    const d = join(dst, e.name);
    if (e.isDirectory()) n += await linkTree(s, d);
    else if (e.isSymbolicLink()) await symlink(await readlink(s), d);
    else {
      await link(s, d).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EXDEV' || err.code === 'EPERM') return copyFile(s, d);
        throw err;
      });
      n++;
    }
  }
  return n;
}
