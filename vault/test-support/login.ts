import { EnvironmentError } from '../../lib/errors.ts';
import { apiFailureOf, type VaultClient } from '../client.ts';
import { redact } from '../redact.ts';

export interface LoginOptions {
  /** Without `auth/`. */
  mount: string;
  role: string;
  jwt: string;
}

export interface LoginResult {
  ok: boolean;
  status: number;
  /** Vault's `errors`, verbatim: tests compare them to exact texts. */
  errors: string[];
  /** Policies of the token Vault issued; the token itself is not kept. */
  policies?: string[];
}

/**
 * Logs in as cert-manager does: POST auth/<mount>/login {role, jwt}. node-vault's kubernetesLogin ignores
 * its mount when none is passed, so the path is written out. Use a client without a token.
 */
export async function login(client: VaultClient, options: LoginOptions): Promise<LoginResult> {
  const path = `auth/${options.mount}/login`;
  try {
    const answer = await client.write(path, { role: options.role, jwt: options.jwt });
    const policies = answer?.auth?.policies;
    return { ok: true, status: 200, errors: [], policies: Array.isArray(policies) ? policies.map(String) : [] };
  } catch (error) {
    const failure = apiFailureOf(error);
    if (failure) return { ok: false, ...failure };
    const message = error instanceof Error ? error.message : String(error);
    throw new EnvironmentError(
      'vault',
      redact(`login at ${path} got no answer: ${message}`),
      'check that Vault is running and its address and CA are right',
    );
  }
}
