// The new-machine path, measured: a fresh clone of this checkout runs `CI=true bash .ci/run` with an empty suite
// cache and empty Go caches (and, with --remove-images, none of the suite's Docker images), under GNU time; then
// the same again warm. Prints wall times, CPU, the largest process, per-component build figures from the run's
// manifest, and the suite's disk footprint. Asserts nothing; takes the better part of an hour on 2 cores.
//   npx tsx bench/cold-ci.ts [--remove-images] [--no-warm]
import { execa } from 'execa';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { duration } from '../provision/estimates.ts';
import { footprint, formatFootprint } from '../provision/footprint.ts';
import { cacheLayout } from '../provision/cache.ts';
import { readManifest } from '../provision/manifest.ts';
import { PROJECT_LABEL_KEY } from '../kind/images/common.ts';

const args = new Set(process.argv.slice(2));
const root = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-cold-'));
const clone = join(root, 'clone');
const env = { CI: 'true', CM_VAULT_E2E_CACHE: join(root, 'cache'), GOMODCACHE: join(root, 'gomod'), GOCACHE: join(root, 'gobuild') };
await execa('git', ['clone', '-q', process.cwd(), clone]);
if (args.has('--remove-images')) {
  const ids = (await execa('docker', ['image', 'ls', '-q', '--filter', `label=${PROJECT_LABEL_KEY}`], { reject: false })).stdout.split('\n').filter(Boolean);
  if (ids.length) await execa('docker', ['image', 'rm', '--force', ...new Set(ids)], { reject: false });
}

async function ciRun(label: string): Promise<void> {
  const log = join(root, `${label}.log`);
  const started = Date.now();
  const r = await execa('/usr/bin/time', ['-v', 'bash', '.ci/run'], { cwd: clone, env, reject: false, all: true });
  await execa('sh', ['-c', `cat > ${log}`], { input: r.all ?? '' });
  const field = (name: string) => new RegExp(`${name}: (.+)`).exec(r.all ?? '')?.[1]?.trim() ?? '?';
  console.log(`${label}: exit ${r.exitCode} in ${duration((Date.now() - started) / 1000)}; user ${field('User time \\(seconds\\)')} s, sys ${field('System time \\(seconds\\)')} s, largest process ${(Number(field('Maximum resident set size \\(kbytes\\)')) / 1e6).toFixed(1)} GB; log ${log}`);
}

await ciRun('cold');
const layout = cacheLayout(env.CM_VAULT_E2E_CACHE);
const manifest = await readManifest(layout.manifest);
for (const e of Object.values(manifest.artifacts).sort((a, b) => b.buildSeconds - a.buildSeconds)) {
  const phases = e.compileSeconds !== undefined ? `modules ${duration(e.downloadSeconds ?? 0)}, compile+link ${duration(e.compileSeconds)}, peak ${((e.peakRssMb ?? 0) / 1024).toFixed(1)} GB` : e.source ?? '';
  console.log(`  ${`${e.name} ${e.version}`.padEnd(36)} ${duration(e.buildSeconds).padStart(12)}  (${phases})`);
}
const disk = await footprint(layout);
console.log(`footprint: ${formatFootprint(disk)}`);
if (!args.has('--no-warm')) await ciRun('warm');
console.log(`clone and caches left in ${root} (remove them with: chmod -R u+w ${root} && rm -rf ${root})`);
