/** A cert-manager release as the oracle compares it: major.minor decide behaviour, except for rules tied to a patch (atLeastPatch). */
export interface CertManagerVersion {
  /** As written, e.g. `v1.16.5`; also the git tag the citations point at. */
  tag: string;
  major: number;
  minor: number;
  patch: number;
}

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)$/;

export function parseCertManagerVersion(version: string): CertManagerVersion {
  const match = VERSION.exec(version);
  if (!match) throw new Error(`cert-manager version "${version}" is not of the form vMAJOR.MINOR.PATCH`);
  const [, major, minor, patch] = match as unknown as [string, string, string, string];
  const tag = version.startsWith('v') ? version : `v${version}`;
  return { tag, major: Number(major), minor: Number(minor), patch: Number(patch) };
}

export function atLeast(version: CertManagerVersion, major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor);
}

/** For rules that changed in a patch release (e.g. v1.21.2's sanitised Vault errors). */
export function atLeastPatch(version: CertManagerVersion, major: number, minor: number, patch: number): boolean {
  if (version.major !== major || version.minor !== minor) return atLeast(version, major, minor);
  return version.patch >= patch;
}
