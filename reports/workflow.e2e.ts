// actionlint's verdict on the nightly workflow. actionlint is a Go tool, built from the module proxy into the
// suite's tool cache the first time (the shape of the workflow is checked by workflow.test.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { cacheLayout } from '../provision/cache.ts';

const WORKFLOW = '.github/workflows/nightly.yml';
const ACTIONLINT = 'github.com/rhysd/actionlint/cmd/actionlint@v1.7.12';

async function actionlint(): Promise<string> {
  const tools = cacheLayout().tools;
  const bin = join(tools, 'actionlint');
  if (!existsSync(bin)) await execa('go', ['install', ACTIONLINT], { env: { GOBIN: tools } });
  return bin;
}

describe('nightly workflow', () => {
  it('passes actionlint (with shellcheck on its run: steps where shellcheck is installed)', async () => {
    const res = await execa(await actionlint(), ['-no-color', WORKFLOW], { reject: false });
    expect(res.stdout + res.stderr).toBe('');
    expect(res.exitCode).toBe(0);
  }, 300_000);
});
