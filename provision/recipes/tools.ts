import { corednsOfficial, crictlOfficial, helmOfficial, kindOfficial } from '../official/sources.ts';
import { helmArtifact } from '../helm-binary.ts';
import { goInstallRecipe } from './go-install.ts';

/**
 * Helm of either major: `helm` (v3, the artifact every release before the second installer used) or `helm4`;
 * the binary is `helm` in both. The process cluster renders the chart's RBAC with `helm template` too.
 */
export const helmRecipe = (version: string) => {
  const major = /^v(\d+)\./.exec(version)?.[1] ?? '3';
  const module = `helm.sh/helm/v${major}`;
  return goInstallRecipe({
    name: helmArtifact(version),
    module,
    version,
    sets: ['local', 'kind'],
    official: helmOfficial(version),
    ldflags: [`-X ${module}/internal/version.version=${version}`],
    binaries: [{ name: 'helm', pkg: `${module}/cmd/helm`, versionArgs: ['version', '--short'], versionContains: version }],
  });
};

export const kindRecipe = (version: string) =>
  goInstallRecipe({
    name: 'kind',
    module: 'sigs.k8s.io/kind',
    version,
    sets: ['kind'],
    official: kindOfficial(version),
    binaries: [{ name: 'kind', pkg: 'sigs.k8s.io/kind', versionArgs: ['version'], versionContains: version }],
  });

export const corednsRecipe = (version: string) =>
  goInstallRecipe({
    name: 'coredns',
    module: 'github.com/coredns/coredns',
    version,
    sets: ['kind'],
    official: corednsOfficial(version),
    binaries: [{ name: 'coredns', pkg: 'github.com/coredns/coredns', versionArgs: ['-version'], versionContains: version.replace(/^v/, '') }],
  });

/** crictl: kind's node image carries it; `kind export logs` lists images and containers with it. */
export const crictlRecipe = (version: string) =>
  goInstallRecipe({
    name: 'crictl',
    module: 'sigs.k8s.io/cri-tools',
    version,
    sets: ['kind'],
    official: crictlOfficial(version),
    ldflags: [`-X sigs.k8s.io/cri-tools/pkg/version.Version=${version}`],
    binaries: [{ name: 'crictl', pkg: 'sigs.k8s.io/cri-tools/cmd/crictl', versionArgs: ['--version'], versionContains: version }],
  });
