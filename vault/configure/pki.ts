import { apiFailureOf, vaultCall, type VaultClient } from '../client.ts';
import { ensureSecretsMount } from './mounts.ts';

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
 * The role cert-manager's CertificateRequests are signed with: any name, any IP, no CN required, and any
 * key type (the default `rsa` refuses ECDSA CSRs with `role requires keys of type rsa`). Vault will not
 * `issue` from a `key_type=any` role (pki/path_issue_sign.go:308), only `sign`, which is all cert-manager does.
 */
export function pkiRoleBody(maxTtl = '720h'): Record<string, unknown> {
  return {
    allow_any_name: true,
    allow_ip_sans: true,
    enforce_hostnames: false,
    require_cn: false,
    key_type: 'any',
    max_ttl: maxTtl,
  };
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
