// What `diagnose` knows about one failing Issuer, wherever it came from (pasted files or a live cluster and Vault).
// Every fact is optional except the Issuer itself: what is missing is inferred from the message, and said so.
import type { IssuerKind, ReviewHost, TokenReviewer } from '../scenarios/types.ts';

export interface IssuerFacts {
  kind: IssuerKind;
  name: string;
  /** Absent for a ClusterIssuer. */
  namespace?: string;
  /** spec.vault.server */
  server: string;
  /** The mount named by spec.vault.auth.kubernetes.mountPath (`/v1/auth/<mount>`), default `kubernetes`. */
  mount: string;
  role: string;
  serviceAccount: string;
  /** serviceAccountRef.audiences; absent = not set. */
  audiences?: string[];
  /** The Ready condition, when the Issuer exists. */
  ready?: { status: string; reason: string; message: string };
}

export interface KubernetesRoleFacts {
  type: 'kubernetes';
  audience?: string;
  boundServiceAccountNames: string[];
  boundServiceAccountNamespaces: string[];
  policies: string[];
}

export interface JwtRoleFacts {
  type: 'jwt';
  boundAudiences: string[];
  boundSubject?: string;
  userClaim?: string;
  roleType?: string;
  policies: string[];
}

export type RoleFacts = KubernetesRoleFacts | JwtRoleFacts;

export interface KubernetesConfigFacts {
  type: 'kubernetes';
  tokenReviewerJwtSet: boolean;
  disableLocalCaJwt: boolean;
  kubernetesHost?: string;
  /** kubernetes_ca_cert, PEM. */
  kubernetesCaPem?: string;
}

export interface JwtConfigFacts {
  type: 'jwt';
  boundIssuer?: string;
}

export type AuthConfigFacts = KubernetesConfigFacts | JwtConfigFacts;

export interface VaultFacts {
  /** Enabled auth mounts (without `auth/` and the trailing slash) -> method type. */
  mounts?: Record<string, string>;
  config?: AuthConfigFacts;
  role?: RoleFacts;
  /** Whether Vault runs as a pod of this cluster (its pod token is then the reviewer for local-token). */
  inCluster?: boolean;
  /**
   * Where Vault was read: an address the operator gave, beside the Issuer's spec.vault.server; `mismatch` says
   * when they differ (a finding of its own).
   */
  readAt?: { address: string; from: '--vault-addr' | 'VAULT_ADDR'; issuerServer: string; mismatch?: string };
  /** Engine, when Vault said (sys/health). */
  engine?: 'vault' | 'openbao';
}

export interface ClusterFacts {
  serviceAccountIssuer: string;
  apiAudiences: string[];
  /** Where these came from: a profile name, the flags, or how the live cluster was read. */
  source: string;
}

export interface RbacFacts {
  /** cert-manager's ServiceAccount may create serviceaccounts/token for the issuer's ServiceAccount. */
  tokenRequest?: boolean;
  /** The issuer's ServiceAccount may create tokenreviews (system:auth-delegator). */
  authDelegator?: boolean;
}

export interface DiagnosisFacts {
  issuer: IssuerFacts;
  /** The text to explain: the Issuer's Ready message, or one passed with --message (e.g. a CRD rejection). */
  message?: string;
  certManager?: { version: string; source: string };
  cluster?: ClusterFacts;
  clusterResourceNamespace: string;
  /** The ServiceAccount cert-manager's controller runs as. */
  controller: { namespace: string; name: string };
  rbac: RbacFacts;
  vault: VaultFacts;
  /** Lines saying what was read where (shown under "Facts"). */
  notes: string[];
  /** Mismatches found beside the diagnosis, each with its fix (Vault reviewing against another API server). */
  findings?: string[];
  /** How Vault's auth config misses the API server diagnose read, when a finding says it does. */
  reviewHost?: ReviewHost;
}

/** Who reviews the login JWT, read from the auth config: the fields Vault's loadConfig decides it on. */
export function reviewerOf(config: KubernetesConfigFacts): TokenReviewer {
  if (config.tokenReviewerJwtSet) return 'reviewer-jwt';
  return config.disableLocalCaJwt ? 'client-jwt' : 'local-token';
}
