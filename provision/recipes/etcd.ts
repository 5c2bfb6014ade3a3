import { isLocalReplace, parseReplaces, goDirective, wrapperOf } from '../gomod.ts';
import type { GoRecipe } from '../recipe.ts';

// etcd's server module replaces its sibling modules with local paths; the siblings are tagged at the same
// version, so the wrapper requires them at that tag instead.
export function etcdRecipe(version: string, module = 'go.etcd.io/etcd/server/v3'): GoRecipe {
  return {
    kind: 'go',
    name: 'etcd',
    version,
    sets: ['local', 'kind'],
    ldflags: [],
    binaries: [{ name: 'etcd', pkg: module, versionArgs: ['--version'], versionContains: version.replace(/^v/, '') }],
    async wrapper(ctx) {
      const upstream = await ctx.goModOf(module, version);
      const siblings = parseReplaces(upstream).filter(isLocalReplace).map((r) => r.from);
      return wrapperOf({
        module: 'cmvaulte2e.local/wrap/etcd',
        go: goDirective(upstream) ?? '1.24',
        require: [module, ...siblings].map((path) => ({ path, version })),
        replace: [],
      });
    },
  };
}
