/**
 * Cluster profiles as kind configs: one control-plane node running the locally built node image, no kindnet
 * (the image carries a static ptp CNI config), and kubeadm patches that give the API server the profile's
 * `--service-account-issuer` and `--api-audiences`.
 */
import { stringify } from 'yaml';
import { compareVersions, kubernetesMinor, parseVersion } from '../lib/semver.ts';
import { csvJoin } from '../local/apiserver.ts';
import type { ClusterProfile } from '../scenarios/types.ts';
import { POD_SUBNET } from './images/base.ts';
import { keyOf } from './images/common.ts';

export const KIND_API_VERSION = 'kind.x-k8s.io/v1alpha4';
export const SERVICE_SUBNET = '10.96.0.0/16';

export interface KindConfigOptions {
  /** The kind cluster name (see clusterNameFor). */
  name: string;
  /** The node image, e.g. kindest/node:v1.34.4. */
  image: string;
  /** The node's Kubernetes version, for version-dependent kubelet settings. */
  kubernetesVersion: string;
  /** The kind release creating the cluster: it picks the kubeadm API the patches must match (default v1beta3). */
  kindVersion?: string;
}

/** The kind v1alpha4 Cluster fields this suite sets. */
export interface KindCluster {
  kind: 'Cluster';
  apiVersion: typeof KIND_API_VERSION;
  name: string;
  networking: { disableDefaultCNI: true; podSubnet: string; serviceSubnet: string; apiServerAddress: string };
  nodes: Array<{ role: 'control-plane'; image: string }>;
  kubeadmConfigPatches: string[];
}

/**
 * KubeletConfiguration settings for a cgroup v1 host. Up to 1.34 none beyond kind's own (cgroupRoot /kubelet,
 * systemd driver): `failCgroupV1` defaults to false there (1.31–1.34). From 1.35 it defaults to true and the
 * kubelet refuses to start on cgroup v1 unless it is set false.
 */
export function kubeletSettings(kubernetesVersion: string): Record<string, unknown> {
  return kubernetesMinor(kubernetesVersion) >= 35 ? { failCgroupV1: false } : {};
}

/**
 * The kubeadm config API kind renders: v1beta4 from kind v0.32 for Kubernetes 1.36+ (sigs.k8s.io/kind@v0.33.0
 * pkg/cluster/internal/kubeadm/config.go#Config), else v1beta3. v1beta4 writes extraArgs as a list of name/value
 * pairs, v1beta3 as a map; a patch in the other shape would not merge.
 */
export function kubeadmApiVersion(kindVersion: string | undefined, kubernetesVersion: string): 'v1beta3' | 'v1beta4' {
  const kind = kindVersion ? parseVersion(kindVersion) : undefined;
  return kind && compareVersions(kind, 'v0.32.0') >= 0 && kubernetesMinor(kubernetesVersion) >= 36 ? 'v1beta4' : 'v1beta3';
}

/**
 * Why the pinned kind cannot make a node of this Kubernetes, or undefined when it can: kubeadm 1.37 reads only the
 * v1beta4 config, which kind renders from v0.32 (see kubeadmApiVersion).
 */
export function kindCannotCreate(kindVersion: string | undefined, kubernetesVersion: string): string | undefined {
  if (kubernetesMinor(kubernetesVersion) < 37 || kubeadmApiVersion(kindVersion, kubernetesVersion) === 'v1beta4') return undefined;
  return `kind ${kindVersion ?? '(unpinned)'} renders kubeadm's v1beta3 config, which kubeadm ${kubernetesVersion} no longer reads: pin kind ≥ v0.32 in versions.yaml, or run it with --backend local`;
}

/** kubeadm ClusterConfiguration patch values for the profile's API server. */
export function apiServerArgs(profile: ClusterProfile): Record<string, string> {
  return {
    'service-account-issuer': profile.serviceAccountIssuer,
    // a string-slice flag is one CSV record: AKS's quoted-FQDN audience needs its quotes doubled inside quotes
    'api-audiences': csvJoin(profile.apiAudiences),
  };
}

export function kindConfig(profile: ClusterProfile, opts: KindConfigOptions): KindCluster {
  const args = apiServerArgs(profile);
  const extraArgs = kubeadmApiVersion(opts.kindVersion, opts.kubernetesVersion) === 'v1beta4' ? Object.entries(args).map(([name, value]) => ({ name, value })) : args;
  const patches = [stringify({ kind: 'ClusterConfiguration', apiServer: { extraArgs } })];
  const kubelet = kubeletSettings(opts.kubernetesVersion);
  if (Object.keys(kubelet).length) patches.push(stringify({ kind: 'KubeletConfiguration', ...kubelet }));
  return {
    kind: 'Cluster',
    apiVersion: KIND_API_VERSION,
    name: opts.name,
    networking: { disableDefaultCNI: true, podSubnet: POD_SUBNET, serviceSubnet: SERVICE_SUBNET, apiServerAddress: '127.0.0.1' },
    nodes: [{ role: 'control-plane', image: opts.image }],
    kubeadmConfigPatches: patches,
  };
}

export function kindConfigYaml(profile: ClusterProfile, opts: KindConfigOptions): string {
  return stringify(kindConfig(profile, opts), { lineWidth: 0 });
}

/**
 * `cmve-<profile>-<hash>[-<run id>]`: the hash covers everything that shapes the cluster (issuer, audiences, node
 * image and its inputs), so a changed profile or image gets a new cluster instead of reusing a stale one;
 * `instance` (an environment key) keeps environments that run at the same time on separate clusters, and the id
 * of the run that makes it keeps runs apart (and names the owner in `docker ps`).
 */
export function clusterNameFor(profile: ClusterProfile, image: string, imageInputs = '', instance?: string, runId?: string): string {
  const hash = keyOf({ issuer: profile.serviceAccountIssuer, audiences: profile.apiAudiences, image, imageInputs, instance }).slice(0, 8);
  const slug = profile.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 24) || 'profile';
  return `cmve-${slug}-${hash}${runId ? `-${runId}` : ''}`;
}
