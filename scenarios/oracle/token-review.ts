import type { ExplainStep, FailureClass, KubernetesAuth, TokenReviewer } from '../types.ts';
import {
  apiserverAudienceLine,
  forbiddenStatusJson,
  LOOKUP_FAILED_UNAUTHORIZED,
  loginUnauthorizedLine,
  serviceAccountUser,
  type ForbiddenRequest,
} from './messages.ts';
import { intersects, list, resourceNamespace, type OracleContext } from './model.ts';
import { reviewHostRefusal } from './review-host.ts';
import { all, HCLOG_PLAIN, kubernetes, kubernetesAuthPlugin } from './sources.ts';

export interface TokenReviewOutcome {
  ok: boolean;
  failure?: FailureClass;
  logLine?: string;
  apiserverLine?: string;
  steps: ExplainStep[];
}

/**
 * Whose bearer token Vault sends. `local-token` outside the cluster has no pod token to read, and the plugin
 * then falls back to the login JWT: the same as `client-jwt`.
 */
export function effectiveReviewer(ctx: OracleContext, auth: KubernetesAuth): TokenReviewer {
  return auth.tokenReviewer === 'local-token' && ctx.plan.vault.placement === 'external' ? 'client-jwt' : auth.tokenReviewer;
}

/** Vault's TokenReview of the login JWT (path_login.go#serviceAccount.lookup, token_review.go#tokenReviewAPI.Review). */
export function reviewToken(ctx: OracleContext, auth: KubernetesAuth, tokenAudiences: readonly string[], roleAudience: string | undefined): TokenReviewOutcome {
  const engine = ctx.plan.vault.engine;
  const reviewer = effectiveReviewer(ctx, auth);
  const loginUser = serviceAccountUser(resourceNamespace(ctx), ctx.plan.issuer.serviceAccount);
  const steps: ExplainStep[] = [callerStep(ctx, auth, reviewer, loginUser)];
  const wanted = roleAudience !== undefined ? [roleAudience] : [...tokenAudiences];
  // the call itself fails before any API server judges the token
  const missed = reviewHostRefusal(ctx, auth);
  if (missed) return { ok: false, failure: 'review-host', logLine: missed.logLine, steps: [...steps, missed.step] };

  if (reviewer === 'client-jwt') {
    const apiAudiences = ctx.facts.apiAudiences;
    const authenticated = intersects(tokenAudiences, apiAudiences);
    const audienceSource = all(
      kubernetes('pkg/serviceaccount/jwt.go', 'jwtTokenAuthenticator.AuthenticateToken'),
      kubernetes('staging/src/k8s.io/apiserver/pkg/endpoints/filters/authentication.go', 'withAuthentication'),
    );
    if (!authenticated) {
      const apiserverLine = apiserverAudienceLine(tokenAudiences, apiAudiences);
      steps.push({
        step: 'API server audiences',
        detail:
          `The login JWT is the bearer, so the API server authenticates it against its own audiences ${list(apiAudiences)}: ` +
          `no overlap with the token's ${list(tokenAudiences)}. It answers 401 and logs "Unable to authenticate the request": ${apiserverLine}. ` +
          `Vault reads the 401 as "${LOOKUP_FAILED_UNAUTHORIZED}", logs it at DEBUG and answers permission denied.`,
        source: all(audienceSource, kubernetesAuthPlugin(engine, 'token_review.go', 'tokenReviewAPI.Review'), HCLOG_PLAIN),
      });
      return { ok: false, failure: 'apiserver-audience', apiserverLine, logLine: loginUnauthorizedLine(LOOKUP_FAILED_UNAUTHORIZED), steps };
    }
    steps.push({
      step: 'API server audiences',
      detail: `The login JWT is the bearer: its aud ${list(tokenAudiences)} overlaps the API server's audiences ${list(apiAudiences)}, so it authenticates as ${loginUser}.`,
      source: audienceSource,
    });
    if (!ctx.plan.issuer.authDelegator) {
      const refusal: ForbiddenRequest = { user: loginUser, verb: 'create', group: 'authentication.k8s.io', resource: 'tokenreviews', name: '' };
      const body = forbiddenStatusJson(refusal);
      steps.push({
        step: 'TokenReview permission',
        detail:
          `${loginUser} is not bound to system:auth-delegator, so it may not create tokenreviews: the API server answers 403 ` +
          `and Vault logs the response body at DEBUG, then answers permission denied.`,
        source: all(
          kubernetes('staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go', 'forbiddenMessage'),
          kubernetesAuthPlugin(engine, 'token_review.go', 'parseResponse'),
          HCLOG_PLAIN,
        ),
      });
      return { ok: false, failure: 'reviewer-forbidden', logLine: loginUnauthorizedLine(body), steps };
    }
    steps.push({
      step: 'TokenReview permission',
      detail: `${loginUser} is bound to system:auth-delegator: it may create tokenreviews.`,
      source: kubernetes('plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go', 'ClusterRoles'),
    });
  }

  // spec.audiences is the role audience (already found in the token) or the token's own: it always matches.
  steps.push({
    step: 'TokenReview audiences',
    detail:
      `Vault sets spec.audiences to ${roleAudience !== undefined ? 'the role audience' : "the token's own audiences"} ${list(wanted)}; ` +
      `the token carries ${roleAudience !== undefined ? 'it' : 'them'}, so the review answers authenticated as ${loginUser}.`,
    source: all(kubernetesAuthPlugin(engine, 'path_login.go', 'serviceAccount.lookup'), kubernetes('pkg/registry/authentication/tokenreview/storage.go', 'REST.Create')),
  });
  return { ok: true, steps };
}

function callerStep(ctx: OracleContext, auth: KubernetesAuth, reviewer: TokenReviewer, loginUser: string): ExplainStep {
  const engine = ctx.plan.vault.engine;
  const source = all(kubernetesAuthPlugin(engine, 'token_review.go', 'tokenReviewAPI.Review'), kubernetesAuthPlugin(engine, 'backend.go', 'kubeAuthBackend.loadConfig'));
  const detail: Record<TokenReviewer, string> = {
    'reviewer-jwt': "Vault calls the TokenReview API with token_reviewer_jwt as bearer (a ServiceAccount bound to system:auth-delegator); the API server's audiences are not involved for the login JWT.",
    'local-token': "Vault calls the TokenReview API with its own pod's token (/var/run/secrets/kubernetes.io/serviceaccount/token); the API server's audiences are not involved for the login JWT.",
    'client-jwt': `Vault has no reviewer token, so it calls the TokenReview API with the login JWT itself as bearer (${loginUser}).`,
  };
  const fallback =
    auth.tokenReviewer !== reviewer
      ? ' (configured local-token, but Vault runs outside the cluster: there is no pod token to read, so the plugin falls back to the login JWT)'
      : '';
  return { step: 'TokenReview caller', detail: detail[reviewer] + fallback, source };
}
