// The repository's own files, for the hermetic checks that read the tree (docs/docs.test.ts, cli/run-settings.test.ts).
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file below `root`, relative to it and sorted, outside node_modules and dot directories (.git, .ci). */
export function repoFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) out.push(relative(root, full));
    }
  };
  walk(root);
  return out.sort();
}
