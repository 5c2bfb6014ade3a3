import type { ExplainStep, JwtAuth } from '../types.ts';
import { JWT_BOUND_AUDIENCE_ERROR, JWT_NO_BOUND_AUDIENCES_ERROR } from './messages.ts';
import { intersects, list, resolve, type LoginOutcome, type OracleContext } from './model.ts';
import { all, CAP_VALIDATE_AUDIENCE, jwtAuthPlugin, VAULT_SDK_RESPOND_ERROR } from './sources.ts';

/**
 * Vault's JWT login (path_login.go#jwtAuthBackend.pathLogin): the signature is verified locally, so there is no
 * TokenReview and the API server's audiences play no part. Both refusals are error responses: HTTP 400.
 */
export function jwtLogin(ctx: OracleContext, auth: JwtAuth, tokenAudiences: readonly string[]): LoginOutcome {
  const engine = ctx.plan.vault.engine;
  const bound = auth.boundAudiences.map((a) => resolve(ctx, a));
  const loginSource = jwtAuthPlugin(engine, 'path_login.go', 'jwtAuthBackend.pathLogin');
  const steps: ExplainStep[] = [
    {
      step: 'TokenReview caller',
      detail: 'None: JWT auth verifies the token signature with its configured keys; the API server is not asked.',
      source: loginSource,
    },
  ];

  if (bound.length > 0) {
    if (!intersects(bound, tokenAudiences)) {
      steps.push({
        step: 'bound audiences check',
        detail: `bound_audiences ${list(bound)} share nothing with the token's ${list(tokenAudiences)}: Vault answers 400.`,
        source: all(loginSource, CAP_VALIDATE_AUDIENCE, VAULT_SDK_RESPOND_ERROR),
      });
      return { status: 400, errors: [JWT_BOUND_AUDIENCE_ERROR], failure: 'jwt-bound-audience', steps };
    }
    steps.push({ step: 'bound audiences check', detail: `bound_audiences ${list(bound)} overlap the token's aud: passes.`, source: all(loginSource, CAP_VALIDATE_AUDIENCE) });
    return { status: 200, errors: [], steps };
  }

  // Kubernetes writes a one-element aud as a plain string; OpenBao only refuses an aud array here.
  if (engine === 'openbao' && tokenAudiences.length === 1) {
    steps.push({
      step: 'bound audiences check',
      detail:
        `No bound_audiences. The token has one audience, which Kubernetes serializes as a string, and OpenBao only refuses ` +
        `an aud array when no audiences are bound: passes.`,
      source: all(loginSource, 'go-jose/go-jose@v2.6.3 jwt/claims.go#Audience.MarshalJSON'),
    });
    return { status: 200, errors: [], steps };
  }
  steps.push({
    step: 'bound audiences check',
    detail: `No bound_audiences, but the token has aud ${list(tokenAudiences)} (cert-manager always sets one): Vault answers 400.`,
    source: all(loginSource, VAULT_SDK_RESPOND_ERROR),
  });
  return { status: 400, errors: [JWT_NO_BOUND_AUDIENCES_ERROR], failure: 'jwt-no-bound-audiences', steps };
}
