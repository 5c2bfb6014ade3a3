import type { GoRecipe } from '../recipe.ts';
import { certManagerWrapper } from '../certmanager/wrapper.ts';
import { certManagerChart, certManagerCrds } from '../certmanager/crds.ts';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const MODULE = 'github.com/cert-manager/cert-manager';

// The controller's main is a nested module the proxy does not serve; the launcher links the real controllers
// of the root module at the pinned version (provision/certmanager/).
export function certManagerRecipes(version: string, commit: string): GoRecipe[] {
  const controller: GoRecipe = {
    kind: 'go',
    name: 'cert-manager-controller',
    version,
    sets: ['local', 'kind'],
    ldflags: certManagerWrapper({ version, commit, binary: 'controller' }).ldflags,
    binaries: [{ name: 'cert-manager-controller', pkg: certManagerWrapper({ version, commit, binary: 'controller' }).mainPackage, versionArgs: ['--version'], versionContains: version }],
    async wrapper() {
      const w = certManagerWrapper({ version, commit, binary: 'controller' });
      return { goMod: w.goMod, modules: [{ path: MODULE, version }], files: w.files };
    },
    async extras(ctx, dest) {
      const dir = await ctx.moduleDir(MODULE, version);
      await writeFile(join(dest, 'crds.yaml'), certManagerCrds(dir, version));
      await certManagerChart(dir, version, join(dest, 'chart'));
      return ['crds.yaml', 'chart'];
    },
  };
  return [controller];
}
