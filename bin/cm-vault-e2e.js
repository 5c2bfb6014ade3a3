#!/usr/bin/env node
// Runs the TypeScript CLI with no build step between a clone and `npx cm-vault-e2e`. Loading its few hundred
// modules through tsx's loader thread costs seconds on every start, so the sources are compiled by esbuild into one
// module, kept under node_modules/.cache and used while every source file it was built from is unchanged (path,
// size, modification time). Where that cannot be done (a read-only install), tsx runs the sources directly.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'cli', 'main.ts');
const cacheDir = join(root, 'node_modules', '.cache', 'cm-vault-e2e-cli');
const currentFile = join(cacheDir, 'current.json');

/** Older builds stay this long after a newer one replaced them: a CLI started just before may still be loading one. */
const KEEP_REPLACED_MS = 10 * 60_000;

/** @param {string} file a path relative to the package root */
const fingerprint = (file) => {
  const st = statSync(join(root, file), { throwIfNoEntry: false });
  return st ? `${st.size}:${st.mtimeMs}` : 'missing';
};

/** The compiled module to run, when one was built from exactly the sources as they are now. */
function current() {
  try {
    const c = JSON.parse(readFileSync(currentFile, 'utf8'));
    return Object.entries(c.inputs).every(([file, print]) => fingerprint(file) === print) ? join(cacheDir, c.bundle) : undefined;
  } catch {
    return undefined;
  }
}

async function build() {
  const { build: esbuild } = await import('esbuild');
  const out = await esbuild({
    entryPoints: [entry],
    absWorkingDir: root,
    outfile: 'cli.mjs',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    packages: 'external',
    // a map beside the bundle, read only under `node --enable-source-maps` (parsing it on every start costs time)
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  /** @param {string} suffix */
  const file = (suffix) => {
    const found = out.outputFiles.find((f) => f.path.endsWith(suffix));
    if (!found) throw new Error(`esbuild wrote no ${suffix}`);
    return found.contents;
  };
  const [code, map] = [file('cli.mjs'), file('cli.mjs.map')];
  // each build in its own directory named by its content, so one being written never changes one being loaded
  const name = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const dir = join(cacheDir, name);
  const tmp = join(cacheDir, `.${name}.${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'cli.mjs'), code);
  writeFileSync(join(tmp, 'cli.mjs.map'), map);
  try {
    renameSync(tmp, dir);
  } catch {
    // another start compiled the same sources first: its directory holds the same content, and may be loading
    rmSync(tmp, { recursive: true, force: true });
  }
  // the metafile names every source file it read, relative to the package root
  const inputs = Object.fromEntries(Object.keys(out.metafile.inputs).map((f) => [f, fingerprint(f)]));
  writeFileSync(`${currentFile}.${process.pid}`, JSON.stringify({ bundle: join(name, 'cli.mjs'), inputs }));
  renameSync(`${currentFile}.${process.pid}`, currentFile);
  for (const entry of readdirSync(cacheDir)) {
    const path = join(cacheDir, entry);
    if (entry !== name && /^[0-9a-f]{16}$/.test(entry) && Date.now() - statSync(path).mtimeMs > KEEP_REPLACED_MS) rmSync(path, { recursive: true, force: true });
  }
  return join(dir, 'cli.mjs');
}

/** @type {(argv: string[]) => Promise<number>} */
let main;
try {
  const bundle = current() ?? (await build());
  ({ main } = await import(pathToFileURL(bundle).href));
} catch (err) {
  // said, because the fallback works but starts seconds slower on every run
  process.stderr.write(`cm-vault-e2e: running the sources through tsx (${err instanceof Error ? err.message.split('\n')[0] : err})\n`);
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
