import { configureJwtAuth, writeJwtRole } from '../vault/configure/jwt-auth.ts';
import { configureKubernetesAuth, writeKubernetesRole } from '../vault/configure/kubernetes-auth.ts';
import { reviewTarget } from '../vault/configure/review-host.ts';
import { resolvePlaceholders } from '../scenarios/placeholders.ts';
import type { EnvironmentFacts, Plan } from '../scenarios/types.ts';
import type { ScenarioEnvironment, VaultHandle } from './environment.ts';
import { authDelegatorBinding, namespaceObject, serviceAccount } from './manifests.ts';
import { REVIEWER_NAMESPACE } from '../lib/names.ts';
import { scenarioPolicy, writeScenarioPkiRole } from './vault-policy.ts';

export const VAULT_ROLE = 'cm-vault-e2e';

const shared = new WeakMap<ScenarioEnvironment, Map<string, Promise<unknown>>>();

/**
 * Objects every scenario of an environment uses alike (the reviewer ServiceAccounts, the probe namespace) are
 * applied once per environment: scenarios running side by side would otherwise race to create the same object.
 * A failed apply is forgotten, so the next scenario tries again.
 */
export function ensureShared(env: ScenarioEnvironment, key: string, make: () => Promise<unknown>): Promise<unknown> {
  let byKey = shared.get(env);
  if (!byKey) shared.set(env, (byKey = new Map()));
  let done = byKey.get(key);
  if (!done) {
    done = make();
    byKey.set(key, done);
    done.catch(() => byKey.delete(key));
  }
  return done;
}

/**
 * Configures the scenario's auth mount from scratch (a disabled and re-enabled mount forgets every earlier role).
 * The reviewer ServiceAccounts it applies are the environment's, shared by its scenarios, and stay.
 */
export async function configureVaultAuth(env: ScenarioEnvironment, vault: VaultHandle, plan: Plan, facts: EnvironmentFacts, remember: (s: string) => void): Promise<void> {
  const mount = plan.auth.mount;
  await vault.admin.delete(`sys/auth/${mount}`).catch(() => undefined);
  const saNamespace = plan.issuer.kind === 'Issuer' ? plan.issuer.namespace! : env.clusterResourceNamespace;
  await writeScenarioPkiRole(vault, plan);
  const policy = await scenarioPolicy(vault, plan);
  if (plan.auth.method === 'kubernetes') {
    // An in-cluster placement without a pod (the process cluster) stands in for the pod token with a token of a
    // `vault` ServiceAccount; a Vault outside the cluster configured for local-token has no pod token and falls
    // back to the login JWT, exactly as the plugin does.
    const emulatePodToken = plan.auth.tokenReviewer === 'local-token' && plan.vault.placement === 'in-cluster' && !vault.podServiceAccount;
    let reviewerJwt: string | undefined;
    if (plan.auth.tokenReviewer === 'reviewer-jwt' || emulatePodToken) {
      const sa = emulatePodToken ? 'vault' : 'vault-reviewer';
      const objs = [namespaceObject(REVIEWER_NAMESPACE), serviceAccount(REVIEWER_NAMESPACE, sa), authDelegatorBinding(REVIEWER_NAMESPACE, sa)];
      await ensureShared(env, `reviewer ${sa}`, () => env.kube.applyAll(objs));
      reviewerJwt = await env.kube.tokenRequest(REVIEWER_NAMESPACE, sa, { expirationSeconds: 3600 });
      remember(reviewerJwt);
    }
    const target = reviewTarget(plan.auth.reviewHost, { host: vault.kubernetesHost ?? env.kubernetesHostForVault, caPem: env.access.caPem });
    await configureKubernetesAuth(vault.admin, {
      mount,
      kubernetesHost: target.host,
      kubernetesCaPem: target.caPem,
      tokenReviewer: emulatePodToken ? 'reviewer-jwt' : plan.auth.tokenReviewer,
      ...(reviewerJwt ? { reviewerJwt } : {}),
    });
    await writeKubernetesRole(vault.admin, {
      mount,
      role: VAULT_ROLE,
      serviceAccountName: plan.issuer.serviceAccount,
      namespace: saNamespace,
      ...(plan.auth.boundServiceAccountNames ? { boundNames: plan.auth.boundServiceAccountNames } : {}),
      ...(plan.auth.boundServiceAccountNamespaces ? { boundNamespaces: plan.auth.boundServiceAccountNamespaces } : {}),
      ...(plan.auth.roleAudience !== undefined ? { audience: resolvePlaceholders(plan.auth.roleAudience, plan, facts) } : {}),
      policies: [policy],
    });
  } else {
    await configureJwtAuth(vault.admin, { mount, jwtValidationPubkeys: [env.signingKeyPublicPem], boundIssuer: env.profile.serviceAccountIssuer });
    await writeJwtRole(vault.admin, {
      mount,
      role: VAULT_ROLE,
      boundAudiences: plan.auth.boundAudiences.map((a) => resolvePlaceholders(a, plan, facts)),
      boundSubject: `system:serviceaccount:${saNamespace}:${plan.issuer.serviceAccount}`,
      policies: [policy],
    });
  }
}
