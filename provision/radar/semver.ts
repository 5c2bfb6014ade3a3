/** Release versions as the registries list them: `vX.Y.Z` (Go) or `X.Y.Z` (PyPI); pre-releases are not releases. */
export interface Release {
  major: number;
  minor: number;
  patch: number;
}

const RELEASE = /^v?(\d+)\.(\d+)\.(\d+)$/;

export function parseRelease(version: string): Release | undefined {
  const m = RELEASE.exec(version.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined;
}

export const releaseText = (r: Release) => `v${r.major}.${r.minor}.${r.patch}`;
export const lineOf = (r: Release) => `v${r.major}.${r.minor}`;

export function compareReleases(a: Release, b: Release): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** The newest release of `list` (optionally within one `vX.Y` line). */
export function newest(list: readonly Release[], line?: string): Release | undefined {
  let best: Release | undefined;
  for (const r of list) {
    if (line && lineOf(r) !== line) continue;
    if (!best || compareReleases(r, best) > 0) best = r;
  }
  return best;
}
