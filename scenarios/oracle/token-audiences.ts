import type { ExplainStep } from '../types.ts';
import { defaultAudience } from '../placeholders.ts';
import { list, resolve, type OracleContext } from './model.ts';
import { certManager } from './sources.ts';
import { atLeast } from './version.ts';

/**
 * The audiences cert-manager puts in the TokenRequest, in its order, duplicates kept:
 * v1.14: the default only; v1.15+: serviceAccountRef.audiences, then the default; v1.20+: then spec.vault.server.
 */
export function tokenAudiences(ctx: OracleContext): string[] {
  const { plan, facts, certManager: version } = ctx;
  const extra = atLeast(version, 1, 15) ? (plan.issuer.audiences ?? []).map((a) => resolve(ctx, a)) : [];
  const audiences = [...extra, defaultAudience(plan.issuer)];
  if (atLeast(version, 1, 20)) audiences.push(facts.vaultServer);
  return audiences;
}

export function tokenAudiencesStep(ctx: OracleContext, audiences: readonly string[]): ExplainStep {
  const { plan, certManager: version } = ctx;
  const rule = atLeast(version, 1, 20)
    ? 'serviceAccountRef.audiences, then the default audience, then spec.vault.server (v1.20+)'
    : atLeast(version, 1, 15)
      ? 'serviceAccountRef.audiences, then the default audience (v1.15+)'
      : 'only the default audience (before v1.15)';
  const form = plan.issuer.kind === 'Issuer' ? 'vault://<namespace>/<name> for an Issuer' : 'vault://<name> for a ClusterIssuer';
  return {
    step: 'token audiences',
    detail: `cert-manager ${version.tag} asks for ${rule}; the default is ${form}. The token's aud: ${list(audiences)}. Expiry 600 s.`,
    source: certManager(version, 'internal/vault/vault.go', 'requestTokenWithKubernetesAuth'),
  };
}
