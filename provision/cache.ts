import { homedir } from 'node:os';
import { join } from 'node:path';

/** Everything built or unpacked lives here, never in the repo: CM_VAULT_E2E_CACHE, else $XDG_CACHE_HOME/cm-vault-e2e. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CM_VAULT_E2E_CACHE) return env.CM_VAULT_E2E_CACHE;
  const xdg = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'cm-vault-e2e');
}

export const cacheLayout = (root = cacheRoot()) => ({
  root,
  manifest: join(root, 'manifest.json'),
  /** How long each artifact took here last time: the estimates of the next cold run (kept by `clean --cache`). */
  timings: join(root, 'timings.json'),
  /** Final artifacts: <root>/artifacts/<component>/<version>/… */
  artifact: (component: string, version: string) => join(root, 'artifacts', component, version),
  /** Generated wrapper modules, kept for inspection and warm rebuilds. */
  work: (component: string, version: string) => join(root, 'work', `${component}-${version}`),
  /** Staging for one build; renamed into place only when complete. */
  staging: (component: string, version: string) => join(root, 'staging', `${component}-${version}-${process.pid}`),
  /** Runs leave state here so `clean` can find what a killed run left. */
  runs: join(root, 'runs'),
  /** Views of this cache holding one provision's choice (provision/view.ts), each removed by whoever made it. */
  views: join(root, 'views'),
  /** Go tools the tests build for themselves (actionlint). */
  tools: join(root, 'tools'),
  /**
   * The Go module and build caches every recipe shares during one `provision` (one download and one compile of
   * each shared package); only builds need them, so a successful provision removes them.
   */
  go: { modules: join(root, 'go', 'mod'), build: join(root, 'go', 'build') },
});

/**
 * The kind backend's part of the cache: its image builds' work (keyed by their inputs) and its clusters' files. Laid
 * out here with the rest of the cache, so a view of it (view.ts) can share the builds without importing the backend.
 */
export function kindCache(root = cacheRoot()) {
  const base = join(root, 'kind');
  return {
    root: base,
    /** Debootstrapped rootfs tarballs: rootfs/<suite>-<key>.tar */
    rootfs: join(base, 'rootfs'),
    /** `docker save` tarballs of every image: images/<name>-<key>.tar */
    images: join(base, 'images'),
    /** Scratch directories of builds in progress (removed when done). */
    work: join(base, 'work'),
    /** Small programs compiled for the images (pause). */
    tools: join(base, 'tools'),
    /** Per-cluster files: kubeconfigs, kind configs. */
    clusters: join(base, 'clusters'),
    /** The remembered SHA-256 of each file the image builds read, by path, size and mtime. */
    fileSha256: join(base, 'file-sha256.json'),
  };
}
