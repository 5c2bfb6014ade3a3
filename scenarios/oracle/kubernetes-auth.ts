import type { ExplainStep, KubernetesAuth } from '../types.ts';
import { INVALID_AUDIENCE, PERMISSION_DENIED } from './messages.ts';
import { list, resolve, type LoginOutcome, type OracleContext } from './model.ts';
import { all, CAP_VALIDATE_AUDIENCE, kubernetesAuthPlugin, VAULT_SDK_RESPOND_ERROR } from './sources.ts';
import { checkRoleBinding, isLoginOutcome } from './role-binding.ts';
import { reviewToken } from './token-review.ts';

/**
 * Vault's kubernetes login (path_login.go#pathLogin): the role's `audience` is checked on the parsed JWT first
 * (parseAndValidateJWT), then its bound ServiceAccount names and namespaces, and only then is the token reviewed
 * by the API server.
 */
export function kubernetesLogin(ctx: OracleContext, auth: KubernetesAuth, tokenAudiences: readonly string[]): LoginOutcome {
  const engine = ctx.plan.vault.engine;
  const roleAudience = auth.roleAudience !== undefined ? resolve(ctx, auth.roleAudience) : undefined;
  const checkSource = all(kubernetesAuthPlugin(engine, 'path_login.go', 'kubeAuthBackend.parseAndValidateJWT'), CAP_VALIDATE_AUDIENCE);
  const steps: ExplainStep[] = [];

  if (roleAudience === undefined) {
    steps.push({ step: 'role audience check', detail: 'The role has no audience: Vault checks no audience itself.', source: checkSource });
  } else if (!tokenAudiences.includes(roleAudience)) {
    steps.push({
      step: 'role audience check',
      detail: `The role's audience "${roleAudience}" is not among the token's ${list(tokenAudiences)}: Vault answers 403 before any TokenReview.`,
      source: all(checkSource, VAULT_SDK_RESPOND_ERROR),
    });
    return { status: 403, errors: [INVALID_AUDIENCE], failure: 'vault-role-audience', steps };
  } else {
    steps.push({ step: 'role audience check', detail: `The role's audience "${roleAudience}" is in the token's aud: passes.`, source: checkSource });
  }

  const binding = checkRoleBinding(ctx, auth);
  if (isLoginOutcome(binding)) return { ...binding, steps: [...steps, ...binding.steps] };
  steps.push(binding);

  const review = reviewToken(ctx, auth, tokenAudiences, roleAudience);
  steps.push(...review.steps);
  if (!review.ok) {
    const outcome: LoginOutcome = { status: 403, errors: [PERMISSION_DENIED], failure: review.failure, steps };
    if (review.logLine) outcome.logLine = review.logLine;
    if (review.apiserverLine) outcome.apiserverLine = review.apiserverLine;
    return outcome;
  }
  return { status: 200, errors: [], steps };
}
