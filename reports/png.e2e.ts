// report.png rendered by Debian's Chromium (provision installs it).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtureRun } from './fixtures.ts';
import { writeReports } from './index.ts';

let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-reports-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('writeReports --png', () => {
  it('renders report.png, 1440 pixels wide', { timeout: 60_000 }, async () => {
    const { files } = await writeReports(fixtureRun(), out, { png: true });
    const png = join(out, 'report.png');
    expect(files).toContain(png);
    const bytes = readFileSync(png);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(bytes.readUInt32BE(16)).toBe(1440);
  });
});
