import type { ExplainStep, KubernetesAuth } from '../types.ts';
import { NAMESPACE_NOT_AUTHORIZED, SERVICE_ACCOUNT_NAME_NOT_AUTHORIZED } from './messages.ts';
import { list, resourceNamespace, type LoginOutcome, type OracleContext } from './model.ts';
import { all, kubernetesAuthPlugin, VAULT_SDK_RESPOND_ERROR } from './sources.ts';

/** The role's bound ServiceAccount names and namespaces; unset in a scenario = exactly the Issuer's. */
export function boundServiceAccount(ctx: OracleContext, auth: KubernetesAuth): { names: string[]; namespaces: string[] } {
  return {
    names: auth.boundServiceAccountNames ?? [ctx.plan.issuer.serviceAccount],
    namespaces: auth.boundServiceAccountNamespaces ?? [resourceNamespace(ctx)],
  };
}

/** strutil.StrListContainsGlob: `*` anywhere in an entry matches any run of characters. */
export function globListContains(patterns: readonly string[], value: string): boolean {
  return patterns.some((p) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value));
}

/**
 * After the audience check and before any TokenReview, parseAndValidateJWT compares the token's ServiceAccount
 * name, then its namespace, with the role's bound lists (a lone `*` allows any). Both refusals are coded 403s.
 */
export function checkRoleBinding(ctx: OracleContext, auth: KubernetesAuth): LoginOutcome | ExplainStep {
  const { names, namespaces } = boundServiceAccount(ctx, auth);
  const sa = ctx.plan.issuer.serviceAccount;
  const ns = resourceNamespace(ctx);
  const source = all(kubernetesAuthPlugin(ctx.plan.vault.engine, 'path_login.go', 'kubeAuthBackend.parseAndValidateJWT'), 'hashicorp/go-secure-stdlib@strutil/v0.1.2 strutil/strutil.go#StrListContainsGlob');
  const anyName = names.length === 1 && names[0] === '*';
  if (!anyName && !globListContains(names, sa)) {
    return {
      status: 403,
      errors: [SERVICE_ACCOUNT_NAME_NOT_AUTHORIZED],
      failure: 'role-bound-service-account',
      steps: [{ step: 'role binding', detail: `The token is for ServiceAccount ${sa}, not among the role's bound_service_account_names ${list(names)}: Vault answers 403 before any TokenReview.`, source: all(source, VAULT_SDK_RESPOND_ERROR) }],
    };
  }
  if (!(namespaces[0] === '*' || globListContains(namespaces, ns))) {
    return {
      status: 403,
      errors: [NAMESPACE_NOT_AUTHORIZED],
      failure: 'role-bound-service-account',
      steps: [{ step: 'role binding', detail: `The token's namespace ${ns} is not among the role's bound_service_account_namespaces ${list(namespaces)}: Vault answers 403 before any TokenReview.`, source: all(source, VAULT_SDK_RESPOND_ERROR) }],
    };
  }
  return { step: 'role binding', detail: `ServiceAccount ${ns}/${sa} is within the role's bound names ${list(names)} and namespaces ${list(namespaces)}: passes.`, source };
}

export function isLoginOutcome(v: LoginOutcome | ExplainStep): v is LoginOutcome {
  return 'status' in v;
}
