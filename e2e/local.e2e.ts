import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatOutcome } from '../cli/format-outcome.ts';
import { runOne } from '../runner/run.ts';
import { e2eGroups, localEnvironmentFixture } from './fixtures.ts';

// The catalogue on the process cluster: real etcd, kube-apiserver, cert-manager controller and Vault.
for (const group of e2eGroups()) {
  describe(`local ${group.key}`, () => {
    const env = localEnvironmentFixture(group.key, group.plans[0]!);
    const runnable = group.plans.filter((p) => !env.skipReason(p));
    if (runnable.length) {
      beforeAll(() => env.setUp());
      afterAll(() => env.tearDown());
    }
    for (const plan of group.plans) {
      const skip = env.skipReason(plan);
      if (skip) {
        it.skip(`${plan.id} — ${skip}`, () => {});
        continue;
      }
      it(plan.id, async () => {
        const result = await runOne(env.get(), plan);
        // The whole three-sided diff in the failure message, not just "expected false to be true".
        expect(result.verdict.pass, formatOutcome(result)).toBe(true);
        expect(result.verdict.sides.map((s) => s.side)).toEqual(expect.arrayContaining(['issuer', 'vault', 'apiserver']));
      });
    }
  });
}
