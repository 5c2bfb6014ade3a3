/**
 * The pause program for the sandbox image: Kubernetes' own build/pause/linux/pause.c from the k8s.io/kubernetes
 * module at the pinned version (from the Go module proxy), compiled static as its Makefile does
 * (`-Os -Wall -Werror -static -DVERSION=v<tag>`). Cached in <cache>/kind/tools keyed by source and compiler.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError } from '../../lib/errors.ts';
import { cacheLayout, kindCache } from '../../provision/cache.ts';
import { goCaches, moduleCache } from '../../provision/go.ts';
import { keyOf, tailLines } from './common.ts';

/** The directory of a module version in the suite's Go module cache (downloads it through the proxy if needed). */
export async function goModuleDir(module: string, version: string): Promise<string> {
  return moduleCache(goCaches(cacheLayout())).moduleDir(module, version);
}

export async function ensurePause(kubernetesVersion: string, pauseTag: string): Promise<{ path: string; built: boolean }> {
  const cache = kindCache();
  await mkdir(cache.tools, { recursive: true });
  const cc = await execa('gcc', ['--version'], { reject: false });
  if (cc.exitCode !== 0) throw new EnvironmentError('gcc', 'is not installed (needed to compile pause.c)', 'apt-get install -y --no-install-recommends gcc libc6-dev');
  // The module's files never change for a version (the checksum database pins them): a cached pause needs no download.
  const key = keyOf({ kubernetes: kubernetesVersion, cc: cc.stdout.split('\n')[0], tag: pauseTag });
  const out = join(cache.tools, `pause-${pauseTag}-${key}`);
  if (existsSync(out)) return { path: out, built: false };
  const moduleDir = await goModuleDir('k8s.io/kubernetes', kubernetesVersion);
  const source = join(moduleDir, 'build', 'pause', 'linux', 'pause.c');
  if (!existsSync(source)) throw new EnvironmentError('pause', `${source} is missing`, 'the k8s.io/kubernetes module should ship build/pause/linux/pause.c');
  const partial = `${out}.${process.pid}.partial`;
  const r = await execa('gcc', ['-Os', '-Wall', '-Werror', '-static', `-DVERSION=v${pauseTag}`, '-o', partial, source], { reject: false, all: true });
  if (r.exitCode !== 0) {
    throw new EnvironmentError('pause', 'gcc -static pause.c failed', 'install the static C library: apt-get install -y --no-install-recommends libc6-dev', tailLines(r.all));
  }
  await execa('strip', [partial], { reject: false });
  const v = await execa(partial, ['-v'], { reject: false });
  if (!v.stdout.includes(pauseTag)) throw new EnvironmentError('pause', `the compiled pause prints "${v.stdout}", not ${pauseTag}`, 'report a bug');
  await rename(partial, out);
  return { path: out, built: true };
}
