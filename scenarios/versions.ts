import { packageFile } from '../lib/package-root.ts';
import { z } from 'zod';
import { InputError } from '../lib/errors.ts';
import { compareVersions } from '../lib/semver.ts';
import type { VaultEngine } from './types.ts';
import { displayPath } from './paths.ts';
import { FIX, firstError, type Problem, zodProblems } from './zod-errors.ts';
import { readYamlFile } from './yaml-source.ts';

/** The versions file shipped with this package (the single source of every pinned component). */
export const VERSIONS_FILE = packageFile('versions.yaml');

/** Ordering of versions, for the modules that read versions.yaml (lib/semver.ts). */
export { compareVersions };

export const VERSION_PATTERN = /^v\d+\.\d+\.\d+$/;
const Version = z.string().regex(VERSION_PATTERN, `must be a version like v1.16.5${FIX}write it as vMAJOR.MINOR.PATCH`);

const Entry = z
  .looseObject({
    commit: z.string().optional(),
    pseudo: z.string().optional(),
    module: z.string().optional(),
    stagingVersion: z.string().optional(),
    /** go.mod replacements the build needs for this version. */
    replace: z.record(z.string(), z.string()).optional(),
  })
  .nullable();

export const INSTALLERS = ['helm3', 'helm4'] as const;
export type Installer = (typeof INSTALLERS)[number];

const Component = z.looseObject({
  default: Version,
  /** The versions CI builds from a cold cache and runs (default: only `default`); the rest run in the main job. */
  ci: z.array(Version).optional(),
  module: z.string().optional(),
  versions: z.record(Version, Entry),
  /** Newer releases tried here that do not build, each with why: `versions --check` does not count them as behind. */
  tried: z.record(Version, z.string()).optional(),
});

const Pinned = z.looseObject({ version: z.string(), module: z.string().optional() });

const VersionsFile = z.looseObject({
  kubernetes: Component,
  certManager: Component.extend({ installer: z.enum(INSTALLERS).optional() }),
  vault: Component,
  openbao: Component,
  etcd: Pinned.optional(),
  coredns: Pinned.optional(),
  pause: Pinned.optional(),
  kind: Pinned.optional(),
  helm: Pinned.optional(),
  helm4: Pinned.optional(),
  crictl: Pinned.optional(),
});

export type VersionEntry = { commit?: string; pseudo?: string; module?: string; stagingVersion?: string; replace?: Record<string, string> } & Record<string, unknown>;

export interface ComponentVersions {
  default: string;
  /** The versions CI builds and runs: `default` unless the file lists more under `ci`. */
  ci: string[];
  module?: string;
  /** Every pinned version, oldest first. */
  versions: string[];
  entries: Record<string, VersionEntry>;
  /** Releases tried here that do not build, and why. */
  tried: Record<string, string>;
}

export interface Versions {
  /** The file these came from, as shown to the user. */
  file: string;
  kubernetes: ComponentVersions;
  certManager: ComponentVersions;
  vault: ComponentVersions;
  openbao: ComponentVersions;
  /** The Helm that installs cert-manager where a scenario does not choose (certManager.installer). */
  certManagerInstaller: Installer;
  /** Single-version components (etcd, coredns, pause, kind, helm, helm4, crictl), as written. */
  pinned: Record<string, { version: string; module?: string }>;
  /** The raw file, for fields this module does not type. */
  raw: Record<string, unknown>;
}

const COMPONENTS = ['kubernetes', 'certManager', 'vault', 'openbao'] as const;
const PINNED = ['etcd', 'coredns', 'pause', 'kind', 'helm', 'helm4', 'crictl'] as const;

/** Load and validate the versions file; every problem is an InputError naming the file, line, field and fix. */
export function loadVersions(file: string = VERSIONS_FILE): Versions {
  const label = displayPath(file);
  const docs = readYamlFile(file, label);
  const doc = docs[0];
  if (!doc || docs.length > 1) {
    throw new InputError({ file: label }, docs.length ? 'holds more than one YAML document' : 'is empty', 'keep one mapping with kubernetes, certManager, vault and openbao');
  }
  const value = doc.value;
  const where = { file: label, lineAt: (p: ReadonlyArray<string | number>) => doc.lineAt(p) };
  const parsed = VersionsFile.safeParse(value);
  if (!parsed.success) throw firstError(zodProblems(parsed.error.issues, VersionsFile, value), where)!;

  const problems: Problem[] = COMPONENTS.flatMap((name) => {
    const c = parsed.data[name];
    const listed = Object.keys(c.versions).join(', ');
    const unknownCi = (c.ci ?? []).map((v, i) => [v, i] as const).filter(([v]) => !(v in c.versions));
    return [
      ...(c.default in c.versions ? [] : [{ path: [name, 'default'], problem: `default ${c.default} is not listed under ${name}.versions`, fix: `add ${c.default} to ${name}.versions, or set default to one of: ${listed}` }]),
      ...unknownCi.map(([v, i]) => ({ path: [name, 'ci', i], problem: `${v} is not listed under ${name}.versions`, fix: `pin it under ${name}.versions, or list only pinned versions: ${listed}` })),
    ];
  });
  const error = firstError(problems, where);
  if (error) throw error;

  const pinned: Versions['pinned'] = {};
  for (const name of PINNED) {
    const p = parsed.data[name];
    if (p) pinned[name] = p.module ? { version: p.version, module: p.module } : { version: p.version };
  }
  return {
    file: label,
    kubernetes: component(parsed.data.kubernetes),
    certManager: component(parsed.data.certManager),
    vault: component(parsed.data.vault),
    openbao: component(parsed.data.openbao),
    certManagerInstaller: parsed.data.certManager.installer ?? 'helm3',
    pinned,
    raw: value as Record<string, unknown>,
  };
}

export function engineVersions(versions: Versions, engine: VaultEngine): ComponentVersions {
  return engine === 'openbao' ? versions.openbao : versions.vault;
}

function component(c: z.infer<typeof Component>): ComponentVersions {
  const entries: Record<string, VersionEntry> = {};
  for (const [v, e] of Object.entries(c.versions)) entries[v] = (e ?? {}) as VersionEntry;
  return {
    default: c.default,
    ci: [...new Set([c.default, ...(c.ci ?? [])])].sort(compareVersions),
    ...(c.module ? { module: c.module } : {}),
    versions: Object.keys(c.versions).sort(compareVersions),
    entries,
    tried: c.tried ?? {},
  };
}

