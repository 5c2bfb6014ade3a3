import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError } from '../lib/errors.ts';
import { isAlive, ownerState, selfIdentity, type ProcessIdentity } from '../lib/run-identity.ts';
import { sharedByKey } from '../lib/shared-by-key.ts';
import type { cacheLayout } from './cache.ts';
import type { WrapperContext } from './recipe.ts';

/** The Go caches every `go` command of the suite uses: its own, so they can be measured and dropped whole. */
export type GoCaches = {
  GOMODCACHE: string;
  GOCACHE: string;
};

export const goCaches = (layout: ReturnType<typeof cacheLayout>): GoCaches => ({ GOMODCACHE: layout.go.modules, GOCACHE: layout.go.build });

export async function goVersion(): Promise<string> {
  try {
    const { stdout } = await execa('go', ['env', 'GOVERSION']);
    return stdout.trim();
  } catch {
    throw new EnvironmentError(
      'go',
      'no Go toolchain on PATH',
      'install Go ≥ 1.24 (Debian: `apt-get install golang-1.24`, or the official tarball) and put `go` on PATH',
    );
  }
}

interface Download {
  GoMod?: string;
  Dir?: string;
  Error?: string;
}

/** Downloads module@version through the Go module proxy into `caches`; memoised per process. */
export function moduleCache(caches: GoCaches): WrapperContext {
  const shared = sharedByKey((key: string) => key, (key) => goModDownload(key, caches));
  const download = (path: string, version: string) => shared(`${path}@${version}`);
  return {
    async goModOf(path, version) {
      const d = await download(path, version);
      return readFile(d.GoMod!, 'utf8');
    },
    async moduleDir(path, version) {
      return (await download(path, version)).Dir!;
    },
  };
}

async function goModDownload(key: string, caches: GoCaches): Promise<Download> {
  // Outside any module, so the caller's go.mod (if any) does not interfere.
  const dir = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-gomod-'));
  try {
    const r = await execa('go', ['mod', 'download', '-json', key], { cwd: dir, reject: false, env: { GOFLAGS: '-mod=mod', GO111MODULE: 'on', ...caches } });
    const parsed = JSON.parse(r.stdout || '{}') as Download;
    if (r.exitCode !== 0 || parsed.Error || !parsed.GoMod) {
      const why = parsed.Error ?? r.stderr.trim().split('\n').slice(-3).join(' ');
      throw new EnvironmentError(
        key,
        `the Go module proxy did not serve it: ${why}`,
        `check the version in versions.yaml (is ${key} published?), GOPROXY (${process.env.GOPROXY ?? 'default'}) and the network`,
      );
    }
    return parsed;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Marks this process as a user of the suite's Go caches until `release()`; `release({ drop: true })` removes them
 * only when no other live process uses them (two provisions at once share one cache, and neither may pull it
 * away from the other's build). Each holder's file records its identity (pid, start time, boot), so a pid the
 * kernel gave to another process since does not keep the caches. Returns whether they were removed.
 */
export async function holdGoCaches(layout: ReturnType<typeof cacheLayout>): Promise<{ release(opts?: { drop?: boolean }): Promise<boolean> }> {
  const users = join(layout.root, 'go-users');
  const mine = join(users, String(process.pid));
  await mkdir(users, { recursive: true });
  await writeFile(mine, JSON.stringify(selfIdentity()));
  return {
    async release(opts = {}) {
      await rm(mine, { force: true });
      if (!opts.drop) return false;
      if ((await goCacheUsers(layout)).some((h) => h.pid !== process.pid)) return false;
      await dropGoCaches(goCaches(layout));
      return true;
    },
  };
}

/**
 * The processes that hold the suite's Go caches now (holdGoCaches): live holders on this host, and holders of
 * another host sharing this cache, whose liveness cannot be told from here (held, the safe side). A holder file
 * of a suite before hosts were recorded counts as this host's.
 */
export async function goCacheUsers(layout: ReturnType<typeof cacheLayout>, alive: (p: ProcessIdentity) => boolean = isAlive): Promise<ProcessIdentity[]> {
  const users = join(layout.root, 'go-users');
  const names = await readdir(users).catch(() => [] as string[]);
  const holders = await Promise.all(names.map((name) => holderOf(join(users, name), name)));
  return holders.filter((h): h is ProcessIdentity => !!h && ownerState(h, { alive, unknownHost: 'same' }) !== 'gone');
}

/** A holder file's identity; one without a readable identity is named by its pid alone (the file name). */
async function holderOf(file: string, name: string): Promise<ProcessIdentity | undefined> {
  const pid = Number(name);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const text = await readFile(file, 'utf8').catch(() => '');
  try {
    const recorded = JSON.parse(text) as ProcessIdentity;
    if (recorded.pid === pid) return recorded;
  } catch {
    // no identity recorded: the pid decides
  }
  return { pid };
}

/**
 * Removes the suite's Go caches. Both are renamed aside first, one right after the other, and only then removed
 * (minutes, for GBs of modules): a provision that starts meanwhile finds empty caches, never a build cache being
 * removed under its build (whose `go build` then fails with `open …/go/build/…-d: no such file or directory`). The
 * module cache is read-only on disk, so `go clean` empties it.
 */
export async function dropGoCaches(caches: GoCaches): Promise<void> {
  const suffix = `.dropping-${process.pid}-${Date.now()}`;
  const aside = { GOMODCACHE: caches.GOMODCACHE + suffix, GOCACHE: caches.GOCACHE + suffix };
  const moved = async (from: string, to: string) => rename(from, to).then(() => true, () => false);
  const [mod, build] = [await moved(caches.GOMODCACHE, aside.GOMODCACHE), await moved(caches.GOCACHE, aside.GOCACHE)];
  if (mod) {
    await execa('go', ['clean', '-modcache'], { reject: false, env: aside });
    await rm(aside.GOMODCACHE, { recursive: true, force: true, maxRetries: 3 });
  }
  if (build) await rm(aside.GOCACHE, { recursive: true, force: true, maxRetries: 3 });
}
