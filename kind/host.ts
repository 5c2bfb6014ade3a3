/**
 * Which pinned Kubernetes the kind backend can run on this host: the pinned kind must render a kubeadm config the
 * release reads (profiles.ts#kindCannotCreate), and the kubelet must start on the host's cgroup version.
 *
 * cgroup v1: kubelet 1.35+ defaults `failCgroupV1` to true and then refuses to start
 * (kubernetes/kubernetes@v1.37.2 pkg/kubelet/apis/config/validation/validation_linux.go#validateKubeletOSConfiguration
 * refuses cgroup v1 only while it is true); profiles.ts#kubeletSettings sets it false from 1.35. kind v0.33.0 itself
 * only warns on a cgroup v1 host (sigs.k8s.io/kind pkg/cluster/internal/create/create.go).
 */
import { compareVersions } from '../lib/semver.ts';
import type { KindSupport, KubernetesOnHost } from '../provision/doctor.ts';
import { kindCannotCreate, kubeletSettings } from './profiles.ts';

/** What `doctor` reports of kind on this host (provision/doctor.ts KindSupport). */
export function kindSupport(kubernetesVersions: readonly string[], kindVersion: string | undefined, cgroup: 'v1' | 'v2'): ReturnType<KindSupport> {
  const versions = kubernetesVersions.map((version): KubernetesOnHost => {
    const cannot = kindCannotCreate(kindVersion, version);
    if (cannot) return { version, runs: false, note: cannot };
    const kubelet = kubeletSettings(version);
    const note = cgroup === 'v1' && 'failCgroupV1' in kubelet ? 'cgroup v1 host: the kubelet runs with failCgroupV1: false (it refuses cgroup v1 by default from 1.35)' : '';
    return { version, runs: true, note };
  });
  const running = versions.filter((v) => v.runs).map((v) => v.version);
  const newest = running.sort(compareVersions).at(-1);
  return { versions, ...(newest ? { newest } : {}) };
}
