// Benchmark of the process-cluster backend: prints figures, asserts nothing about speed.
//   npx tsx bench/local.ts [--catalogue]
import { ownClusterBackends } from '../cli/backends.ts';
import { runSettings } from '../cli/run-settings.ts';
import { planEnvironments } from '../runner/environment-spec.ts';
import { runPlans, isSkipped } from '../runner/run.ts';
import { runScenario } from '../runner/run-scenario.ts';
import { filterPlans, loadPlans } from '../scenarios/plan.ts';
import { peakRss } from './rss.ts';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const settings = runSettings({});
const backend = { ...ownClusterBackends.local, settings };
const plans = loadPlans();
const probe = filterPlans(plans, 'k8s-client-jwt-default-audience-refused')[0] ?? plans[0]!;
const group = planEnvironments(plans, settings).find((g) => g.plans.includes(probe))!;

const mem = peakRss();
let t = Date.now();
const env = await backend.startEnvironment(group.spec);
const coldStart = Date.now() - t;
t = Date.now();
const first = await runScenario(env, probe);
const coldScenario = coldStart + (Date.now() - t);
const warm: number[] = [];
for (let i = 0; i < 3; i++) {
  t = Date.now();
  await runScenario(env, probe);
  warm.push(Date.now() - t);
}
await env.stop();
console.log(`cluster cold start (etcd, kube-apiserver, CRDs, RBAC, cert-manager): ${seconds(coldStart)}`);
console.log(`one scenario cold (${probe.id}, verdict ${first.verdict.pass ? 'pass' : 'FAIL'}): ${seconds(coldScenario)}`);
console.log(`one scenario warm (median of 3): ${seconds(warm.sort((a, b) => a - b)[1]!)}`);

if (process.argv.includes('--catalogue')) {
  t = Date.now();
  const result = await runPlans(plans, { ...backend, concurrency: 1 });
  const ran = result.outcomes.filter((o) => !isSkipped(o));
  const passed = ran.filter((o) => !isSkipped(o) && o.verdict.pass).length;
  console.log(`catalogue: ${ran.length} scenarios run (${passed} passed, ${ran.length - passed} failed), ${result.outcomes.length - ran.length} skipped, ${result.environments.length} environments, ${seconds(Date.now() - t)}`);
}
console.log(`peak RSS of the whole process tree: ${(mem.stop() / 1e6).toFixed(0)} MB`);
