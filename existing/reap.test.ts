import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../lib/test-support/temp-dir.ts';
import { byHand, reconnect } from './reap.ts';

const dir = useTempDir('existing-reap');
const kubeconfig = (server: string) => `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: '${server}' } }]
users: [{ name: u, user: { token: not-a-real-one } }]
contexts: [{ name: aks, context: { cluster: c, user: u } }, { name: other, context: { cluster: c, user: u } }]
current-context: other
`;

describe("reaping a killed run's objects on a cluster it did not make", () => {
  const objects = (file: string) => ({ kind: 'cluster-objects' as const, run: 'rdead1', server: 'https://aks.example:443', kubeconfig: file, context: 'aks' });

  it('reaches the cluster through the recorded context, whatever the current one is now', async () => {
    const file = join(dir(), 'config');
    await writeFile(file, kubeconfig('https://aks.example:443'));
    const kc = reconnect(objects(file), 'by hand');
    expect(kc.getCurrentContext()).toBe('aks');
    expect(kc.getCurrentCluster()?.server).toBe('https://aks.example:443');
  });

  it('refuses a kubeconfig since pointed at another cluster, or gone, with what to run by hand', async () => {
    const file = join(dir(), 'config');
    await writeFile(file, kubeconfig('https://eks.example:443'));
    expect(() => reconnect(objects(file), 'FIX')).toThrow(`context aks of ${file} now names https://eks.example:443, not https://aks.example:443; run by hand, against that cluster: FIX`);
    expect(() => reconnect({ ...objects(file), context: 'gone' }, 'FIX')).toThrow(`its kubeconfig ${file} no longer has context gone; run by hand: FIX`);
    expect(() => reconnect(objects(join(dir(), 'missing')), 'FIX')).toThrow(/^its kubeconfig .*missing cannot be read \(.*\); run by hand: FIX$/);
  });

  it('says by hand what reaping would do: every kind it makes, by the run label; the release by name', () => {
    expect(byHand(objects('/k'))).toBe(
      'kubectl --kubeconfig /k --context aks delete certificates.cert-manager.io,issuers.cert-manager.io,deployments.apps,services,rolebindings.rbac.authorization.k8s.io,roles.rbac.authorization.k8s.io,secrets,serviceaccounts,leases.coordination.k8s.io,clusterissuers.cert-manager.io,clusterrolebindings.rbac.authorization.k8s.io,clusterroles.rbac.authorization.k8s.io,customresourcedefinitions.apiextensions.k8s.io,namespaces -A -l io.cm-vault-e2e.run=rdead1',
    );
    expect(byHand({ kind: 'helm-release', name: 'cert-manager', namespace: 'cert-manager', helmVersion: 'v3.19.0', server: 's', kubeconfig: '/k', context: 'aks' })).toBe('helm --kubeconfig /k --kube-context aks -n cert-manager uninstall cert-manager');
  });
});
