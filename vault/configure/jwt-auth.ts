import { vaultCall, type VaultClient } from '../client.ts';
import { ensureAuthMount } from './mounts.ts';
import { warningsOf } from './kubernetes-auth.ts';

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
  const body = jwtConfigBody(options);
  await ensureAuthMount(client, 'jwt', options.mount);
  const path = `auth/${options.mount}/config`;
  await vaultCall('configuring jwt auth', path, () => client.write(path, body));
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

export async function writeJwtRole(client: VaultClient, options: JwtRoleOptions): Promise<string[]> {
  const path = `auth/${options.mount}/role/${options.role}`;
  const answer = await vaultCall('writing the jwt role', path, () => client.write(path, jwtRoleBody(options)));
  return warningsOf(answer);
}
