import { apiFailureOf, vaultCall, type VaultClient } from '../client.ts';
import { ensureSecretsMount } from './mounts.ts';
import { DEFAULT_PKI_ROLE_SPEC } from '../../scenarios/pki-role.ts';
import type { PkiRoleSpec } from '../../scenarios/types.ts';

export const DEFAULT_PKI_ROLE = 'cm-vault-e2e';

export interface PkiOptions {
  mount: string;
  commonName: string;
  /** Default `cm-vault-e2e`. */
  role?: string;
  /** Longest certificate the role signs, default `720h`. */
  maxTtl?: string;
}

/**
 * The role cert-manager's CertificateRequests are signed with: by default any name, any IP, no CN required, and any
 * key type (the default `rsa` refuses ECDSA CSRs with `role requires keys of type rsa`). Vault will not
 * `issue` from a `key_type=any` role (pki/path_issue_sign.go:308), only `sign`, which is all cert-manager does.
 * A scenario's `vault.pkiRole` changes the name checks (builtin/logical/pki/path_roles.go names the fields).
 */
export function pkiRoleBody(maxTtl = '720h', spec: Readonly<PkiRoleSpec> = DEFAULT_PKI_ROLE_SPEC): Record<string, unknown> {
  const d = DEFAULT_PKI_ROLE_SPEC;
  // The shared role's body stays as it always was; a scenario's role adds only the fields it changes.
  return {
    allow_any_name: spec.allowAnyName,
    ...(spec.allowedDomains.length ? { allowed_domains: spec.allowedDomains.join(',') } : {}),
    ...(spec.allowSubdomains !== d.allowSubdomains ? { allow_subdomains: spec.allowSubdomains } : {}),
    ...(spec.allowBareDomains !== d.allowBareDomains ? { allow_bare_domains: spec.allowBareDomains } : {}),
    allow_ip_sans: true,
    enforce_hostnames: spec.enforceHostnames,
    require_cn: spec.requireCn,
    ...(spec.useCsrSans !== d.useCsrSans ? { use_csr_sans: spec.useCsrSans } : {}),
    ...(spec.useCsrCommonName !== d.useCsrCommonName ? { use_csr_common_name: spec.useCsrCommonName } : {}),
    key_type: 'any',
    max_ttl: maxTtl,
  };
}

/** Writes a scenario's own role beside the shared one (same mount and CA). */
export async function writePkiRole(client: VaultClient, o: { mount: string; role: string; spec: PkiRoleSpec }): Promise<void> {
  await vaultCall('writing the scenario\'s PKI role', `${o.mount}/roles/${o.role}`, () => client.write(`${o.mount}/roles/${o.role}`, pkiRoleBody(undefined, o.spec)));
}

/** Mounts PKI, generates a root CA inside Vault (once per mount), writes the role; returns the root CA PEM. */
export async function enablePki(client: VaultClient, options: PkiOptions): Promise<string> {
  const { mount, commonName, role = DEFAULT_PKI_ROLE, maxTtl } = options;
  await ensureSecretsMount(client, 'pki', mount, { max_lease_ttl: '87600h' });
  const caPem = (await existingCa(client, mount)) ?? (await generateRoot(client, mount, commonName));
  await vaultCall('writing the PKI role', `${mount}/roles/${role}`, () =>
    client.write(`${mount}/roles/${role}`, pkiRoleBody(maxTtl)),
  );
  return caPem;
}

async function generateRoot(client: VaultClient, mount: string, commonName: string): Promise<string> {
  const path = `${mount}/root/generate/internal`;
  const answer = await vaultCall('generating the root CA', path, () =>
    client.write(path, { common_name: commonName, ttl: '87600h' }),
  );
  return String(answer.data.certificate);
}

async function existingCa(client: VaultClient, mount: string): Promise<string | undefined> {
  try {
    const answer = await client.read(`${mount}/cert/ca`);
    const pem = answer?.data?.certificate;
    return typeof pem === 'string' && pem.includes('BEGIN CERTIFICATE') ? pem : undefined;
  } catch (error) {
    if (apiFailureOf(error)) return undefined; // a fresh mount has no CA yet
    throw error;
  }
}
