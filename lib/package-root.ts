import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The name in this package's package.json: what marks its root directory. */
const PACKAGE_NAME = 'cm-vault-e2e';

/**
 * The directory of this package's package.json, found upward from this module. Files shipped beside the code
 * (versions.yaml, the catalogue, scripts) are named from it rather than from each module's own URL, because the
 * CLI may run as one compiled module (bin/cm-vault-e2e.js) whose URL is not where any source file lies.
 */
export const PACKAGE_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A file or directory shipped with this package, by its path from the package root. */
export function packageFile(...segments: string[]): string {
  return join(PACKAGE_ROOT, ...segments);
}

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (nameOf(join(dir, 'package.json')) === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json named ${PACKAGE_NAME} above ${from}`);
  }
}

function nameOf(file: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}
