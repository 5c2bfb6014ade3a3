// Versions (`v1.21.1`, `1.21.1`, `v1.22.0-alpha.1`) parsed and ordered by the semver package, the one comparer
// here: a pre-release sorts before its release and by its identifiers (alpha.2 < alpha.10 < beta.1 < rc.1).
import semver, { type SemVer } from 'semver';

export type { SemVer };

/** The version, or undefined when it is not one; a leading `v` and surrounding spaces are allowed. */
export function parseVersion(version: string): SemVer | undefined {
  return semver.parse(version) ?? undefined;
}

function version(v: string | SemVer): SemVer {
  if (typeof v !== 'string') return v;
  const parsed = parseVersion(v);
  if (!parsed) throw new Error(`"${v}" is not a version of the form vMAJOR.MINOR.PATCH[-PRERELEASE]`);
  return parsed;
}

/** Order of two versions (negative when a < b, for Array.sort); throws naming one that is not a version. */
export function compareVersions(a: string | SemVer, b: string | SemVer): number {
  return semver.compare(version(a), version(b));
}

/** A release as registries list them: a version without pre-release or build parts (`v1.22.0-rc.1`, `v2.0.0+incompatible` are none). */
export function parseRelease(text: string): SemVer | undefined {
  const v = parseVersion(text);
  return v && v.prerelease.length === 0 && v.build.length === 0 ? v : undefined;
}

type Numbers = Pick<SemVer, 'major' | 'minor' | 'patch'>;
export const releaseText = (v: Numbers) => `v${v.major}.${v.minor}.${v.patch}`;
export const lineOf = (v: Numbers) => `v${v.major}.${v.minor}`;

/** The newest of `list` (optionally within one `vX.Y` line). */
export function newest(list: readonly SemVer[], line?: string): SemVer | undefined {
  return list.filter((v) => !line || lineOf(v) === line).reduce<SemVer | undefined>((best, v) => (!best || compareVersions(v, best) > 0 ? v : best), undefined);
}

/** The minor of a Kubernetes release tag (`v1.37.2` → 37): version-dependent behaviour is keyed on it. */
export function kubernetesMinor(kubernetesVersion: string): number {
  const v = parseVersion(kubernetesVersion);
  if (!v || v.major !== 1) throw new Error(`kubernetes version ${kubernetesVersion} is not of the form v1.<minor>.<patch>`);
  return v.minor;
}
