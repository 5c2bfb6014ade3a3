import type { VaultClient } from '../client.ts';
import { configureAuthMount, writeAuthRole } from './mounts.ts';

export interface JwtAuthOptions {
  /** Without `auth/`. */
  mount: string;
  /** PEM public keys (e.g. the cluster's service-account signing key). Exclusive with oidcDiscoveryUrl. */
  jwtValidationPubkeys?: string[];
  oidcDiscoveryUrl?: string;
  oidcDiscoveryCaPem?: string;
  boundIssuer?: string;
}

export function jwtConfigBody(options: JwtAuthOptions): Record<string, unknown> {
  const hasKeys = (options.jwtValidationPubkeys?.length ?? 0) > 0;
  if (hasKeys === Boolean(options.oidcDiscoveryUrl)) {
    throw new Error('JWT auth needs exactly one of jwtValidationPubkeys and oidcDiscoveryUrl');
  }
  const body: Record<string, unknown> = {};
  if (hasKeys) body.jwt_validation_pubkeys = options.jwtValidationPubkeys;
  if (options.oidcDiscoveryUrl) body.oidc_discovery_url = options.oidcDiscoveryUrl;
  if (options.oidcDiscoveryCaPem) body.oidc_discovery_ca_pem = options.oidcDiscoveryCaPem;
  if (options.boundIssuer) body.bound_issuer = options.boundIssuer;
  return body;
}

export async function configureJwtAuth(client: VaultClient, options: JwtAuthOptions): Promise<void> {
  await configureAuthMount(client, 'jwt', options.mount, jwtConfigBody(options));
}

export interface JwtRoleOptions {
  mount: string;
  role: string;
  /** Empty = no `bound_audiences` (then Vault refuses any token that has an `aud`). */
  boundAudiences: string[];
  boundSubject: string;
  userClaim?: 'sub';
  policies: string[];
}

export function jwtRoleBody(options: JwtRoleOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {
    role_type: 'jwt',
    user_claim: options.userClaim ?? 'sub',
    bound_subject: options.boundSubject,
    token_policies: options.policies,
  };
  if (options.boundAudiences.length > 0) body.bound_audiences = options.boundAudiences;
  return body;
}

export function writeJwtRole(client: VaultClient, options: JwtRoleOptions): Promise<string[]> {
  return writeAuthRole(client, 'jwt', options.mount, options.role, jwtRoleBody(options));
}
