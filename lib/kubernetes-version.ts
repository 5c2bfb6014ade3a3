/** The minor of a Kubernetes release tag (`v1.37.2` → 37): version-dependent behaviour is keyed on it. */
export function kubernetesMinor(version: string): number {
  const m = /^v?1\.(\d+)\./.exec(version);
  if (!m) throw new Error(`kubernetes version ${version} is not of the form v1.<minor>.<patch>`);
  return Number(m[1]);
}
