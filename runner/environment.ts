import type { ClusterAccess, Kube } from '../lib/kube.ts';
import type { VaultClient } from '../vault/client.ts';
import type { ClusterProfile, Placement, VaultEngine } from '../scenarios/types.ts';

/** A Vault the scenarios of one environment share; each scenario gets its own auth mount and role. */
export interface VaultHandle {
  engine: VaultEngine;
  version: string;
  /** spec.vault.server: the address cert-manager's controller reaches Vault at. */
  server: string;
  caPem: string;
  /** Root-token client, for configuration only. */
  admin: VaultClient;
  pkiMount: string;
  pkiRole: string;
  pkiRootPem: string;
  policy: string;
  /** Why this Vault has no audit device, when it refused one (the audit side is then not judged). */
  auditUnavailable?: string;
  /** How this Vault reaches the API server, when it differs from the environment's `kubernetesHostForVault`. */
  kubernetesHost?: string;
  /**
   * Set when Vault runs in a pod as this ServiceAccount (bound to system:auth-delegator): a `local-token` review
   * then really uses the pod's own token. Unset, an in-cluster placement is emulated (see runner/vault-setup.ts).
   */
  podServiceAccount?: { namespace: string; name: string };
  /** The server log so far, secrets redacted. */
  logLines(): Promise<string[]>;
}

/**
 * Where scenarios run: a cluster with cert-manager, and Vaults beside it. Backends (the process cluster, kind)
 * implement it; the scenario runner only talks to this interface.
 */
/**
 * The objects of the one scenario a kept or paused environment still holds, under the names it ran with: with
 * `--parallel` above 1 a scenario runs under isolated names (runner/isolate.ts: `auth/kubernetes-e0797`,
 * `team-a-e0797`), which the written scenario does not show.
 */
export interface HeldObjects {
  scenario: string;
  issuer: { kind: 'Issuer' | 'ClusterIssuer'; name: string; namespace?: string };
  /** The Vault auth mount the run wrote (the Issuer's mountPath may name another one on purpose). */
  mount: string;
  role: string;
  engine: VaultEngine;
  version: string;
}

export interface ScenarioEnvironment {
  readonly key: string;
  readonly backend: 'local' | 'kind' | 'existing';
  readonly profile: ClusterProfile;
  readonly kube: Kube;
  readonly access: ClusterAccess;
  /** The cluster's ServiceAccount token signing key, for Vault's JWT auth. */
  readonly signingKeyPublicPem: string;
  /** The namespace cert-manager keeps ClusterIssuer credentials in. */
  readonly clusterResourceNamespace: string;
  /** The identity cert-manager's controller acts as (for the token-request Role). */
  readonly controllerServiceAccount: { namespace: string; name: string };
  /** How Vault reaches the API server. */
  readonly kubernetesHostForVault: string;
  /** Plain statements about this environment and what it can only emulate (shown in reports). */
  readonly notes: string[];
  /** Per Vault placement, what this backend only emulates (shown with each scenario of that placement). */
  readonly emulated?: Partial<Record<Placement, string>>;
  /** The Vault for these; a backend may serve both placements with one process (the process cluster does). */
  vault(engine: VaultEngine, version: string, placement: Placement): Promise<VaultHandle>;
  /** Upgrade (or downgrade) cert-manager in place: CRDs first, then the controller, as the upgrade guide says. */
  upgradeCertManager(version: string): Promise<void>;
  apiserverLog(): Promise<string[]>;
  /**
   * False where the API server's log cannot be read (a managed control plane): `apiserverLog()` answers [] and
   * the apiserver side is reported as not observable instead of judged. Absent = true.
   */
  readonly apiserverLogReadable?: boolean;
  certManagerLog(): Promise<string[]>;
  /** The cluster's whole log bundle (e.g. `kind export logs`), path -> text, for a failed scenario's evidence. */
  exportLogs?(): Promise<Record<string, string>>;
  /** Secrets to scrub from anything this environment writes out. */
  secrets(): string[];
  /** For `run --keep`: shell lines that point kubectl and vault at this environment (secrets stay in 0600 files). */
  reproInstructions(held?: HeldObjects): Promise<string[]>;
  stop(): Promise<void>;
}
