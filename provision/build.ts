import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { sha256File } from '../lib/file-sha256.ts';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError } from '../lib/errors.ts';
import type { cacheLayout } from './cache.ts';
import type { GoCaches } from './go.ts';
import type { BuiltBinary, ManifestEntry } from './manifest.ts';
import type { BinarySpec, GoRecipe, WrapperContext } from './recipe.ts';
import { secondsSince } from '../lib/wait.ts';

export interface BuildOptions {
  layout: ReturnType<typeof cacheLayout>;
  modules: WrapperContext;
  goVersion: string;
  /** The module and build caches shared by every recipe of one provision. */
  goCaches: GoCaches;
  /** Parallelism inside one `go build` (-p). */
  jobs: number;
  signal?: AbortSignal;
}

/**
 * Builds one recipe into a staging directory and renames it into place only when every binary built and
 * answered its version check, so an interrupted or failed build never leaves a half-written artifact.
 */
export async function buildRecipe(recipe: GoRecipe, opts: BuildOptions): Promise<ManifestEntry> {
  const started = Date.now();
  const work = opts.layout.work(recipe.name, recipe.version);
  const staging = opts.layout.staging(recipe.name, recipe.version);
  const final = opts.layout.artifact(recipe.name, recipe.version);
  const logFile = join(work, 'build.log');
  await rm(staging, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  await mkdir(staging, { recursive: true });
  try {
    const { goMod, modules, files = {} } = await recipe.wrapper(opts.modules);
    await writeFile(join(work, 'go.mod'), goMod);
    // The wrapper module is generated, so no go.sum of its own exists to trust: one left in `work` by an earlier
    // build was written for an earlier wrapper (another pin, other replaces), and kept it would vouch for whatever
    // it lists. Without it, `go list -mod=mod` (below) writes a fresh one, checking each module it adds against the
    // checksum database (GOSUMDB; only the patterns a recipe's GONOSUMDB names are exempt) and the module cache.
    await rm(join(work, 'go.sum'), { force: true });
    await rm(join(work, 'wrap.go'), { force: true });
    // A module with no Go files of its own needs one to anchor it; a launcher brings its own.
    if (Object.keys(files).length === 0) await writeFile(join(work, 'wrap.go'), '// Package wrap only anchors the wrapper module.\npackage wrap\n');
    for (const [name, content] of Object.entries(files)) {
      await mkdir(join(work, name, '..'), { recursive: true });
      await writeFile(join(work, name), content);
    }
    const phases = await goBuild(recipe, work, staging, logFile, opts);
    const binaries: BuiltBinary[] = [];
    for (const spec of recipe.binaries) binaries.push(await inspect(spec, staging, final, recipe.name));
    const extras = recipe.extras ? await recipe.extras(opts.modules, staging) : [];
    await publish(staging, final);
    return {
      name: recipe.name,
      version: recipe.version,
      modules,
      goVersion: opts.goVersion,
      builtAt: new Date().toISOString(),
      buildSeconds: secondsSince(started),
      ...phases,
      ...(recipe.sources ? { sources: recipe.sources } : {}),
      binaries,
      extras,
    };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** How a build spent its time: fetching and resolving modules, then compiling and linking; and its memory peak. */
export interface BuildPhases {
  downloadSeconds: number;
  compileSeconds: number;
  /** The largest resident set of any process of the build (GNU time's %M), where /usr/bin/time exists. */
  peakRssMb?: number;
}

const GNU_TIME = '/usr/bin/time';

async function goBuild(recipe: GoRecipe, work: string, staging: string, logFile: string, opts: BuildOptions): Promise<BuildPhases> {
  const env = { CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false', ...opts.goCaches, ...recipe.env };
  const pkgs = recipe.binaries.map((b) => b.pkg);
  const log: string[] = [];
  // `go list -deps` downloads and resolves exactly the modules the build needs (and writes go.sum), so the
  // download is timed apart from the compile. -mod=mod because the wrapper's go.mod names only the pinned modules:
  // the rest of the graph comes from their own go.mod files (minimal version selection), which go may add only
  // with -mod=mod; under the default -mod=readonly every build would stop at "missing go.sum entry".
  const listArgs = ['list', '-mod=mod', '-deps', '-f', '{{.ImportPath}}', ...pkgs];
  const t0 = Date.now();
  const listed = await execa('go', listArgs, { cwd: work, reject: false, all: true, env, cancelSignal: opts.signal });
  const downloadSeconds = (Date.now() - t0) / 1000;
  log.push(`$ go ${listArgs.join(' ')}\n(${(listed.stdout ?? '').split('\n').length} packages)\n${listed.stderr ?? ''}`);
  if (listed.exitCode !== 0 && !listed.isCanceled) await failed(recipe, listed.all ?? '', logFile, log, work, opts);

  const single = recipe.binaries.length === 1;
  const out = single ? join(staging, recipe.binaries[0]!.name) : staging + '/';
  const args = ['build', '-mod=mod', '-trimpath', `-p=${opts.jobs}`, '-ldflags', ['-s', '-w', ...recipe.ldflags].join(' '), '-o', out, ...pkgs];
  const rssFile = join(work, 'build.maxrss');
  const timed = existsSync(GNU_TIME);
  const [file, argv] = timed ? [GNU_TIME, ['-o', rssFile, '-f', '%M', 'go', ...args]] : ['go', args];
  const t1 = Date.now();
  const r = await execa(file, argv, { cwd: work, reject: false, all: true, env, cancelSignal: opts.signal });
  const compileSeconds = (Date.now() - t1) / 1000;
  log.push(`$ go ${args.join(' ')}\n${r.all ?? ''}`);
  if (r.isCanceled || listed.isCanceled) {
    await writeFile(logFile, log.join('\n') + '\n');
    throw new EnvironmentError(recipe.name, 'build interrupted', 'run `cm-vault-e2e provision` again');
  }
  if (r.exitCode !== 0) await failed(recipe, r.all ?? '', logFile, log, work, opts);
  await writeFile(logFile, log.join('\n') + '\n');
  const kb = timed ? Number((await readFile(rssFile, 'utf8').catch(() => '')).trim().split('\n').at(-1)) : NaN;
  return {
    downloadSeconds: Math.round(downloadSeconds * 10) / 10,
    compileSeconds: Math.round(compileSeconds * 10) / 10,
    ...(Number.isFinite(kb) && kb > 0 ? { peakRssMb: Math.round(kb / 1024) } : {}),
  };
}

async function failed(recipe: GoRecipe, output: string, logFile: string, log: string[], work: string, opts: BuildOptions): Promise<never> {
  await writeFile(logFile, log.join('\n') + '\n');
  const tail = output.trim().split('\n').slice(-12);
  if (/no space left on device/i.test(output)) {
    throw new EnvironmentError(recipe.name, 'the disk is full', `free space under ${opts.layout.root} (\`npx cm-vault-e2e clean --cache\` frees the suite's caches), then run provision again`, tail);
  }
  throw new EnvironmentError(recipe.name, `go build of ${recipe.name} ${recipe.version} failed`, `read ${logFile}; the wrapper module is in ${work}`, tail);
}

async function inspect(spec: BinarySpec, staging: string, final: string, recipe: string): Promise<BuiltBinary> {
  if (!(await stat(join(staging, spec.name)).catch(() => null))) throw new EnvironmentError(recipe, `the build produced no ${spec.name}`, `check the package ${spec.pkg}`);
  const { binary, pinned } = await stagedBinary(spec, staging, final);
  if (!pinned) {
    throw new EnvironmentError(recipe, `${spec.name} ${spec.versionArgs.join(' ')} printed "${binary.versionOutput}", not ${spec.versionContains}`, 'the pin and the built module disagree: check versions.yaml');
  }
  return binary;
}

/**
 * A binary in `staging`, made executable and asked its version, recorded as it will sit in `final`; `pinned`
 * says whether the answer names the pinned version (every source of artifacts checks it).
 */
export async function stagedBinary(spec: Pick<BinarySpec, 'name' | 'versionArgs' | 'versionContains'>, staging: string, final: string): Promise<{ binary: BuiltBinary; pinned: boolean }> {
  const path = join(staging, spec.name);
  await chmod(path, 0o755);
  const r = await execa(path, spec.versionArgs, { reject: false, all: true, timeout: 30_000 });
  const versionOutput = (r.all ?? '').trim().split('\n').slice(0, 3).join('\n');
  const binary = { name: spec.name, path: join(final, spec.name), sha256: await sha256File(path), size: (await stat(path)).size, versionOutput };
  return { binary, pinned: versionOutput.includes(spec.versionContains) };
}

/** The cache's write-then-rename: `final` is replaced by the finished `staging` directory in one step. */
export async function publish(staging: string, final: string): Promise<void> {
  await rm(final, { recursive: true, force: true });
  await mkdir(join(final, '..'), { recursive: true });
  await rename(staging, final);
}
