// Benchmark of the kind backend: prints figures, asserts nothing about speed.
//   npx tsx bench/kind.ts [--catalogue [--concurrency N] [--skip-probe]] [--side-by-side N] [--cold-images]
// --cold-images deletes the kind image cache (rootfs, image tarballs, the node image) first: the next build is cold.
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import { ownClusterBackends } from '../cli/backends.ts';
import { runSettings } from '../cli/run-settings.ts';
import { buildKindImages, debianMirrorOf } from '../kind/images/build.ts';
import { defaultNodeImage } from '../kind/images/node.ts';
import { kindCache } from '../provision/cache.ts';
import { environmentSpec, planEnvironments } from '../runner/environment-spec.ts';
import { isSkipped, runPlans } from '../runner/run.ts';
import { runScenario } from '../runner/run-scenario.ts';
import { loadPlans } from '../scenarios/plan.ts';
import { peakMemory } from './containers.ts';

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : (process.argv[i + 1] ?? '');
};
const quiet = () => undefined;
const settings = runSettings({});
const versions = settings.versions;
const backend = { ...ownClusterBackends.kind, settings };
const plans = loadPlans();
const groups = planEnvironments(plans, settings);
const mem = peakMemory();

if (process.argv.includes('--cold-images')) {
  const cache = kindCache();
  await rm(cache.rootfs, { recursive: true, force: true });
  await rm(cache.images, { recursive: true, force: true });
  await rm(cache.tools, { recursive: true, force: true });
  await execa('docker', ['rmi', '-f', defaultNodeImage(versions.kubernetes.default)], { reject: false });
  let t = Date.now();
  await buildKindImages({ versions, sources: { policy: settings.source }, ...debianMirrorOf(settings.kind ?? {}), log: quiet });
  console.log(`image build cold (debootstrap, base, kubeadm images, node image): ${s(Date.now() - t)}`);
}
let t = Date.now();
await buildKindImages({ versions, sources: { policy: settings.source }, ...debianMirrorOf(settings.kind ?? {}), log: quiet });
console.log(`image build warm (labels checked, nothing built): ${s(Date.now() - t)}`);

// The probe: the biggest group's first scenario; cold = a new cluster, cert-manager and Vault, then the scenario.
const big = [...groups].sort((a, b) => b.plans.length - a.plans.length)[0]!;
const probe = big.plans[0]!;
const skipProbe = process.argv.includes('--skip-probe');
const { envMs, warmMs } = skipProbe ? { envMs: 0, warmMs: 0 } : await probeScenario();

/** One scenario cold (a new cluster, cert-manager and Vault first) and warm (median of 3 on that cluster). */
async function probeScenario(): Promise<{ envMs: number; warmMs: number }> {
  let t = Date.now();
  const env = await backend.startEnvironment(big.spec);
  const envMs = Date.now() - t;
  t = Date.now();
  const first = await runScenario(env, probe);
  console.log(`cluster create + cert-manager install: ${s(envMs)}`);
  console.log(`one scenario cold (${probe.id}, ${first.verdict.pass ? 'pass' : 'FAIL'}): ${s(envMs + Date.now() - t)}`);
  const warm: number[] = [];
  for (let i = 0; i < 3; i++) {
    t = Date.now();
    await runScenario(env, probe);
    warm.push(Date.now() - t);
  }
  const warmMs = warm.sort((a, b) => a - b)[1]!;
  console.log(`one scenario warm on the running cluster (median of 3): ${s(warmMs)}`);
  t = Date.now();
  await env.stop();
  console.log(`cluster delete: ${s(Date.now() - t)}`);
  return { envMs, warmMs };
}

const n = Number(arg('--side-by-side') ?? 0);
if (n > 0) {
  const sample = big.plans.slice(0, n);
  t = Date.now();
  const shared = await runPlans(sample, { ...backend });
  const sharedMs = Date.now() - t;
  t = Date.now();
  let perPass = 0;
  for (const plan of sample) {
    const e = await backend.startEnvironment(environmentSpec(`${big.spec.key}#alone-${plan.id}`, [plan], settings));
    perPass += (await runScenario(e, plan)).verdict.pass ? 1 : 0;
    await e.stop();
  }
  const perMs = Date.now() - t;
  const sharedPass = shared.outcomes.filter((o) => !isSkipped(o) && o.verdict.pass).length;
  console.log(`side by side, ${n} scenarios of one environment: shared cluster ${s(sharedMs)} (${sharedPass} pass), a cluster per scenario ${s(perMs)} (${perPass} pass): ${(perMs / sharedMs).toFixed(1)}x`);
}

if (process.argv.includes('--catalogue')) {
  t = Date.now();
  const concurrency = Number(arg('--concurrency') ?? 1);
  const result = await runPlans(plans, { ...backend, concurrency });
  const ran = result.outcomes.filter((o) => !isSkipped(o));
  const passed = ran.filter((o) => !isSkipped(o) && o.verdict.pass).length;
  const ms = Date.now() - t;
  console.log(`catalogue on kind (concurrency ${concurrency}): ${ran.length} run (${passed} passed), ${result.outcomes.length - ran.length} skipped, ${result.environments.length} clusters, ${s(ms)}`);
  if (!skipProbe) console.log(`a cluster per scenario would take about ${s(ran.length * (envMs + warmMs))} (${ran.length} × measured cold scenario): ${((ran.length * (envMs + warmMs)) / ms).toFixed(1)}x`);
}
console.log(`peak memory (this process tree + the suite's containers): ${(mem.stop() / 1e9).toFixed(2)} GB`);
