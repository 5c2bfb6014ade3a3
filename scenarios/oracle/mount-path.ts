import type { ExplainStep } from '../types.ts';
import { PERMISSION_DENIED } from './messages.ts';
import type { LoginOutcome, OracleContext } from './model.ts';
import { all, vaultCore, VAULT_SDK_RESPOND_ERROR } from './sources.ts';

/** The mount the Issuer's mountPath names: its own `issuer.mount`, else the one Vault's auth is enabled at. */
export function issuerMount(ctx: OracleContext): string {
  return ctx.plan.issuer.mount ?? ctx.plan.auth.mount;
}

/**
 * A login to a path where no auth method is mounted is not a login path, so Vault's core treats it as an
 * ordinary request that needs a client token; cert-manager sends none, and Vault answers 403 permission denied
 * (since Vault 1.10, hashicorp/vault#13162; before, 400 "missing client token"). No plugin runs, so nothing is
 * logged about the login. Returns undefined when the Issuer names the mount the auth method lives at.
 */
export function checkMountPath(ctx: OracleContext): LoginOutcome | undefined {
  const named = issuerMount(ctx);
  if (named === ctx.plan.auth.mount) return undefined;
  const step: ExplainStep = {
    step: 'auth mount',
    detail:
      `The Issuer's mountPath names auth/${named}, but the ${ctx.plan.auth.method} auth method is mounted at auth/${ctx.plan.auth.mount}: ` +
      `no plugin answers auth/${named}/login, so Vault treats it as a request needing a client token, finds none and answers 403 permission denied.`,
    source: all(vaultCore('vault/request_handling.go', 'Core.fetchACLTokenEntryAndEntity'), vaultCore('vault/router.go', 'Router.LoginPath'), VAULT_SDK_RESPOND_ERROR),
  };
  return { status: 403, errors: [PERMISSION_DENIED], failure: 'vault-mount-path', steps: [step] };
}
