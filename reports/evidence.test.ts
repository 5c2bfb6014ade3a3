import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../lib/test-support/temp-dir.ts';
import { writeEvidence, safeName } from './evidence.ts';
import { issuerMismatchFail, ROOT_TOKEN } from './fixtures.ts';
import { findLeaks, SecretLeakError } from './leaks.ts';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** A real-shaped ServiceAccount token, planted where the runner should have redacted it. */
const PLANTED_JWT = `${b64({ alg: 'RS256', kid: 'Zx3l0yQk' })}.${b64({ aud: ['vault://team-a/vault-issuer'], sub: 'system:serviceaccount:team-a:vault-issuer' })}.c2lnbmF0dXJlLW5vdC1yZWFs`;

const out = useTempDir('evidence');

describe('writeEvidence', () => {
  it('writes each evidence entry and the verdict under evidence/<id>/', async () => {
    const r = issuerMismatchFail();
    const { files } = await writeEvidence(r, out(), { secrets: [ROOT_TOKEN] });
    const dir = join(out(), 'evidence', r.plan.id);
    expect((await readdir(dir)).sort()).toEqual(['Issuer-vault-issuer.json', 'apiserver.log', 'cert-manager.log', 'vault.log', 'verdict.txt']);
    expect(files).toHaveLength(5);
    expect(await readFile(join(dir, 'apiserver.log'), 'utf8')).toBe(r.evidence['apiserver.log']);
    expect(await readFile(join(dir, 'verdict.txt'), 'utf8')).toContain('✗ Issuer (issuer)');
    // The runner's redacted JWT form (decoded header and claims, no signature) is not a leak.
    expect(await readFile(join(dir, 'vault.log'), 'utf8')).toContain('<jwt header=');
  });

  it('fails loudly on a planted JWT, removes the file and does not print the token', async () => {
    const r = issuerMismatchFail();
    r.evidence['vault.log'] = `[ERROR] login failed: jwt=${PLANTED_JWT}`;
    const err = await writeEvidence(r, out()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretLeakError);
    const leak = err as SecretLeakError;
    expect(leak.message).toMatch(/^SECRET LEAK: 1 finding\(s\) in 1 report file\(s\)/);
    expect(leak.message).toContain('vault.log:1:27: JWT-looking string eyJhbGciOiJS…');
    expect(leak.message).not.toContain(PLANTED_JWT);
    expect(existsSync(join(out(), 'evidence', r.plan.id, 'vault.log'))).toBe(false);
    expect(existsSync(join(out(), 'evidence', r.plan.id, 'apiserver.log'))).toBe(true);
  });

  it('fails loudly on a planted root token passed in as a secret, naming only its label', async () => {
    const r = issuerMismatchFail();
    r.evidence['cert-manager.log'] = `line one\nVAULT_TOKEN=${ROOT_TOKEN} vault login`;
    const err = (await writeEvidence(r, out(), { secrets: ['', ROOT_TOKEN] }).catch((e: unknown) => e)) as SecretLeakError;
    expect(err).toBeInstanceOf(SecretLeakError);
    expect(err.findings).toEqual([expect.objectContaining({ kind: 'secret', line: 2, column: 13, detail: `#2 (root-token, ${ROOT_TOKEN.length} chars)` })]);
    expect(err.message).not.toContain(ROOT_TOKEN);
  });

  it('keeps evidence names inside the scenario directory', async () => {
    const r = issuerMismatchFail();
    r.evidence = { '../../escape.log': 'x', '.hidden': 'y', 'a/b.json': 'z' };
    await writeEvidence(r, out());
    const dir = join(out(), 'evidence', r.plan.id);
    // '..' segments become '_..', so a bundle's folders survive and nothing lands outside the scenario's directory
    expect((await readdir(dir, { recursive: true })).sort()).toEqual(['_..', '_../_..', '_../_../escape.log', '_.hidden', 'a', 'a/b.json', 'verdict.txt'].sort());
    expect(existsSync(join(out(), 'escape.log'))).toBe(false);
    expect(existsSync(join(out(), 'evidence', 'escape.log'))).toBe(false);
    expect(safeName('')).toBe('_');
  });
});

describe('findLeaks', () => {
  it('finds unsecured JWTs (empty signature) and every occurrence of a labelled secret', () => {
    const unsecured = `${b64({ alg: 'none' })}.${b64({ sub: 'x' })}.`;
    const text = `a ${unsecured} b s3cr3t-value c s3cr3t-value`;
    const kinds = findLeaks('f', text, [{ label: 'reviewer-jwt', value: 's3cr3t-value' }]).map((f) => `${f.kind}:${f.detail}`);
    expect(kinds).toEqual([expect.stringMatching(/^jwt:eyJ/), 'secret:#1 (reviewer-jwt, 12 chars)', 'secret:#1 (reviewer-jwt, 12 chars)']);
  });

  it('ignores plain text that merely starts like a JWT', () => {
    expect(findLeaks('f', 'eyJ is how {" starts in base64; file.tar.gz; eyJhbGci.only-two', [])).toEqual([]);
  });
});
