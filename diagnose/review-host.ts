import { X509Certificate } from 'node:crypto';
import type { ReviewHost } from '../scenarios/types.ts';
import type { KubernetesConfigFacts } from './model.ts';

export interface ReviewHostFinding {
  kind: ReviewHost;
  text: string;
}

/** The API server diagnose itself reads: the kubeconfig's server and the CA it trusts there. */
export interface ClusterEndpoint {
  server: string;
  caPem?: string;
}

/** Names a Vault inside the cluster uses for the API server's Service (https://kubernetes.default.svc…). */
const IN_CLUSTER_HOST = /^kubernetes(\.default(\.svc(\.[a-z0-9.-]+)?)?)?$/;

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function fingerprints(pem: string): Set<string> {
  const out = new Set<string>();
  for (const block of pem.match(PEM_BLOCK) ?? []) {
    try {
      out.add(new X509Certificate(block).fingerprint256);
    } catch {
      // a block that does not parse is no CA Vault can use either; Vault refuses such a config write
    }
  }
  return out;
}

function subjectOf(pem: string): string {
  const block = pem.match(PEM_BLOCK)?.[0];
  try {
    return block ? new X509Certificate(block).subject.replaceAll('\n', ', ') : '(none)';
  } catch {
    return '(unparsable)';
  }
}

/**
 * Where Vault's Kubernetes auth reviews tokens against another API server than the one diagnose reads: a
 * `kubernetes_host` elsewhere, or a `kubernetes_ca_cert` sharing no certificate with the CA the kubeconfig trusts.
 * Either makes every login 403 `permission denied`, indistinguishable from an audience refusal at the client
 * (scenarios/oracle/review-host.ts). A Vault in the cluster naming the API server's Service is not a mismatch.
 */
export function reviewHostFindings(config: KubernetesConfigFacts, cluster: ClusterEndpoint, mount: string, vaultInCluster?: boolean): ReviewHostFinding[] {
  const findings: ReviewHostFinding[] = [];
  const fix = `vault write auth/${mount}/config kubernetes_host=${cluster.server} kubernetes_ca_cert=@<this cluster's CA> …the other fields as now (a write replaces the whole config)`;
  const host = config.kubernetesHost;
  if (host && !sameOrigin(host, cluster.server) && !(vaultInCluster !== false && IN_CLUSTER_HOST.test(hostnameOf(host)))) {
    findings.push({
      kind: 'unreachable',
      text:
      `Vault reviews tokens at ${host} (auth/${mount}/config kubernetes_host), but this cluster's API server is ${cluster.server}: ` +
        `where nothing answers at ${host}, or another cluster does, every login is 403 permission denied, exactly like an audience refusal ` +
        `(Vault's DEBUG log says "login unauthorized: err=…" with the dial error). Fix, unless Vault reaches this API server at ${host} through a proxy: ${fix}`,
    });
  }
  if (config.kubernetesCaPem && cluster.caPem) {
    const vaultCas = fingerprints(config.kubernetesCaPem);
    const clusterCas = fingerprints(cluster.caPem);
    if (vaultCas.size && clusterCas.size && ![...vaultCas].some((f) => clusterCas.has(f))) {
      findings.push({
        kind: 'wrong-ca',
        text:
        `Vault trusts ${subjectOf(config.kubernetesCaPem)} for the API server (auth/${mount}/config kubernetes_ca_cert), but your kubeconfig trusts ${subjectOf(cluster.caPem)} for ${cluster.server}: ` +
          `Vault's TLS handshake fails ("x509: certificate signed by unknown authority" in its DEBUG log) and every login is 403 permission denied. Fix: ${fix}`,
      });
    }
  }
  return findings;
}

function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return a === b;
  }
}
