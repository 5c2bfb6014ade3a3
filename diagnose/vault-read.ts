// Live diagnose's reads of Vault: sys/auth, auth/<mount>/config and auth/<mount>/role/<role>, with the operator's
// token, at the operator's address only (vault-address.ts). Plain node:http(s) requests rather than node-vault:
// they never follow a redirect (axios does, token and all) and take no setting from the environment
// (node-vault reads VAULT_ADDR and VAULT_SKIP_VERIFY itself).
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { InputError } from '../lib/errors.ts';
import { redact } from '../vault/redact.ts';
import { parseAuthConfig, parseRole } from './inputs.ts';
import type { IssuerFacts, VaultFacts } from './model.ts';
import { addressWhere, noAddressNote, redirectRefusal, vaultTarget, type OperatorVaultAddress, type VaultTarget } from './vault-address.ts';

/** What the operator gave to read Vault with; every field a value (the CLI reads the environment). */
export interface VaultAccess {
  token?: string;
  /** Where the token came from, for error messages: the file, or VAULT_TOKEN. */
  tokenSource: string;
  address?: OperatorVaultAddress;
  insecureHttp: boolean;
  /** The PEM of Vault's listener CA (--vault-ca); else the system's CAs. Never the Issuer's caBundle. */
  caPem?: string;
  /** The file caPem came from, for error messages. */
  caFile?: string;
  timeoutMs?: number;
}

interface Answer {
  status: number;
  location?: string;
  body: string;
}

/** One GET, never following a redirect: a 3xx is an InputError naming the Location. */
async function vaultGet(target: VaultTarget, access: VaultAccess, path: string): Promise<Answer> {
  const url = new URL(`${target.address}/v1/${path}`);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const timeoutMs = access.timeoutMs ?? 20_000;
  const answer = await new Promise<Answer>((resolve, reject) => {
    const req = request(
      url,
      { method: 'GET', headers: { 'X-Vault-Token': access.token!, Accept: 'application/json' }, timeout: timeoutMs, ...(access.caPem ? { ca: access.caPem } : {}) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ...(res.headers.location ? { location: res.headers.location } : {}), body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000}s`)));
    req.on('error', reject);
    req.end();
  }).catch((err: Error) => {
    throw new InputError(
      addressWhere(target.from),
      redact(`Vault at ${target.address} cannot be reached: ${err.message.split('\n')[0]}`),
      `pass an address this machine reaches (a port-forward to the Service, for Vault in the cluster)${target.address.startsWith('https:') ? ', and --vault-ca with the CA of its listener when the system\'s CAs do not cover it' : ''}`,
    );
  });
  if (answer.status >= 300 && answer.status < 400) throw redirectRefusal(target, path, answer.status, answer.location);
  return answer;
}

/** The `data` of a 200, undefined for a 404; a refusal is an InputError saying which policy is missing. */
async function read(target: VaultTarget, access: VaultAccess, path: string, mount: string): Promise<unknown | undefined> {
  const a = await vaultGet(target, access, path);
  if (a.status === 404) return undefined;
  let body: { data?: unknown; errors?: unknown } | undefined;
  try {
    body = JSON.parse(a.body) as typeof body;
  } catch {
    body = undefined;
  }
  if (a.status === 403) throw new InputError({ file: access.tokenSource, field: 'Vault token' }, `may not read ${path} (403 permission denied)`, `use a token whose policy grants read on "sys/auth" and "auth/${mount}/*"`);
  if (a.status !== 200 || !body) {
    const errors = Array.isArray(body?.errors) ? body.errors.map(String).join('; ') : a.body.slice(0, 200);
    throw new InputError(addressWhere(target.from), redact(`Vault at ${target.address} answered ${a.status} to GET /v1/${path}: ${errors}`), 'check the address and that Vault is unsealed');
  }
  return body;
}

/**
 * The mount and role become URL path segments read with the operator's token: a `..` there would read another path
 * than the Issuer's role (the Issuer's author chooses them).
 */
function checkPathSegments(issuer: IssuerFacts): void {
  const bad = (s: string) => s.split('/').some((seg) => seg === '' || seg === '.' || seg === '..' || seg.includes('%') || seg.includes('?') || seg.includes('#'));
  if (bad(issuer.mount)) throw new InputError({ file: 'the Issuer', field: 'spec.vault.auth.kubernetes.mountPath' }, `auth/${issuer.mount} is not a plain mount path`, 'write it as /v1/auth/<mount> with no empty, "." or ".." segments');
  if (issuer.role.includes('/') || bad(issuer.role)) throw new InputError({ file: 'the Issuer', field: 'spec.vault.auth.kubernetes.role' }, `"${issuer.role}" is not a role name`, 'name the Vault role alone (no "/", ".", "..", "%", "?" or "#")');
}

/** Reads --vault-ca (the only CA the operator's address is trusted through besides the system's). */
export function readVaultCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError({ file, field: '--vault-ca' }, `cannot read it (${(err as NodeJS.ErrnoException).code})`, 'give the PEM file of the CA that signed Vault\'s certificate');
  }
}

/**
 * Vault's side of an Issuer: its auth mounts, the mount's config and the role. Without a token, or without an
 * address the operator gave, Vault is not contacted and `notes` says why.
 */
export async function vaultFacts(issuer: IssuerFacts, access: VaultAccess, notes: string[]): Promise<VaultFacts> {
  const facts: VaultFacts = {};
  if (!access.token) {
    notes.push('no Vault token (--vault-token-file or VAULT_TOKEN): Vault\'s side is inferred from the message');
    return facts;
  }
  const target = vaultTarget(access.address, { insecureHttp: access.insecureHttp, issuerServer: issuer.server });
  if (!target) {
    notes.push(noAddressNote(issuer.server));
    return facts;
  }
  checkPathSegments(issuer);
  facts.readAt = { address: target.address, from: target.from, issuerServer: issuer.server, ...(target.mismatch ? { mismatch: target.mismatch } : {}) };
  const mounts = (await read(target, access, 'sys/auth', issuer.mount)) as { data?: Record<string, unknown> } & Record<string, unknown>;
  const table = (mounts?.data ?? mounts ?? {}) as Record<string, unknown>;
  facts.mounts = {};
  for (const [path, entry] of Object.entries(table)) {
    const type = (entry as { type?: unknown } | null)?.type;
    if (path.endsWith('/') && typeof type === 'string') facts.mounts[path.slice(0, -1)] = type;
  }
  notes.push(`Vault at ${target.address} (${target.from}) read with a token (not shown)`);
  if (!(issuer.mount in facts.mounts)) return facts;
  const config = await read(target, access, `auth/${issuer.mount}/config`, issuer.mount);
  if (config) facts.config = parseAuthConfig(JSON.stringify(config), `Vault auth/${issuer.mount}/config`);
  const role = await read(target, access, `auth/${issuer.mount}/role/${issuer.role}`, issuer.mount);
  if (role) facts.role = parseRole(JSON.stringify(role), `Vault auth/${issuer.mount}/role/${issuer.role}`);
  else notes.push(`Vault has no role ${issuer.role} at auth/${issuer.mount}: the login answers 400 invalid role name (not an audience or permission failure)`);
  return facts;
}
