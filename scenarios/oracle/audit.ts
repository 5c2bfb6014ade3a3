import type { AuditPrediction, ExplainStep, VaultEngine } from '../types.ts';
import { all, openbaoCore, vaultCore } from './sources.ts';
import type { LoginOutcome, OracleContext } from './model.ts';
import { issuerMount } from './mount-path.ts';
import { issuerPolicyName, pkiSignPath, type SignOutcome } from './vault-policy.ts';

/**
 * Vault's audit log (a file device) writes one request and one response entry per call, before and after the
 * backend answers: the path and operation in clear, request data HMAC'd (the role name too), the response's
 * error and, for a successful login, the token's policies and the auth metadata in clear.
 */
const AUDIT_SOURCES: Record<VaultEngine, string> = {
  vault: all(vaultCore('audit/entry_formatter.go', 'EntryFormatter.FormatRequest,FormatResponse'), vaultCore('vault/request_handling.go', 'Core.handleLoginRequest')),
  // OpenBao's device is declared in its server configuration (vault/configure/audit.ts); the entries have Vault's shape.
  openbao: all(
    openbaoCore('audit/format.go', 'AuditFormatter.FormatRequest,FormatResponse'),
    openbaoCore('vault/request_handling.go', 'Core.handleLoginRequest'),
    openbaoCore('vault/audit.go', 'Core.handleAuditLogSetup'),
  ),
};

export function auditPrediction(ctx: OracleContext, login: LoginOutcome, sign?: SignOutcome): AuditPrediction {
  // The path cert-manager posts to: the Issuer's mountPath, which may name no auth mount at all.
  const path = `auth/${issuerMount(ctx)}/login`;
  if (login.status !== 200) return { login: { path, error: login.errors.join('; ') } };
  const prediction: AuditPrediction = { login: { path, policies: [issuerPolicyName(ctx.plan)] } };
  if (sign?.error) prediction.sign = { path: pkiSignPath(ctx.plan), error: sign.error };
  return prediction;
}

export function auditStep(ctx: OracleContext, audit: AuditPrediction | null): ExplainStep {
  const role = 'request.data.role equal to the HMAC of the role name (sys/audit-hash)';
  let detail: string;
  if (!audit?.login) {
    detail = `No entry for ${role}: cert-manager never reaches Vault's login.`;
  } else if (audit.login.error !== undefined) {
    detail = `Look for the response entry on ${audit.login.path} with ${role}: its error is "${audit.login.error}", its remote_address the caller's.`;
  } else {
    detail =
      `Look for the response entry on ${audit.login.path} with ${role}: no error, auth.policies include "${audit.login.policies?.join('", "')}", ` +
      `auth.metadata names ServiceAccount ${ctx.plan.issuer.serviceAccount}.`;
    if (audit.sign) detail += ` Then the entry on ${audit.sign.path} with error "${audit.sign.error.replaceAll('\n', '\\n').replaceAll('\t', '\\t')}".`;
  }
  return { step: 'Vault audit log', detail, source: AUDIT_SOURCES[ctx.plan.vault.engine] };
}
