import type { TokenReviewer } from '../../scenarios/types.ts';
import type { VaultClient } from '../client.ts';
import { configureAuthMount, writeAuthRole } from './mounts.ts';

export interface KubernetesAuthOptions {
  /** Without `auth/`. */
  mount: string;
  /** The API server as Vault reaches it. */
  kubernetesHost: string;
  kubernetesCaPem: string;
  tokenReviewer: TokenReviewer;
  /** Required for `reviewer-jwt`. */
  reviewerJwt?: string;
  /** Default true: the token's `iss` is the cluster's business, not Vault's. */
  disableIssValidation?: boolean;
}

/**
 * auth/<mount>/config. A write replaces the whole config, so an omitted field is its default:
 * - reviewer-jwt: TokenReview authorized by `token_reviewer_jwt`;
 * - client-jwt: `disable_local_ca_jwt` and no reviewer, so the login JWT authorizes its own review;
 * - local-token: neither, so Vault uses its pod's token (only meaningful in-cluster).
 */
export function kubernetesConfigBody(options: KubernetesAuthOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {
    kubernetes_host: options.kubernetesHost,
    kubernetes_ca_cert: options.kubernetesCaPem,
    disable_iss_validation: options.disableIssValidation ?? true,
  };
  switch (options.tokenReviewer) {
    case 'reviewer-jwt':
      if (!options.reviewerJwt) throw new Error('tokenReviewer reviewer-jwt needs reviewerJwt');
      body.token_reviewer_jwt = options.reviewerJwt;
      break;
    case 'client-jwt':
      body.disable_local_ca_jwt = true;
      break;
    case 'local-token':
      break;
  }
  return body;
}

export async function configureKubernetesAuth(client: VaultClient, options: KubernetesAuthOptions): Promise<void> {
  await configureAuthMount(client, 'kubernetes', options.mount, kubernetesConfigBody(options));
}

export interface KubernetesRoleOptions {
  mount: string;
  role: string;
  serviceAccountName: string;
  namespace: string;
  /** Bind other names or namespaces than the ServiceAccount's own (a role bound to another ServiceAccount). */
  boundNames?: string[];
  boundNamespaces?: string[];
  /** The role's `audience`; absent = Vault checks no audience itself. */
  audience?: string;
  policies: string[];
}

export function kubernetesRoleBody(options: KubernetesRoleOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {
    bound_service_account_names: options.boundNames ?? [options.serviceAccountName],
    bound_service_account_namespaces: options.boundNamespaces ?? [options.namespace],
    token_policies: options.policies,
  };
  if (options.audience !== undefined) body.audience = options.audience;
  return body;
}

/** Returns Vault's warnings (e.g. the one about a role without `audience`). */
export function writeKubernetesRole(client: VaultClient, options: KubernetesRoleOptions): Promise<string[]> {
  return writeAuthRole(client, 'kubernetes', options.mount, options.role, kubernetesRoleBody(options));
}
