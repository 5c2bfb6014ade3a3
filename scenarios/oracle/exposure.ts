import type { ExplainStep, ExposurePrediction } from '../types.ts';
import { serviceAccountUser } from './messages.ts';
import { intersects, list, resourceNamespace, type OracleContext } from './model.ts';
import { serviceAccountDefaultRights } from './service-account-defaults.ts';
import { kubernetes } from './sources.ts';

/**
 * What the issuer's token is worth against the API server itself. The authenticator accepts a ServiceAccount token
 * whose audiences meet the API audiences (the same check that refuses Vault's review), and then the token is the
 * ServiceAccount: RBAC decides what it may do. Beyond the self-reviews every authenticated user may create, that is
 * what the scenario bound to the ServiceAccount: system:auth-delegator (client-jwt review), and a careless RoleBinding.
 */
/** The tag that asks for the refused token to be measured too (see scenarios/README.md). */
export const EXPOSURE_TAG = 'exposure';

export function predictExposure(ctx: OracleContext, tokenAudiences: readonly string[]): { exposure?: ExposurePrediction; step: ExplainStep } {
  const { plan, facts } = ctx;
  const ns = resourceNamespace(ctx);
  const authn = kubernetes('pkg/serviceaccount/jwt.go', 'jwtTokenAuthenticator.AuthenticateToken');
  if (!intersects(tokenAudiences, facts.apiAudiences)) {
    // Using such a token writes an audience line to the API server log: measured only where a scenario asks.
    return {
      ...(plan.tags.includes(EXPOSURE_TAG) ? { exposure: { apiAudience: false } } : {}),
      step: {
        step: 'token as a Kubernetes credential',
        detail: `The token's audiences ${list(tokenAudiences)} miss the API audiences ${list(facts.apiAudiences)}: the API server answers 401 Unauthorized, so the token is no Kubernetes credential.`,
        source: authn,
      },
    };
  }
  const grants: string[] = [];
  if (plan.issuer.authDelegator) grants.push('ClusterRoleBinding to system:auth-delegator (create tokenreviews, subjectaccessreviews)');
  if (plan.issuer.extraRoleBinding) grants.push(`RoleBinding to ClusterRole ${plan.issuer.extraRoleBinding} in ${ns}`);
  const user = serviceAccountUser(ns, plan.issuer.serviceAccount);
  const defaults = serviceAccountDefaultRights(plan.cluster.kubernetes);
  return {
    exposure: {
      apiAudience: true,
      user,
      grants,
      ...(plan.issuer.authDelegator ? { mustInclude: 'create tokenreviews.authentication.k8s.io' } : {}),
      ...(defaults.rights.length ? { defaultRights: defaults.rights } : {}),
    },
    step: {
      step: 'token as a Kubernetes credential',
      detail:
        `The token carries an API audience: the API server authenticates it as ${user}. ` +
        (grants.length ? `Its rights beyond the self-reviews every user has come from: ${grants.join('; ')}.` : 'Beyond the self-reviews every authenticated user may create, it has no rights: only what the issuer needs is bound.') +
        (defaults.rights.length ? ` Kubernetes ${plan.cluster.kubernetes} also lets every ServiceAccount ${defaults.rights.join('; ')} by default RBAC: not counted as exposure.` : ''),
      source: [authn, kubernetes('pkg/registry/authorization/selfsubjectrulesreview/rest.go', 'REST.Create'), kubernetes('plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go', 'ClusterRoles'), ...(defaults.source ? [defaults.source] : [])].join('; '),
    },
  };
}
