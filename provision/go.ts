import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError } from '../lib/errors.ts';
import type { WrapperContext } from './recipe.ts';

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

/** Downloads module@version through the Go module proxy; memoised per process. */
export function moduleCache(): WrapperContext {
  const seen = new Map<string, Promise<Download>>();
  const download = (path: string, version: string) => {
    const key = `${path}@${version}`;
    let hit = seen.get(key);
    if (!hit) {
      hit = goModDownload(key);
      seen.set(key, hit);
    }
    return hit;
  };
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

async function goModDownload(key: string): Promise<Download> {
  // Outside any module, so the caller's go.mod (if any) does not interfere.
  const dir = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-gomod-'));
  try {
    const r = await execa('go', ['mod', 'download', '-json', key], { cwd: dir, reject: false, env: { GOFLAGS: '-mod=mod' } });
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
