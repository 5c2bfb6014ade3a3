// Temporary directories for unit tests, removed after each test file by the unit project's setup file
// (lib/unit-setup.ts). The unit project shares one module graph per worker (vitest.config.ts `isolate: false`), so a
// hook registered where a helper module is first imported would attach to that one file only and the directories
// of every later file in the worker would stay in the system temp dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A fresh directory under the system temp dir, named `prefix` + random, removed when the test file ends. */
export function testTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every directory testTempDir made so far. */
export function removeTestTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
