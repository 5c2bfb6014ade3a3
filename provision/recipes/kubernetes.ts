import { goDirective, parseReplaces, wrapperOf } from '../gomod.ts';
import { kubernetesOfficial } from '../official/sources.ts';
import type { GoRecipe } from '../recipe.ts';

// k8s.io/kubernetes requires its staging modules at v0.0.0 with ./staging replaces, so `go install` refuses it.
// The wrapper replaces each staging module by its published v0.<minor>.<patch>: those its go.mod points at
// ./staging/src/ (the set grows: 1.36 added k8s.io/streaming and another), else this list of 1.34's.
const STAGING = [
  'api', 'apiextensions-apiserver', 'apimachinery', 'apiserver', 'cli-runtime', 'client-go', 'cloud-provider',
  'cluster-bootstrap', 'code-generator', 'component-base', 'component-helpers', 'controller-manager', 'cri-api',
  'cri-client', 'csi-translation-lib', 'dynamic-resource-allocation', 'endpointslice', 'externaljwt', 'kms',
  'kube-aggregator', 'kube-controller-manager', 'kube-proxy', 'kube-scheduler', 'kubectl', 'kubelet', 'metrics',
  'mount-utils', 'pod-security-admission', 'sample-apiserver', 'sample-cli-plugin', 'sample-controller',
];

// kubeadm and kubectl have a version subcommand instead of a --version flag.
const VERSION_ARGS: Record<string, string[]> = { kubeadm: ['version', '-o', 'short'], kubectl: ['version', '--client'] };

/** The staging modules k8s.io/kubernetes replaces with ./staging/src/ paths in its go.mod. */
export function stagingModules(goMod: string): string[] {
  const listed = parseReplaces(goMod).filter((r) => r.to.startsWith('./staging/src/')).map((r) => r.from);
  return listed.length ? listed : STAGING.map((s) => `k8s.io/${s}`);
}

export function stagingVersion(version: string): string {
  const m = /^v1\.(\d+)\.(\d+)$/.exec(version);
  if (!m) throw new Error(`kubernetes version ${version} is not of the form v1.<minor>.<patch>`);
  return `v0.${m[1]}.${m[2]}`;
}

export function kubernetesLdflags(version: string): string[] {
  const [, minor] = /^v1\.(\d+)\./.exec(version) ?? [];
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${version}`,
    `-X ${pkg}.gitMajor=1`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
  ]);
}

function kubeRecipe(name: string, version: string, commands: string[], sets: GoRecipe['sets'], setsOf: Record<string, GoRecipe['sets']> = {}): GoRecipe {
  const staging = stagingVersion(version);
  const official = kubernetesOfficial(version, commands);
  return {
    kind: 'go',
    name,
    version,
    sets,
    ...(official ? { official } : {}),
    ldflags: kubernetesLdflags(version),
    binaries: commands.map((cmd) => ({
      name: cmd,
      pkg: `k8s.io/kubernetes/cmd/${cmd}`,
      versionArgs: VERSION_ARGS[cmd] ?? ['--version'],
      versionContains: version,
      ...(setsOf[cmd] ? { sets: setsOf[cmd] } : {}),
    })),
    async wrapper(ctx) {
      const upstream = await ctx.goModOf('k8s.io/kubernetes', version);
      return wrapperOf({
        module: `cmvaulte2e.local/wrap/${name}`,
        go: goDirective(upstream) ?? '1.24',
        require: [{ path: 'k8s.io/kubernetes', version }],
        replace: stagingModules(upstream).map((path) => ({ from: path, to: path, toVersion: staging })),
      });
    },
  };
}

// The process cluster runs kube-apiserver alone (no controllers, no scheduler: local/environment.ts).
export const kubeControlPlane = (version: string) =>
  kubeRecipe('kube-control-plane', version, ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'], ['local', 'kind'], {
    'kube-controller-manager': ['kind'],
    'kube-scheduler': ['kind'],
  });

export const kubeNode = (version: string) =>
  kubeRecipe('kube-node', version, ['kubelet', 'kubeadm', 'kube-proxy', 'kubectl'], ['kind']);
