import { describe, expect, it } from 'vitest';
import { loadPlans } from '../scenarios/plan.ts';
import { loadVersions } from '../scenarios/versions.ts';
import { ClusterHandoff, clusterKey, servedBy, startRelease } from './cluster-handoff.ts';
import { planEnvironments, type EnvironmentSpec } from './environment-spec.ts';
import { runPlans, type StartContext } from './run.ts';

const settings = { versions: loadVersions(), source: 'auto' as const };

/** The plans of two environments that can run on one cluster (same profile and Kubernetes, other cert-manager). */
function twoOnOneCluster() {
  const groups = planEnvironments(loadPlans(), settings);
  const first = groups.find((g) => groups.some((o) => o !== g && clusterKey(o.spec) === clusterKey(g.spec)))!;
  const second = groups.find((o) => o !== first && clusterKey(o.spec) === clusterKey(first.spec))!;
  return [...first.plans, ...second.plans];
}

/** Each environment's spec and context as runPlans starts it; none starts (each fails), so nothing runs. */
async function starts(plans: ReturnType<typeof twoOnOneCluster>, shareClusters?: boolean) {
  const started: Array<{ spec: EnvironmentSpec; context: StartContext | undefined }> = [];
  await runPlans(plans, {
    settings: { ...settings, ...(shareClusters === undefined ? {} : { shareClusters }) },
    startEnvironment: async (spec, context) => {
      started.push({ spec, context });
      throw new Error('not started in a unit test');
    },
  });
  return started;
}

describe('the cluster handoff reaches an environment through its start context, not its spec', () => {
  it('each environment of a shared cluster key is told the one handoff, its key, its first release and what the key serves', async () => {
    const started = await starts(twoOnOneCluster());
    expect(started).toHaveLength(2);
    const handoff = started[0]!.context?.share?.to;
    expect(handoff).toBeInstanceOf(ClusterHandoff);
    const specs = started.map((s) => s.spec);
    for (const { spec, context } of started) {
      expect(context?.share).toEqual({ to: handoff, key: clusterKey(spec), release: startRelease(spec), serves: servedBy(specs) });
      // the spec stays a value of the plans and settings: no live run object set on it after it was built
      expect(Object.keys(spec)).not.toContain('handoff');
    }
  });

  it('with --cluster-per-environment nothing is shared', async () => {
    const started = await starts(twoOnOneCluster(), false);
    expect(started.map((s) => s.context)).toEqual([{}, {}]);
  });
});
