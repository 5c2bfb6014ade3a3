import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

/**
 * A temporary directory made before each test (or once for the file, `per: 'file'`) and removed after it;
 * call the answer inside a test for its path.
 */
export function useTempDir(prefix: string, per: 'test' | 'file' = 'test'): () => string {
  let dir: string | undefined;
  const [before, after] = per === 'test' ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), `cm-vault-e2e-${prefix}-`));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (!dir) throw new Error('the temporary directory exists only inside a test');
    return dir;
  };
}
