import { isLocalReplace, parseReplaces, goDirective, wrapperOf } from '../gomod.ts';
import type { OfficialSource } from '../official/sources.ts';
import type { ArtifactSet, BinarySpec, GoRecipe } from '../recipe.ts';

/**
 * A program `go install` could build, given the module's own non-local `replace` lines
 * (which `go install` ignores for dependencies but the module needs to compile).
 */
export function goInstallRecipe(opts: {
  name: string;
  module: string;
  version: string;
  sets: ArtifactSet[];
  binaries: BinarySpec[];
  ldflags?: string[];
  /** Pinned replacements from versions.yaml (module path → version), for what the module's own lines cannot give. */
  pinnedReplaces?: Record<string, string>;
  env?: Record<string, string>;
  /** The upstream release of the same binaries, tried before the build. */
  official?: OfficialSource | undefined;
}): GoRecipe {
  return {
    kind: 'go',
    name: opts.name,
    version: opts.version,
    sets: opts.sets,
    ldflags: opts.ldflags ?? [],
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.official ? { official: opts.official } : {}),
    binaries: opts.binaries,
    async wrapper(ctx) {
      const upstream = await ctx.goModOf(opts.module, opts.version);
      return wrapperOf({
        module: `cmvaulte2e.local/wrap/${opts.name}`,
        go: goDirective(upstream) ?? '1.24',
        require: [{ path: opts.module, version: opts.version }],
        replace: [
          ...parseReplaces(upstream).filter((r) => !isLocalReplace(r)),
          ...Object.entries(opts.pinnedReplaces ?? {}).map(([path, version]) => ({ from: path, to: path, toVersion: version })),
        ],
      });
    },
  };
}
