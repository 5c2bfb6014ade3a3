import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FOREIGN_CA_PEM } from '../vault/configure/review-host.ts';
import { parseAuthConfig } from './inputs.ts';
import type { KubernetesConfigFacts } from './model.ts';
import { reviewHostFindings } from './review-host.ts';

// A kept process cluster's `vault read -format=json auth/kubernetes/config` with kubernetes_host on a closed port,
// and the CA that cluster's kubeconfig trusts.
const DATA = join(import.meta.dirname, 'testdata', 'review-host');
const clusterCa = readFileSync(join(DATA, 'cluster-ca.pem'), 'utf8');
const unreachable = parseAuthConfig(readFileSync(join(DATA, 'config-unreachable.json'), 'utf8'), 'config-unreachable.json') as KubernetesConfigFacts;
const cluster = { server: 'https://127.0.0.1:26825', caPem: clusterCa };

describe('reviewHostFindings', () => {
  it("names a kubernetes_host that is not the cluster's API server, with the config write that fixes it", () => {
    expect(unreachable.kubernetesHost).toBe('https://127.0.0.1:1');
    const [finding, ...rest] = reviewHostFindings(unreachable, cluster, 'kubernetes');
    expect(rest).toEqual([]);
    expect(finding?.text).toMatch(/^Vault reviews tokens at https:\/\/127\.0\.0\.1:1 \(auth\/kubernetes\/config kubernetes_host\), but this cluster's API server is https:\/\/127\.0\.0\.1:26825/);
    expect(finding?.text).toContain('403 permission denied');
    expect(finding?.text).toContain('vault write auth/kubernetes/config kubernetes_host=https://127.0.0.1:26825 kubernetes_ca_cert=@');
  });

  it('names a kubernetes_ca_cert that shares no certificate with the CA the kubeconfig trusts', () => {
    const findings = reviewHostFindings({ ...unreachable, kubernetesHost: cluster.server, kubernetesCaPem: FOREIGN_CA_PEM }, cluster, 'kubernetes-a1');
    expect(findings).toHaveLength(1);
    expect(findings[0]?.text).toMatch(/^Vault trusts CN=cm-vault-e2e foreign CA \(signs no API server\) for the API server \(auth\/kubernetes-a1\/config kubernetes_ca_cert\), but your kubeconfig trusts CN=cm-vault-e2e-cluster-ca/);
    expect(findings[0]?.text).toContain('x509: certificate signed by unknown authority');
  });

  it('finds nothing where Vault reviews at the cluster it reads, with its CA (a bundle holding it included)', () => {
    expect(reviewHostFindings({ ...unreachable, kubernetesHost: `${cluster.server}/` }, cluster, 'kubernetes')).toEqual([]);
    expect(reviewHostFindings({ ...unreachable, kubernetesHost: cluster.server, kubernetesCaPem: `${FOREIGN_CA_PEM}${clusterCa}` }, cluster, 'kubernetes')).toEqual([]);
  });

  it("takes the API server's Service name from a Vault in the cluster as the same API server, not from one outside", () => {
    const inCluster = { ...unreachable, kubernetesHost: 'https://kubernetes.default.svc' };
    expect(reviewHostFindings(inCluster, cluster, 'kubernetes', true)).toEqual([]);
    expect(reviewHostFindings(inCluster, cluster, 'kubernetes', false)).toHaveLength(1);
  });
});
