import { createHash } from 'node:crypto';
import type { GoRecipe } from '../recipe.ts';
import { certManagerBundle } from '../certmanager/wrapper.ts';
import { certManagerChart, certManagerCrds } from '../certmanager/crds.ts';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const MODULE = 'github.com/cert-manager/cert-manager';

// The mains of the controller, webhook and cainjector are nested modules the proxy does not serve; one
// generated module holds a launcher per component, each linking the real code of the root module at the
// pinned version (provision/certmanager/). One `go build` writes cert-manager-controller,
// cert-manager-webhook and cert-manager-cainjector into the one artifact directory (the name stays
// cert-manager-controller: the rest of the suite finds the controller, CRDs and chart there).
export function certManagerRecipes(version: string, commit: string): GoRecipe[] {
  const bundle = certManagerBundle({ version, commit });
  const recipe: GoRecipe = {
    kind: 'go',
    name: 'cert-manager-controller',
    version,
    sets: ['local', 'kind'],
    ldflags: bundle.ldflags,
    sources: createHash('sha256').update(JSON.stringify([bundle.goMod, bundle.files, bundle.ldflags])).digest('hex').slice(0, 16),
    // the process cluster runs the controller only; kind runs the webhook and cainjector as well
    binaries: bundle.binaries.map((b) => ({ name: b.name, pkg: b.pkg, versionArgs: ['--version'], versionContains: version, ...(b.name === 'cert-manager-controller' ? {} : { sets: ['kind' as const] }) })),
    async wrapper() {
      return { goMod: bundle.goMod, modules: [{ path: MODULE, version }], files: bundle.files };
    },
    async extras(ctx, dest) {
      const dir = await ctx.moduleDir(MODULE, version);
      await writeFile(join(dest, 'crds.yaml'), certManagerCrds(dir, version));
      await certManagerChart(dir, version, join(dest, 'chart'));
      return ['crds.yaml', 'chart'];
    },
  };
  return [recipe];
}
