import { corednsOfficial, crictlOfficial, helmOfficial, kindOfficial } from '../official/sources.ts';
import { goInstallRecipe } from './go-install.ts';

export const helmRecipe = (version: string) =>
  goInstallRecipe({
    name: 'helm',
    module: 'helm.sh/helm/v3',
    version,
    // The process cluster renders the chart's RBAC with `helm template` too.
    sets: ['local', 'kind'],
    official: helmOfficial(version),
    ldflags: [`-X helm.sh/helm/v3/internal/version.version=${version}`],
    binaries: [{ name: 'helm', pkg: 'helm.sh/helm/v3/cmd/helm', versionArgs: ['version', '--short'], versionContains: version }],
  });

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
