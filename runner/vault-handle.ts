import type { VaultEngine } from '../scenarios/types.ts';
import { createVaultClient } from '../vault/client.ts';
import { DEFAULT_PKI_ROLE, enablePki } from '../vault/configure/pki.ts';
import { writeIssuerPolicy } from '../vault/configure/policy.ts';
import type { InClusterVault } from '../vault/placements/in-cluster.ts';
import { enableFileAudit } from '../vault/configure/audit.ts';
import { DEFAULT_ISSUER_POLICY } from '../scenarios/oracle/vault-policy.ts';
import type { RunningVault } from '../vault/placements/placement.ts';
import type { VaultHandle } from './environment.ts';

const POLICY = DEFAULT_ISSUER_POLICY;

/**
 * What every scenario of an environment shares in a freshly started Vault: a PKI mount with a root and a role,
 * and the policy issuers log in to. Auth mounts are per scenario (runner/vault-setup.ts).
 */
export async function prepareVault(
  running: RunningVault,
  o: { engine: VaultEngine; version: string; server?: string } & Pick<VaultHandle, 'kubernetesHost' | 'podServiceAccount'>,
): Promise<VaultHandle> {
  const admin = createVaultClient({ address: running.address, caPem: running.caPem, token: running.rootToken });
  // First, so every later request (each scenario's login and sign) has its audit entries.
  const auditUnavailable = await enableFileAudit(admin);
  const pkiRootPem = await enablePki(admin, { mount: 'pki', commonName: `cm-vault-e2e ${o.engine} ${o.version} root` });
  await writeIssuerPolicy(admin, { name: POLICY, pkiMount: 'pki', role: DEFAULT_PKI_ROLE });
  return {
    engine: o.engine,
    version: o.version,
    server: o.server ?? running.address,
    caPem: running.caPem,
    admin,
    pkiMount: 'pki',
    pkiRole: DEFAULT_PKI_ROLE,
    pkiRootPem,
    policy: POLICY,
    ...(auditUnavailable ? { auditUnavailable } : {}),
    ...(o.kubernetesHost ? { kubernetesHost: o.kubernetesHost } : {}),
    ...(o.podServiceAccount ? { podServiceAccount: o.podServiceAccount } : {}),
    logLines: () => running.logLines(),
  };
}

/** The in-cluster API address, as a pod reaches it. */
export const IN_CLUSTER_API = 'https://kubernetes.default.svc';

/** A Vault in a pod: clients in the cluster use its Service, and it reviews tokens as its own ServiceAccount. */
export function prepareInClusterVault(running: InClusterVault, o: { engine: VaultEngine; version: string }): Promise<VaultHandle> {
  return prepareVault(running, {
    ...o,
    server: running.inClusterAddress,
    kubernetesHost: IN_CLUSTER_API,
    podServiceAccount: { namespace: running.namespace, name: running.serviceAccount },
  });
}
