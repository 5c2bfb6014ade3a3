/**
 * Generates the Go module that builds a cert-manager component from the ROOT module
 * github.com/cert-manager/cert-manager at a pinned release.
 *
 * Why: the real mains live in nested modules (cmd/controller declares
 * github.com/cert-manager/cert-manager/controller-binary, …) that the module proxy here does not
 * serve, while the root module is served. So we link the root module's real controllers with a
 * small launcher main of our own (launcher/<binary>/main.go plus one per-release-range compat.go).
 *
 * The wrapper's module path sits under github.com/cert-manager/cert-manager/ on purpose: Go lets a
 * package import `internal/` packages only from below the internal directory's parent *path*, and
 * the launcher must use the root module's internal config packages (scheme defaulting,
 * validation, feature gates) to get the real binary's defaults. The real controller-binary module
 * relies on the same rule. The path is namespaced `cmvaulte2e-<binary>` so that it can never be
 * mistaken for (or collide with) one of cert-manager's own modules.
 *
 * The provisioner builds all three components of a release from ONE generated module
 * (`certManagerBundle`, module path `…/cmvaulte2e`, one package directory per binary), so that their
 * binaries land in one artifact directory from one `go build`; `certManagerWrapper` generates the
 * module of a single component (for building one by hand).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageFile } from '../../lib/package-root.ts';
import { goDirective, parseReplaces, replaceText } from '../gomod.ts';

export type CertManagerBinary = 'controller' | 'webhook' | 'cainjector';
export const CERT_MANAGER_BINARIES: readonly CertManagerBinary[] = ['controller', 'webhook', 'cainjector'];
/** The file name of a component's binary (and its package directory in the bundle): cert-manager-<binary>. */
export const binaryFileName = (binary: CertManagerBinary) => `cert-manager-${binary}`;

export interface CertManagerWrapperInput {
  /** A cert-manager release tag, e.g. v1.16.5. */
  version: string;
  /**
   * The full commit of that tag (goes into `--version`, like cert-manager's own release builds); '' when it
   * cannot be learnt here (the git commit is then left at cert-manager's default, empty).
   */
  commit: string;
  binary: CertManagerBinary;
  /**
   * The root module's go.mod at `version` (e.g. the file `go mod download -json` names as GoMod).
   * When given, its `go` directive and `replace` lines are used and must agree with the built-in
   * table for the pinned releases; when omitted, only releases in that table are accepted.
   */
  rootGoMod?: string;
}

export interface CertManagerWrapper {
  goMod: string;
  /** Relative path → content; written next to go.mod. */
  files: Record<string, string>;
  /** Package to pass to `go build` from the module directory. */
  mainPackage: string;
  /** Linker flags (one token each) to append after `-s -w`. */
  ldflags: string[];
}

export const ROOT_MODULE = 'github.com/cert-manager/cert-manager';

/**
 * The controller launcher's default --controllers (kept in sync with vaultControllers in
 * launcher/controller/main.go by wrapper.test.ts): what a Vault Issuer/ClusterIssuer needs to take
 * a Certificate to Ready. The names are the same in every supported release.
 */
export const VAULT_CONTROLLERS = [
  'issuers',
  'clusterissuers',
  'certificaterequests-approver',
  'certificaterequests-issuer-vault',
  'certificates-trigger',
  'certificates-issuing',
  'certificates-key-manager',
  'certificates-request-manager',
  'certificates-readiness',
  'certificates-revision-manager',
] as const;
export const VERSION_VARIABLE = `${ROOT_MODULE}/pkg/util.AppVersion`;
export const COMMIT_VARIABLE = `${ROOT_MODULE}/pkg/util.AppGitCommit`;

export interface RootGoMod {
  go: string;
  /** `replace` lines in the form `old[ v] => new[ v]`, in file order. */
  replaces: string[];
}

/**
 * What the root go.mod says at each pinned release (checked against the module cache in
 * wrapper.test.ts). The wrapper's `go` line equals the root's (= the controller-binary's), which
 * also gives the same GODEBUG defaults as the real build.
 */
export const PINNED_ROOT_GO_MODS: Readonly<Record<string, RootGoMod>> = {
  'v1.14.7': { go: '1.21', replaces: [] },
  'v1.15.5': {
    go: '1.22.0',
    replaces: [
      'github.com/prometheus/common => github.com/prometheus/common v0.46.0',
      'github.com/prometheus/client_golang => github.com/prometheus/client_golang v1.18.0',
      'github.com/go-asn1-ber/asn1-ber => github.com/go-asn1-ber/asn1-ber v1.5.6',
    ],
  },
  'v1.16.5': { go: '1.23.8', replaces: ['github.com/go-asn1-ber/asn1-ber => github.com/go-asn1-ber/asn1-ber v1.5.6'] },
  'v1.17.4': { go: '1.23.10', replaces: ['github.com/go-asn1-ber/asn1-ber => github.com/go-asn1-ber/asn1-ber v1.5.6'] },
  'v1.18.6': { go: '1.24.0', replaces: ['github.com/go-asn1-ber/asn1-ber => github.com/go-asn1-ber/asn1-ber v1.5.6'] },
  'v1.19.5': { go: '1.25.0', replaces: [] },
  'v1.20.3': { go: '1.25.0', replaces: [] },
  'v1.21.1': { go: '1.26.0', replaces: [] },
  'v1.21.2': { go: '1.26.0', replaces: [] },
};

interface Range {
  /** Inclusive lower bound [major, minor]. */
  from: [number, number];
  /** Exclusive upper bound [major, minor]. */
  to: [number, number];
  /** Directory under launcher/<binary>/ranges/. */
  dir: string;
}

/**
 * Which compat.go each release line uses (a directory is named after the first line it serves). Only
 * lines whose cmd/<binary> sources were compared are listed.
 */
export const LAUNCHER_RANGES: Readonly<Record<CertManagerBinary, readonly Range[]>> = {
  controller: [
    { from: [1, 14], to: [1, 15], dir: 'v1.14' },
    { from: [1, 15], to: [1, 17], dir: 'v1.15' },
    { from: [1, 17], to: [1, 18], dir: 'v1.17' },
    { from: [1, 18], to: [1, 19], dir: 'v1.18' },
    { from: [1, 19], to: [1, 20], dir: 'v1.19' },
    { from: [1, 20], to: [1, 21], dir: 'v1.20' },
    { from: [1, 21], to: [1, 22], dir: 'v1.21' },
  ],
  // cmd/webhook: v1.14 validates with a plain error; v1.15 to v1.21 are the same.
  webhook: [
    { from: [1, 14], to: [1, 15], dir: 'v1.14' },
    { from: [1, 15], to: [1, 22], dir: 'v1.15' },
  ],
  // cmd/cainjector: v1.15 changes validation; v1.16 adds metrics and the Secret-less cache (v1.17 is
  // unchanged; v1.18 to v1.20 only change what the launcher leaves out); v1.21 adds --ignore-namespaces.
  cainjector: [
    { from: [1, 14], to: [1, 15], dir: 'v1.14' },
    { from: [1, 15], to: [1, 16], dir: 'v1.15' },
    { from: [1, 16], to: [1, 21], dir: 'v1.16' },
    { from: [1, 21], to: [1, 22], dir: 'v1.21' },
  ],
};

/**
 * Dependencies the module proxy here refuses at a pinned release, and what the wrapper does
 * instead. Only github.com/Venafi/vcert/v5 v5.13.x (required from cert-manager v1.21) is affected:
 * it is replaced by a local stub that compiles cert-manager's Venafi code but makes every Venafi
 * call fail. Vault issuance does not touch it.
 */
interface Substitution {
  module: string;
  /** Directory under launcher/stubs/ holding the stub module. */
  stubDir: string;
  reason: string;
}
const SUBSTITUTIONS: ReadonlyArray<{ from: [number, number]; to: [number, number]; binaries: CertManagerBinary[]; sub: Substitution }> = [
  {
    from: [1, 21],
    to: [1, 22],
    binaries: ['controller'],
    sub: {
      module: 'github.com/Venafi/vcert/v5',
      stubDir: 'vcert',
      reason: 'github.com/Venafi/vcert/v5 v5.13.7 is not served by the module proxy (403); the Venafi issuer is stubbed out',
    },
  },
];

const LAUNCHER_ROOT = packageFile('provision', 'certmanager', 'launcher');

export class CertManagerWrapperError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertManagerWrapperError';
  }
}

export function parseVersion(version: string): [number, number, number] {
  const m = /^v(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m) throw new CertManagerWrapperError(`cert-manager version ${JSON.stringify(version)} is not a release tag like v1.16.5`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function inRange(v: [number, number, number], from: [number, number], to: [number, number]): boolean {
  const key = v[0] * 1000 + v[1];
  return key >= from[0] * 1000 + from[1] && key < to[0] * 1000 + to[1];
}

/** The compat directory (under launcher/<binary>/ranges/) a release uses. */
export function launcherRange(binary: CertManagerBinary, version: string): string {
  const v = parseVersion(version);
  const range = LAUNCHER_RANGES[binary].find((r) => inRange(v, r.from, r.to));
  if (!range) {
    const known = LAUNCHER_RANGES[binary].map((r) => `v${r.from.join('.')}–<v${r.to.join('.')}`).join(', ');
    throw new CertManagerWrapperError(`no ${binary} launcher for cert-manager ${version}; covered release lines: ${known}`);
  }
  return range.dir;
}

/** Reads the `go` directive and the `replace` lines (single and block form) of a go.mod. */
export function parseRootGoMod(text: string): RootGoMod {
  const go = goDirective(text);
  if (!go) throw new CertManagerWrapperError('the root go.mod has no go directive');
  return { go, replaces: parseReplaces(text).map(replaceText) };
}

function rootGoModFor(version: string, rootGoMod: string | undefined): RootGoMod {
  const pinned = PINNED_ROOT_GO_MODS[version];
  if (rootGoMod === undefined) {
    if (!pinned) {
      throw new CertManagerWrapperError(
        `cert-manager ${version} is not one of the pinned releases (${Object.keys(PINNED_ROOT_GO_MODS).join(', ')}); pass its root go.mod as rootGoMod`,
      );
    }
    return pinned;
  }
  const parsed = parseRootGoMod(rootGoMod);
  if (pinned && (pinned.go !== parsed.go || pinned.replaces.join('\n') !== parsed.replaces.join('\n'))) {
    throw new CertManagerWrapperError(
      `the root go.mod given for cert-manager ${version} (go ${parsed.go}, ${parsed.replaces.length} replace lines) does not match the pinned table (go ${pinned.go}, ${pinned.replaces.length} replace lines)`,
    );
  }
  return parsed;
}

function readLauncher(relative: string): string {
  return readFileSync(join(LAUNCHER_ROOT, relative), 'utf8');
}

/** Files of a stub module directory under launcher/stubs/<dir>/ (recursively, .go and go.mod). */
function readStub(dir: string): Record<string, string> {
  const manifest = readLauncher(`stubs/${dir}/FILES`)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const files: Record<string, string> = {};
  for (const file of manifest) files[`stubs/${dir}/${file}`] = readLauncher(`stubs/${dir}/${file}`);
  return files;
}

interface Generated {
  goMod: string;
  files: Record<string, string>;
  ldflags: string[];
}

/**
 * The module for `binaries` of one release: `prefix(binary)` is the directory of a component's
 * main.go and compat.go ('' = the module root).
 */
function generate(
  version: string,
  commit: string,
  rootGoMod: string | undefined,
  binaries: readonly CertManagerBinary[],
  modulePath: string,
  prefix: (binary: CertManagerBinary) => string,
): Generated {
  if (commit !== '' && !/^[0-9a-f]{40}$/.test(commit)) {
    throw new CertManagerWrapperError(`commit ${JSON.stringify(commit)} for cert-manager ${version} is not a full 40-hex commit`);
  }
  if (binaries.length === 0 || new Set(binaries).size !== binaries.length) {
    throw new CertManagerWrapperError(`binaries ${JSON.stringify(binaries)}: name each component once`);
  }
  const ranges = binaries.map((b) => ({ binary: b, range: launcherRange(b, version) }));
  const root = rootGoModFor(version, rootGoMod);
  const v = parseVersion(version);
  const substitutions = SUBSTITUTIONS.filter((s) => s.binaries.some((b) => binaries.includes(b)) && inRange(v, s.from, s.to)).map((s) => s.sub);

  const files: Record<string, string> = {};
  for (const { binary, range } of ranges) {
    files[`${prefix(binary)}main.go`] = readLauncher(`${binary}/main.go`);
    files[`${prefix(binary)}compat.go`] = readLauncher(`${binary}/ranges/${range}/compat.go`);
  }
  for (const sub of substitutions) Object.assign(files, readStub(sub.stubDir));

  const what = ranges.map(({ binary, range }) => `${binary} (launcher/${binary}/, compat range ${range})`).join(', ');
  const goMod = [
    `// Generated by cm-vault-e2e (provision/certmanager/wrapper.ts) — do not edit.`,
    `// Builds cert-manager's ${what}`,
    `// from ${ROOT_MODULE} ${version} (${commit || 'commit not known'}).`,
    `// The path is under ${ROOT_MODULE}/ so the launcher may import the root module's internal/ packages.`,
    `module ${modulePath}`,
    ``,
    `go ${root.go}`,
    ``,
    ...(root.replaces.length ? [`// Carried over from ${ROOT_MODULE}'s own go.mod at ${version}.`, ...root.replaces.map((r) => `replace ${r}`), ``] : []),
    ...substitutions.flatMap((s) => [`// ${s.reason}.`, `replace ${s.module} => ./stubs/${s.stubDir}`, ``]),
    `require ${ROOT_MODULE} ${version}`,
    ``,
  ].join('\n');
  return { goMod, files, ldflags: [`-X=${VERSION_VARIABLE}=${version}`, ...(commit ? [`-X=${COMMIT_VARIABLE}=${commit}`] : [])] };
}

/** The module of one component: main.go and compat.go at its root, module path …/cmvaulte2e-<binary>. */
export function certManagerWrapper(input: CertManagerWrapperInput): CertManagerWrapper {
  const { version, commit, binary } = input;
  const g = generate(version, commit, input.rootGoMod, [binary], `${ROOT_MODULE}/cmvaulte2e-${binary}`, () => '');
  return { ...g, mainPackage: '.' };
}

export interface CertManagerBundleInput {
  version: string;
  commit: string;
  /** Components to build; default all three. */
  binaries?: readonly CertManagerBinary[];
  rootGoMod?: string;
}

export interface CertManagerBundle {
  goMod: string;
  /** Relative path → content; written next to go.mod. */
  files: Record<string, string>;
  /** One per component: its binary's file name and the package (relative to the module) to build. */
  binaries: Array<{ binary: CertManagerBinary; name: string; pkg: string }>;
  ldflags: string[];
}

export const BUNDLE_MODULE = `${ROOT_MODULE}/cmvaulte2e`;

/**
 * One module building several components of a release (what the provisioner uses): module path
 * …/cmvaulte2e, each component's launcher in the package directory cert-manager-<binary>/, so
 * `go build -o <dir>/ ./cert-manager-controller ./cert-manager-webhook ./cert-manager-cainjector`
 * writes binaries of those names. The requirement is the root module alone, so every component links
 * exactly the dependency versions it would in a module of its own.
 */
export function certManagerBundle(input: CertManagerBundleInput): CertManagerBundle {
  const binaries = input.binaries ?? CERT_MANAGER_BINARIES;
  const g = generate(input.version, input.commit, input.rootGoMod, binaries, BUNDLE_MODULE, (b) => `${binaryFileName(b)}/`);
  return { ...g, binaries: binaries.map((binary) => ({ binary, name: binaryFileName(binary), pkg: `./${binaryFileName(binary)}` })) };
}

