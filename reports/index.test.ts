import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../lib/test-support/temp-dir.ts';
import { fixtureRun, issuerMismatchFail, ROOT_TOKEN } from './fixtures.ts';
import { parseJsonReport, SecretLeakError, writeReports } from './index.ts';
import { parseXml } from './test-support/xml-parse.ts';

const out = useTempDir('reports');

describe('writeReports', () => {
  it('writes junit.xml, report.json, report.html and every ran scenario’s evidence', async () => {
    const { files } = await writeReports(fixtureRun(), out(), { secrets: [ROOT_TOKEN] });
    const rel = files.map((f) => relative(out(), f));
    expect(rel.slice(0, 3)).toEqual(['junit.xml', 'report.json', 'report.html']);
    expect(rel).toContain('evidence/k8s-client-jwt-default-audience-refused/verdict.txt');
    expect(rel.some((f) => f.includes('openbao'))).toBe(false);
    expect(rel).not.toContain('report.png');
    for (const f of files) expect(existsSync(f)).toBe(true);
    parseXml(readFileSync(join(out(), 'junit.xml'), 'utf8'));
    expect(parseJsonReport(readFileSync(join(out(), 'report.json'), 'utf8')).summary.failed).toBe(1);
  });

  it('refuses to leave a report that carries the root token', async () => {
    const r = issuerMismatchFail();
    r.observation.vaultLog = [`[DEBUG] core: root token ${ROOT_TOKEN} used`];
    const err = await writeReports(fixtureRun([r]), out(), { secrets: [ROOT_TOKEN] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretLeakError);
    expect((err as Error).message).toContain('report.json');
    expect((err as Error).message).not.toContain(ROOT_TOKEN);
    expect(existsSync(join(out(), 'report.json'))).toBe(false);
    expect(existsSync(join(out(), 'junit.xml'))).toBe(true);
  });
});
