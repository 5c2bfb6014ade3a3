import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../provision/build.ts';
import { cacheLayout } from '../provision/cache.ts';
import { entryKey, readManifest } from '../provision/manifest.ts';
import { loadPins } from '../provision/pins.ts';
import { allRecipes } from '../provision/recipes/index.ts';

// Every provisioned binary answers its version question with the pinned version, and is the file the manifest hashed.
const recipes = allRecipes(await loadPins());
const manifest = await readManifest(cacheLayout().manifest);

describe('provisioned binaries', () => {
  for (const recipe of recipes) {
    const entry = manifest.artifacts[entryKey(recipe.name, recipe.version)];
    for (const spec of recipe.binaries) {
      const title = `${recipe.name} ${recipe.version}: ${spec.name} ${spec.versionArgs.join(' ')}`;
      const built = entry?.binaries.find((b) => b.name === spec.name);
      if (!built || !existsSync(built.path)) {
        it.skip(`${title} — not provisioned here (npx cm-vault-e2e provision --only ${entryKey(recipe.name, recipe.version)})`, () => {});
        continue;
      }
      it(title, async () => {
        const r = await execa(built.path, spec.versionArgs, { all: true, reject: false, timeout: 30_000 });
        expect(r.all).toContain(spec.versionContains);
        expect(await sha256(built.path)).toBe(built.sha256);
      });
    }
  }
});
