// The nightly workflow: its shape (everywhere) and actionlint's verdict (where actionlint is built).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const WORKFLOW = '.github/workflows/nightly.yml';
const INSTALL = 'GOBIN=~/.cache/cm-vault-e2e/tools go install github.com/rhysd/actionlint/cmd/actionlint@latest';

/** $ACTIONLINT, the project's tool cache, or PATH. */
function findActionlint(): string | undefined {
  const candidates = [process.env.ACTIONLINT, join(homedir(), '.cache', 'cm-vault-e2e', 'tools', 'actionlint'), ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'actionlint'))];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

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

  it('runs one job per environment entry, writing the report to out/, and uploads it whatever happened', () => {
    expect(runs('e2e')).toContain('npx cm-vault-e2e run --backend "$BACKEND" --filter "$filter" --report out/');
    expect(wf.env?.BACKEND).toBe("${{ inputs.backend || 'kind' }}");
    const upload = wf.jobs.e2e!.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload).toMatchObject({ if: 'always()', with: { path: 'out/' } });
  });

  it('gates and writes the job summary even when shards failed', () => {
    expect(wf.jobs.summary!.if).toContain('always()');
    expect(runs('summary')).toContain('npx tsx reports/gate.ts --baseline known-good/report.json');
    expect(runs('summary')).toContain('--summary "$GITHUB_STEP_SUMMARY"');
  });

  const actionlint = findActionlint();
  it.skipIf(!actionlint)(`passes actionlint${actionlint ? '' : ` (skipped: actionlint not found; build it with \`${INSTALL}\`)`}`, async () => {
    const res = await execa(actionlint!, ['-no-color', WORKFLOW], { reject: false });
    expect(res.stdout + res.stderr).toBe('');
    expect(res.exitCode).toBe(0);
  }, 30_000);
});
