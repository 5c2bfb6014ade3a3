import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sha256File } from '../lib/file-sha256.ts';
import { cacheLayout } from '../provision/cache.ts';
import { entryKey, readManifest } from '../provision/manifest.ts';
import { loadPins } from '../provision/pins.ts';
import { allRecipes } from '../provision/recipes/index.ts';

// Every provisioned binary answers its version question with the pinned version, and is the file the manifest hashed.
const pins = await loadPins();
const recipes = allRecipes(pins);
const manifest = await readManifest(cacheLayout().manifest);

describe('provisioned binaries', () => {
  for (const recipe of recipes) {
    const entry = manifest.artifacts[entryKey(recipe.name, recipe.version)];
    for (const spec of recipe.binaries) {
      const title = `${recipe.name} ${recipe.version}: ${spec.name} ${spec.versionArgs.join(' ')}`;
      const built = entry?.binaries.find((b) => b.name === spec.name);
      if (entry && !built) {
        // an artifact provisioned before the recipe gained this binary: provision rebuilds it
        it(title, () => expect.fail(`the manifest entry ${entryKey(recipe.name, recipe.version)} has no ${spec.name}: run npx cm-vault-e2e provision --only ${entryKey(recipe.name, recipe.version)}`));
        continue;
      }
      if (!built || !existsSync(built.path)) {
        it.skip(`${title} — not provisioned here (npx cm-vault-e2e provision --only ${entryKey(recipe.name, recipe.version)})`, () => {});
        continue;
      }
      it(title, async () => {
        const r = await execa(built.path, spec.versionArgs, { all: true, reject: false, timeout: 30_000 });
        expect(r.all).toContain(spec.versionContains);
        expect(await sha256File(built.path)).toBe(built.sha256);
      });
    }
  }
});

describe('cert-manager: controller, webhook and cainjector for every pinned release', () => {
  for (const { version, commit } of pins.certManager) {
    const recipe = recipes.find((r) => r.name === 'cert-manager-controller' && r.version === version);
    it(`${version}: one artifact with the three binaries, each naming itself and the release`, async (ctx) => {
      expect(recipe?.binaries.map((b) => b.name)).toEqual(['cert-manager-controller', 'cert-manager-webhook', 'cert-manager-cainjector']);
      const entry = manifest.artifacts[entryKey('cert-manager-controller', version)];
      if (!entry) ctx.skip();
      const dir = cacheLayout().artifact('cert-manager-controller', version);
      for (const name of ['cert-manager-controller', 'cert-manager-webhook', 'cert-manager-cainjector']) {
        const built = entry!.binaries.find((b) => b.name === name);
        expect(built?.path, `${name} in ${entryKey('cert-manager-controller', version)}`).toBe(`${dir}/${name}`);
        const r = await execa(built!.path, ['--version'], { all: true, reject: false, timeout: 30_000 });
        // the pinned commit, or none where versions.yaml says no source names it (commitUnknown)
        expect(r.all).toMatch(new RegExp(`^${name} ${version.replaceAll('.', '\\.')} \\(commit ${commit},`));
      }
    });
  }
});
