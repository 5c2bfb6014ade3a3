// Where `diagnose` may send a Vault token: only to an address the operator gave. The Issuer's spec.vault.server is
// written by whoever may edit the Issuer (or pasted it into a bug report); trusting it would hand them the token.
import { InputError } from '../lib/errors.ts';

/** An address the operator gave, and how (for error messages). */
export interface OperatorVaultAddress {
  address: string;
  from: '--vault-addr' | 'VAULT_ADDR';
}

export interface VaultTarget {
  /** The operator's address, as a URL with no trailing slash. */
  address: string;
  from: OperatorVaultAddress['from'];
  /** Set when the Issuer names another Vault: a finding of its own, whatever the diagnosis. */
  mismatch?: string;
}

/** Where an operator's address came from, as an InputError's location. */
export function addressWhere(from: OperatorVaultAddress['from']): { file: string; field: string } {
  return from === '--vault-addr' ? { file: 'command line', field: '--vault-addr' } : { file: 'environment', field: 'VAULT_ADDR' };
}

/**
 * The address to read Vault at, checked: https only unless `insecureHttp`. Undefined when the operator gave none:
 * then Vault is not contacted at all (see `noAddressNote`).
 */
export function vaultTarget(given: OperatorVaultAddress | undefined, o: { insecureHttp: boolean; issuerServer: string }): VaultTarget | undefined {
  if (!given) return undefined;
  const where = addressWhere(given.from);
  let url: URL;
  try {
    url = new URL(given.address);
  } catch {
    throw new InputError(where, `"${given.address}" is not a URL`, 'give Vault\'s address as https://HOST:PORT');
  }
  if (url.username || url.password) throw new InputError(where, 'carries a user name or password', 'give the address alone (https://HOST:PORT); the token goes in --vault-token-file or VAULT_TOKEN');
  if (url.protocol === 'http:' && !o.insecureHttp) {
    throw new InputError(where, `${given.address} is plain http: the Vault token would cross the network in clear`, 'give Vault\'s https address (with --vault-ca for its CA), or add --vault-insecure-http for a dev Vault or a port-forward on this machine');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InputError(where, `${given.address} is not an http(s) URL`, 'give Vault\'s address as https://HOST:PORT');
  const address = stripSlash(url.href);
  const issuer = canonical(o.issuerServer);
  return {
    address,
    from: given.from,
    ...(issuer === address ? {} : { mismatch: `the Issuer points at ${o.issuerServer}, you asked me to read ${address} (${given.from}): what Vault says here is what cert-manager gets only if both reach the same Vault (a port-forward to the Issuer's Service does)` }),
  };
}

/** Why Vault was not read although a token was given, and how to read it. */
export function noAddressNote(issuerServer: string): string {
  return `Vault not read: a token goes only to an address you give (--vault-addr URL or VAULT_ADDR), never to the Issuer's spec.vault.server (${issuerServer}), which whoever may edit the Issuer chooses; to read that Vault, pass it yourself: --vault-addr ${issuerServer}`;
}

/** A 3xx from Vault is refused, not followed: the token would go wherever the Location says. */
export function redirectRefusal(target: VaultTarget, path: string, status: number, location: string | undefined): InputError {
  let to = location ?? '(no Location)';
  try {
    if (location) to = new URL(location, `${target.address}/v1/${path}`).href;
  } catch {
    // keep it as Vault sent it
  }
  return new InputError(
    addressWhere(target.from),
    `Vault at ${target.address} answered ${status} to GET /v1/${path}, redirecting to ${to}: diagnose does not follow redirects, and the token was not sent there`,
    'give the address that answers itself (a standby or load balancer redirects to the active node: pass the active node\'s address)',
  );
}

/** `s` as a URL without a trailing slash (default ports dropped, host lower-cased), or as written when not a URL. */
function canonical(s: string): string {
  try {
    return stripSlash(new URL(s).href);
  } catch {
    return s;
  }
}

function stripSlash(s: string): string {
  return s.replace(/\/+$/, '');
}
