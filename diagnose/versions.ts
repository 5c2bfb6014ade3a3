import { atLeast, parseCertManagerVersion, type CertManagerVersion } from '../scenarios/oracle/version.ts';
import { compareVersions, type Versions } from '../scenarios/versions.ts';

/**
 * The oracle's cert-manager rules change at v1.15 (serviceAccountRef.audiences), v1.16 and v1.21 (the chart's
 * tokenrequest Role) and v1.20 (spec.vault.server in the audiences): two releases in the same band behave alike.
 */
function band(v: CertManagerVersion): string {
  return [atLeast(v, 1, 15), atLeast(v, 1, 16), atLeast(v, 1, 20), atLeast(v, 1, 21)].map(Number).join('');
}

/** The pinned release that behaves as `version` does: the same minor if pinned, else the closest one in its band. */
export function pinnedEquivalent(version: string, versions: Versions): string | undefined {
  const pinned = versions.certManager.versions;
  if (pinned.includes(version)) return version;
  const wanted = parseCertManagerVersion(version);
  const same = pinned.filter((p) => band(parseCertManagerVersion(p)) === band(wanted));
  const sameMinor = same.filter((p) => parseCertManagerVersion(p).minor === wanted.minor && parseCertManagerVersion(p).major === wanted.major);
  if (sameMinor.length) return sameMinor[sameMinor.length - 1];
  const below = same.filter((p) => compareVersions(p, version) <= 0);
  return below[below.length - 1] ?? same[0];
}

/** The oldest pinned release with serviceAccountRef.audiences. */
export function firstWithAudiences(versions: Versions): string | undefined {
  return versions.certManager.versions.find((v) => atLeast(parseCertManagerVersion(v), 1, 15));
}
