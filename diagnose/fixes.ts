// The smallest change that turns a diagnosed failure into a Ready Issuer, each with its trade-off and the
// scenario change that proves it (`apply`). Commands are printed, never run: diagnose only reads.
import { defaultAudience } from '../scenarios/placeholders.ts';
import { predict } from '../scenarios/oracle/index.ts';
import { CERT_MANAGER_CONTROLLER } from '../scenarios/oracle/messages.ts';
import { resourceNamespace } from '../scenarios/oracle/model.ts';
import { boundServiceAccount } from '../scenarios/oracle/role-binding.ts';
import { effectiveReviewer } from '../scenarios/oracle/token-review.ts';
import { atLeast, parseCertManagerVersion } from '../scenarios/oracle/version.ts';
import type { EnvironmentFacts, FailureClass, KubernetesAuth, Plan } from '../scenarios/types.ts';
import type { Versions } from '../scenarios/versions.ts';
import type { Candidate } from './candidates.ts';
import type { DiagnosisFacts, JwtRoleFacts, KubernetesRoleFacts } from './model.ts';
import { firstWithAudiences } from './versions.ts';

export interface Fix {
  title: string;
  /** What to apply: a kubectl patch, a manifest, or a vault command. */
  change: string;
  tradeoff: string;
  /** The scenario with the change made. */
  apply: (plan: Plan) => Plan;
}

export interface FixStep {
  failure: FailureClass;
  fix: Fix;
  alternatives: Fix[];
}

export interface FixContext {
  facts: DiagnosisFacts;
  versions: Versions;
  env: EnvironmentFacts;
}

/** Fixes one failure after another until the oracle predicts Ready (a setup can be wrong in more than one way). */
export function fixChain(candidate: Candidate, ctx: FixContext, max = 4): { steps: FixStep[]; fixed: Plan; ready: boolean } {
  const steps: FixStep[] = [];
  let plan = candidate.plan;
  let prediction = candidate.prediction;
  while (!prediction.ready && steps.length < max) {
    const step = fixesFor(prediction.failure!, plan, ctx);
    steps.push(step);
    plan = step.fix.apply(plan);
    prediction = predict(plan, ctx.env);
  }
  return { steps, fixed: plan, ready: prediction.ready };
}

function issuerRef(plan: Plan): string {
  return plan.issuer.kind === 'Issuer' ? `issuer ${plan.issuer.name} -n ${plan.issuer.namespace}` : `clusterissuer ${plan.issuer.name}`;
}

function mergePatch(plan: Plan, kubernetes: Record<string, unknown>): string {
  return `kubectl patch ${issuerRef(plan)} --type merge -p '${JSON.stringify({ spec: { vault: { auth: { kubernetes } } } })}'`;
}

function shellValue(v: string): string {
  return /^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replaceAll("'", `'\\''`)}'`;
}

const with_ = (plan: Plan, patch: { issuer?: Partial<Plan['issuer']>; auth?: Partial<KubernetesAuth> | Partial<Plan['auth']>; certManager?: Plan['certManager'] }): Plan =>
  ({
    ...plan,
    issuer: { ...plan.issuer, ...patch.issuer },
    auth: { ...plan.auth, ...patch.auth } as Plan['auth'],
    certManager: patch.certManager ?? plan.certManager,
  }) as Plan;

function resolvedAudiences(plan: Plan, ctx: FixContext): string[] {
  return (plan.issuer.audiences ?? []).map((a) => a.replace('${cluster.apiAudience}', ctx.env.apiAudiences[0] ?? '').replace('${vault.server}', ctx.env.vaultServer).replace('${issuer.defaultAudience}', defaultAudience(plan.issuer)).replace('${cluster.issuer}', ctx.env.serviceAccountIssuer));
}

/** `vault write` of a whole kubernetes role: a write with only some fields would reset the others on create. */
function kubernetesRoleWrite(plan: Plan, env: EnvironmentFacts, role: string, change: { audience?: string; names?: string[]; namespaces?: string[] }, known?: KubernetesRoleFacts): string {
  const auth = plan.auth as KubernetesAuth;
  const sa = boundServiceAccount({ plan, facts: env, certManager: parseCertManagerVersion(plan.certManager.version) }, auth);
  const names = change.names ?? known?.boundServiceAccountNames ?? sa.names;
  const namespaces = change.namespaces ?? known?.boundServiceAccountNamespaces ?? sa.namespaces;
  const audience = change.audience ?? known?.audience ?? auth.roleAudience;
  const policies = known?.policies.length ? known.policies.join(',') : '<its policies>';
  return [
    `vault write auth/${auth.mount}/role/${role}`,
    `  bound_service_account_names=${shellValue(names.join(','))}`,
    `  bound_service_account_namespaces=${shellValue(namespaces.join(','))}`,
    ...(audience ? [`  audience=${shellValue(audience)}`] : []),
    `  token_policies=${shellValue(policies)}`,
  ].join(' \\\n');
}

function jwtRoleWrite(plan: Plan, role: string, bound: string[], known?: JwtRoleFacts): string {
  const ns = plan.issuer.kind === 'Issuer' ? plan.issuer.namespace! : '<cluster resource namespace>';
  const policies = known?.policies.length ? known.policies.join(',') : '<its policies>';
  return [
    `vault write auth/${plan.auth.mount}/role/${role}`,
    `  role_type=${known?.roleType ?? 'jwt'}`,
    `  user_claim=${known?.userClaim ?? 'sub'}`,
    `  bound_subject=${shellValue(known?.boundSubject ?? `system:serviceaccount:${ns}:${plan.issuer.serviceAccount}`)}`,
    `  bound_audiences=${shellValue(bound.join(','))}`,
    `  token_policies=${shellValue(policies)}`,
  ].join(' \\\n');
}

function reviewerFix(plan: Plan): Fix {
  return {
    title: 'give Vault its own reviewer token (token_reviewer_jwt)',
    change: [
      `kubectl create serviceaccount vault-reviewer -n vault`,
      `kubectl create clusterrolebinding vault-reviewer-auth-delegator --clusterrole=system:auth-delegator --serviceaccount=vault:vault-reviewer`,
      `vault write auth/${plan.auth.mount}/config kubernetes_host=<as now> kubernetes_ca_cert=@<as now> \\`,
      `  token_reviewer_jwt="$(kubectl create token vault-reviewer -n vault --duration=8760h)"`,
      `# a config write replaces the whole config: repeat kubernetes_host and kubernetes_ca_cert as they are`,
    ].join('\n'),
    tradeoff: "Vault then reviews every login with a long-lived token of a ServiceAccount bound to system:auth-delegator: the API server's audiences stop mattering, but that token must be rotated and kept secret.",
    apply: (p) => with_(p, { auth: { tokenReviewer: 'reviewer-jwt' } }),
  };
}

export function fixesFor(failure: FailureClass, plan: Plan, ctx: FixContext): FixStep {
  const { facts, versions, env } = ctx;
  const role = facts.issuer.role;
  const cm = parseCertManagerVersion(plan.certManager.version);
  const sa = plan.issuer.serviceAccount;
  const saNs = resourceNamespace({ plan, facts: env, certManager: cm });
  const defaultAud = defaultAudience(plan.issuer);
  const kRole = facts.vault.role?.type === 'kubernetes' ? facts.vault.role : undefined;
  const jRole = facts.vault.role?.type === 'jwt' ? facts.vault.role : undefined;
  const audiencesFix = (audience: string, placeholder: string, why: string): Fix => ({
    title: `add "${audience}" to the Issuer's serviceAccountRef.audiences`,
    change: mergePatch(plan, { serviceAccountRef: { name: sa, audiences: [audience, ...resolvedAudiences(plan, ctx).filter((a) => a !== audience)] } }),
    tradeoff: why,
    apply: (p) => with_(p, { issuer: { audiences: [placeholder, ...(p.issuer.audiences ?? []).filter((a) => a !== placeholder)] } }),
  });
  switch (failure) {
    case 'apiserver-audience': {
      const apiAudience = env.apiAudiences[0] ?? env.serviceAccountIssuer;
      const audience = audiencesFix(
        apiAudience,
        '${cluster.apiAudience}',
        'the 10-minute token cert-manager mints is then also accepted by the API server as the ServiceAccount itself (it can do what that ServiceAccount may do, usually nothing beyond TokenReview); no Vault change.',
      );
      const local: Fix[] =
        plan.vault.placement === 'in-cluster' && effectiveReviewer({ plan, facts: env, certManager: cm }, plan.auth as KubernetesAuth) === 'client-jwt'
          ? [
              {
                title: "let Vault review with its own pod's token (disable_local_ca_jwt=false)",
                change: `vault write auth/${plan.auth.mount}/config kubernetes_host=<as now> kubernetes_ca_cert=@<as now> disable_local_ca_jwt=false\n# a config write replaces the whole config: repeat kubernetes_host and kubernetes_ca_cert as they are`,
                tradeoff: "Vault's own ServiceAccount must be bound to system:auth-delegator; only works while Vault runs in this cluster.",
                apply: (p) => with_(p, { auth: { tokenReviewer: 'local-token' } }),
              },
            ]
          : [];
      if (atLeast(cm, 1, 15)) return { failure, fix: audience, alternatives: [reviewerFix(plan), ...local] };
      const upgrade = firstWithAudiences(versions);
      return {
        failure,
        fix: reviewerFix(plan),
        alternatives: [
          ...local,
          ...(upgrade
            ? [{ ...audience, title: `upgrade cert-manager to ${upgrade} or later, then ${audience.title}`, apply: (p: Plan) => audience.apply(with_(p, { certManager: { version: upgrade } })) }]
            : []),
        ],
      };
    }
    case 'reviewer-forbidden':
      return {
        failure,
        fix: {
          title: `bind ServiceAccount ${saNs}/${sa} to system:auth-delegator`,
          change: `kubectl create clusterrolebinding ${sa}-${saNs}-auth-delegator --clusterrole=system:auth-delegator --serviceaccount=${saNs}:${sa}`,
          tradeoff: 'that ServiceAccount may then create TokenReviews and SubjectAccessReviews cluster-wide (it learns whether any token is valid, nothing more).',
          apply: (p) => with_(p, { issuer: { authDelegator: true } }),
        },
        alternatives: [reviewerFix(plan)],
      };
    case 'token-request-forbidden': {
      const name = `cert-manager-tokenrequest-${sa}`;
      return {
        failure,
        fix: {
          title: `let cert-manager create tokens for ServiceAccount ${saNs}/${sa} (Role + RoleBinding)`,
          change: [
            'kubectl apply -f - <<EOF',
            'apiVersion: rbac.authorization.k8s.io/v1',
            'kind: Role',
            `metadata: {name: ${name}, namespace: ${saNs}}`,
            'rules:',
            `- {apiGroups: [""], resources: [serviceaccounts/token], resourceNames: [${sa}], verbs: [create]}`,
            '---',
            'apiVersion: rbac.authorization.k8s.io/v1',
            'kind: RoleBinding',
            `metadata: {name: ${name}, namespace: ${saNs}}`,
            `roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ${name}}`,
            `subjects: [{kind: ServiceAccount, name: ${CERT_MANAGER_CONTROLLER.name}, namespace: ${CERT_MANAGER_CONTROLLER.namespace}}]`,
            'EOF',
          ].join('\n'),
          tradeoff: `cert-manager can then mint tokens for ${sa} (and only it: resourceNames); anyone who controls cert-manager can act as ${sa}.`,
          apply: (p) => with_(p, { issuer: { tokenRequestRole: true } }),
        },
        alternatives: [],
      };
    }
    case 'vault-mount-path': {
      const real = plan.auth.mount;
      return {
        failure,
        fix: {
          title: `point the Issuer's mountPath at /v1/auth/${real}, where the ${plan.auth.method} auth method is mounted`,
          change: mergePatch(plan, { mountPath: `/v1/auth/${real}` }),
          tradeoff: facts.vault.mounts
            ? `none: auth/${facts.issuer.mount} does not exist (vault auth list); if several ${plan.auth.method} mounts exist, pick the one holding role ${role}.`
            : `auth/${real} is a guess: \`vault auth list\` shows where the ${plan.auth.method} method really is.`,
          apply: (p) => {
            const { mount: _gone, ...issuer } = p.issuer;
            return { ...p, issuer };
          },
        },
        alternatives: [
          {
            title: `enable the auth method at auth/${facts.issuer.mount} instead`,
            change: `vault auth enable -path=${facts.issuer.mount} ${plan.auth.method}\n# then write its config and role ${role} as on auth/${real}`,
            tradeoff: 'a second mount to configure and keep in step with the first.',
            apply: (p) => with_(p, { auth: { mount: facts.issuer.mount } }),
          },
        ],
      };
    }
    case 'vault-role-audience': {
      const auth = plan.auth as KubernetesAuth;
      const roleAudience = auth.roleAudience ?? '';
      const alternatives: Fix[] = atLeast(cm, 1, 15)
        ? [audiencesFix(roleAudience, roleAudience, `the token then also carries "${roleAudience}": anything else that accepts that audience accepts it too.`)]
        : [];
      return {
        failure,
        fix: {
          title: `set the role's audience to the one cert-manager always asks for, "${defaultAud}"`,
          change: kubernetesRoleWrite(plan, env, role, { audience: defaultAud }, kRole),
          tradeoff: `the role then accepts only tokens minted for this ${plan.issuer.kind} (narrower than before); other clients that log in with role ${role} and the old audience stop working.`,
          apply: (p) => with_(p, { auth: { roleAudience: '${issuer.defaultAudience}' } }),
        },
        alternatives,
      };
    }
    case 'role-bound-service-account': {
      const auth = plan.auth as KubernetesAuth;
      const bound = boundServiceAccount({ plan, facts: env, certManager: cm }, auth);
      const names = bound.names.includes(sa) || bound.names.includes('*') ? bound.names : [...bound.names, sa];
      const namespaces = bound.namespaces.includes(saNs) || bound.namespaces.includes('*') ? bound.namespaces : [...bound.namespaces, saNs];
      return {
        failure,
        fix: {
          title: `bind role ${role} to ServiceAccount ${saNs}/${sa} as well`,
          change: kubernetesRoleWrite(plan, env, role, { names, namespaces }, kRole),
          tradeoff: `${saNs}/${sa} then gets the role's policies too; the names and namespaces are matched independently, so every listed name is allowed in every listed namespace.`,
          apply: (p) => with_(p, { auth: { boundServiceAccountNames: names, boundServiceAccountNamespaces: namespaces } }),
        },
        alternatives:
          bound.namespaces.includes(saNs) && bound.names[0] && !bound.names[0].includes('*')
            ? [
                {
                  title: `use ServiceAccount ${bound.names[0]}, which the role is bound to, in the Issuer's serviceAccountRef`,
                  change: mergePatch(plan, { serviceAccountRef: { name: bound.names[0] } }) + '\n# and let cert-manager create tokens for it (a Role on serviceaccounts/token)',
                  tradeoff: 'the Issuer then shares an identity with whatever else uses that ServiceAccount.',
                  apply: (p) => with_(p, { issuer: { serviceAccount: bound.names[0]! } }),
                },
              ]
            : [],
      };
    }
    case 'jwt-bound-audience':
    case 'jwt-no-bound-audiences': {
      const bound = plan.auth.method === 'jwt' ? plan.auth.boundAudiences : [];
      const alternatives: Fix[] =
        failure === 'jwt-bound-audience' && atLeast(cm, 1, 15) && bound[0]
          ? [audiencesFix(bound[0], bound[0], `the token then also carries "${bound[0]}": anything else that accepts that audience accepts it too.`)]
          : [];
      return {
        failure,
        fix: {
          title: `bind the JWT role to the audience cert-manager always asks for, "${defaultAud}"`,
          change: jwtRoleWrite(plan, role, [...bound, defaultAud], jRole),
          tradeoff: `the role accepts tokens minted for this ${plan.issuer.kind}; bound_subject still pins the ServiceAccount.`,
          apply: (p) => with_(p, { auth: { boundAudiences: [...bound, '${issuer.defaultAudience}'] } }),
        },
        alternatives,
      };
    }
    case 'crd-unknown-field': {
      const upgrade = firstWithAudiences(versions) ?? 'v1.15.0';
      return {
        failure,
        fix: {
          title: `upgrade cert-manager to ${upgrade} or later (serviceAccountRef.audiences exists from v1.15)`,
          change: `helm upgrade cert-manager jetstack/cert-manager -n cert-manager --version ${upgrade} --reuse-values  # CRDs included (crds.enabled / installCRDs)`,
          tradeoff: 'a cert-manager upgrade: read its release notes; from v1.20 the token also carries spec.vault.server.',
          apply: (p) => with_(p, { certManager: { version: upgrade } }),
        },
        alternatives: [
          {
            title: 'drop serviceAccountRef.audiences and give Vault its own reviewer token',
            change: reviewerFix(plan).change,
            tradeoff: reviewerFix(plan).tradeoff,
            apply: (p) => {
              const { audiences: _gone, ...issuer } = p.issuer;
              return { ...p, issuer, auth: p.auth.method === 'kubernetes' ? { ...p.auth, tokenReviewer: 'reviewer-jwt' } : p.auth } as Plan;
            },
          },
        ],
      };
    }
  }
}
