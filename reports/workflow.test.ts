// The nightly workflow's shape; actionlint's verdict is in workflow.e2e.ts (it builds actionlint).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const WORKFLOW = '.github/workflows/nightly.yml';

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  strategy?: { matrix?: unknown; 'fail-fast'?: boolean };
  outputs?: Record<string, string>;
  steps: Step[];
}

describe('nightly workflow', () => {
  const wf = parse(readFileSync(WORKFLOW, 'utf8')) as { on: Record<string, unknown>; env?: Record<string, string>; jobs: Record<string, Job> };
  const runs = (job: string) => wf.jobs[job]!.steps.map((s) => s.run ?? '').join('\n');

  it('runs nightly and on demand', () => {
    expect(wf.on.schedule).toEqual([{ cron: expect.stringMatching(/^\d+ \d+ \* \* \*$/) }]);
    expect(wf.on).toHaveProperty('workflow_dispatch');
  });

  it('plans the matrix with the CLI and feeds it to the e2e job', () => {
    expect(runs('plan')).toContain('npx cm-vault-e2e matrix --format github');
    expect(wf.jobs.plan!.outputs!.matrix).toBe('${{ steps.matrix.outputs.matrix }}');
    expect(wf.jobs.e2e!.strategy).toEqual({ 'fail-fast': false, matrix: '${{ fromJSON(needs.plan.outputs.matrix) }}' });
  });

  it("plans with the dispatch's extra filter, so no job is left whose filter selects nothing (run exits 2 on those)", () => {
    const plan = wf.jobs.plan!.steps.find((s) => s.run?.includes('matrix --format github')) as Step & { env?: Record<string, string> };
    expect(plan.env?.EXTRA_FILTER).toBe('${{ inputs.filter }}');
    expect(plan.run).toContain('scope="$EXTRA_FILTER"');
  });

  it('plans every pinned Kubernetes on either backend: no Kubernetes filter of its own', () => {
    const plan = wf.jobs.plan!.steps.find((s) => s.run?.includes('matrix --format github'))!;
    expect(plan.run).not.toMatch(/k8s[!=]/);
  });

  it('runs one job per environment entry, writing the report to out/, and uploads it whatever happened', () => {
    expect(runs('e2e')).toContain('npx cm-vault-e2e run --backend "$BACKEND" --filter "$filter" --report out/');
    expect(wf.env?.BACKEND).toBe("${{ inputs.backend || 'kind' }}");
    const upload = wf.jobs.e2e!.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload).toMatchObject({ if: 'always()', with: { path: 'out/' } });
  });

  it('gates and writes the job summary even when shards failed', () => {
    expect(wf.jobs.summary!.if).toContain('always()');
    expect(runs('summary')).toContain('npx cm-vault-e2e gate --baseline known-good/report.json');
    expect(runs('summary')).toContain('--summary "$GITHUB_STEP_SUMMARY"');
  });
});
