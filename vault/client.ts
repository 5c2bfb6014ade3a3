import nodeVault from 'node-vault';
import { EnvironmentError } from '../lib/errors.ts';
import { redact } from './redact.ts';

export type VaultClient = nodeVault.client;

export interface VaultClientOptions {
  address: string;
  /** The CA that signed Vault's listener certificate; absent for a plain-HTTP dev listener. */
  caPem?: string;
  /** Absent for a client that only logs in (as cert-manager's does). */
  token?: string;
}

export function createVaultClient(options: VaultClientOptions): VaultClient {
  return nodeVault({
    endpoint: options.address,
    token: options.token,
    // node-vault 0.12 builds one https.Agent from requestOptions.ca and agentOptions (src/index.js, tlsOptionKeys).
    // Kept alive, calls share a connection: otherwise every call (mounts, roles, policies, reads, for every scenario)
    // is a new TLS handshake on both sides.
    requestOptions: options.caPem ? { ca: options.caPem, agentOptions: { keepAlive: true } } : {},
    // node-vault's own debug output (DEBUG=node-vault) prints request bodies, JWTs included.
    debug: () => undefined,
  });
}

/** node-vault rejects non-2xx answers with `{ response: { statusCode, body } }`. */
export interface VaultApiFailure {
  status: number;
  errors: string[];
}

export function apiFailureOf(error: unknown): VaultApiFailure | undefined {
  const response = (error as { response?: { statusCode?: unknown; body?: unknown } } | null)?.response;
  if (!response || typeof response.statusCode !== 'number') return undefined;
  const body = response.body as { errors?: unknown } | undefined;
  const errors = Array.isArray(body?.errors) ? body.errors.map(String) : [];
  return { status: response.statusCode, errors };
}

/** Runs one Vault call; a refusal or an unreachable Vault becomes an EnvironmentError naming the path. */
export async function vaultCall<T>(what: string, path: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const failure = apiFailureOf(error);
    const detail = failure
      ? `HTTP ${failure.status}: ${failure.errors.join('; ') || '(no error text)'}`
      : error instanceof Error
        ? error.message
        : String(error);
    throw new EnvironmentError(
      'vault',
      redact(`${what} failed at ${path}: ${detail}`),
      failure ? 'check the request against the Vault version in use' : 'check that Vault is running and its address and CA are right',
    );
  }
}
