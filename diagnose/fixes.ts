// The smallest change that turns a diagnosed failure into a Ready Issuer, each with its trade-off and the
// scenario change that proves it (`apply`). Commands are printed, never run: diagnose only reads.
import { defaultAudience } from '../scenarios/placeholders.ts';
import { predict } from '../scenarios/oracle/index.ts';
import { resourceNamespace } from '../scenarios/oracle/model.ts';
import { boundServiceAccount } from '../scenarios/oracle/role-binding.ts';
import { effectiveReviewer } from '../scenarios/oracle/token-review.ts';
import { atLeast, parseCertManagerVersion } from '../scenarios/oracle/version.ts';
import type { EnvironmentFacts, FailureClass, KubernetesAuth, Plan } from '../scenarios/types.ts';
import type { Versions } from '../scenarios/versions.ts';
import type { Candidate } from './candidates.ts';
import { stringify } from 'yaml';
import type { DiagnosisFacts, JwtRoleFacts, KubernetesRoleFacts } from './model.ts';
import { firstWithAudiences } from './versions.ts';

/** A fix as data, so a test can apply exactly what is printed; `change` is rendered from it. */
export type FixAction =
  /** A JSON merge patch of spec.vault.auth.kubernetes. */
  | { kind: 'issuer-patch'; issuer: { kind: string; name: string; namespace?: string }; patch: Record<string, unknown> }
  /** A `vault write`; values written `<…>` are not known and must be filled in. */
  | { kind: 'vault-write'; path: string; body: Record<string, string | string[]> }
  | { kind: 'manifests'; objects: Array<Record<string, unknown>> }
  | { kind: 'cert-manager-upgrade'; version: string }
  /** Steps only a person can take (a reviewer token to mint and store). */
  | { kind: 'manual'; text: string };

export interface Fix {
  title: string;
  /** What to apply, as printed: rendered from `action`. */
  change: string;
  action: FixAction;
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
  /** The identity cert-manager's controller acts as (the RoleBinding's subject). */
  controller: { namespace: string; name: string };
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

function issuerPatch(plan: Plan, kubernetes: Record<string, unknown>): FixAction {
  const i = plan.issuer;
  return { kind: 'issuer-patch', issuer: { kind: i.kind, name: i.name, ...(i.namespace ? { namespace: i.namespace } : {}) }, patch: kubernetes };
}

/** The command or manifest a person runs for `action`. */
export function renderAction(action: FixAction): string {
  switch (action.kind) {
    case 'issuer-patch': {
      const i = action.issuer;
      const ref = i.kind === 'Issuer' ? `issuer ${i.name} -n ${i.namespace}` : `clusterissuer ${i.name}`;
      return `kubectl patch ${ref} --type merge -p '${JSON.stringify({ spec: { vault: { auth: { kubernetes: action.patch } } } })}'`;
    }
    case 'vault-write':
      return [`vault write ${action.path}`, ...Object.entries(action.body).map(([k, v]) => `  ${k}=${shellValue(Array.isArray(v) ? v.join(',') : v)}`)].join(' \\\n');
    case 'manifests':
      return ['kubectl apply -f - <<EOF', ...action.objects.map((o) => stringify(o, { lineWidth: 0 }).trimEnd()).join('\n---\n').split('\n'), 'EOF'].join('\n');
    case 'cert-manager-upgrade':
      return `helm upgrade cert-manager jetstack/cert-manager -n cert-manager --version ${action.version} --reuse-values  # CRDs included (crds.enabled / installCRDs)`;
    case 'manual':
      return action.text;
  }
}

function fix(f: Omit<Fix, 'change'>): Fix {
  return { ...f, change: renderAction(f.action) };
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
function kubernetesRoleWrite(plan: Plan, env: EnvironmentFacts, role: string, change: { audience?: string; names?: string[]; namespaces?: string[] }, known?: KubernetesRoleFacts): FixAction {
  const auth = plan.auth as KubernetesAuth;
  const sa = boundServiceAccount({ plan, facts: env, certManager: parseCertManagerVersion(plan.certManager.version) }, auth);
  const names = change.names ?? known?.boundServiceAccountNames ?? sa.names;
  const namespaces = change.namespaces ?? known?.boundServiceAccountNamespaces ?? sa.namespaces;
  const audience = change.audience ?? known?.audience ?? auth.roleAudience;
  return {
    kind: 'vault-write',
    path: `auth/${auth.mount}/role/${role}`,
    body: {
      bound_service_account_names: names,
      bound_service_account_namespaces: namespaces,
      ...(audience ? { audience } : {}),
      token_policies: known?.policies.length ? known.policies : '<its policies>',
    },
  };
}

function jwtRoleWrite(plan: Plan, saNamespace: string, role: string, bound: string[], known?: JwtRoleFacts): FixAction {
  return {
    kind: 'vault-write',
    path: `auth/${plan.auth.mount}/role/${role}`,
    body: {
      role_type: known?.roleType ?? 'jwt',
      user_claim: known?.userClaim ?? 'sub',
      bound_subject: known?.boundSubject ?? `system:serviceaccount:${saNamespace}:${plan.issuer.serviceAccount}`,
      bound_audiences: bound,
      token_policies: known?.policies.length ? known.policies : '<its policies>',
    },
  };
}

function reviewerFix(plan: Plan): Fix {
  return fix({
    title: 'give Vault its own reviewer token (token_reviewer_jwt)',
    action: { kind: 'manual', text: [
      `kubectl create serviceaccount vault-reviewer -n vault`,
      `kubectl create clusterrolebinding vault-reviewer-auth-delegator --clusterrole=system:auth-delegator --serviceaccount=vault:vault-reviewer`,
      `vault write auth/${plan.auth.mount}/config kubernetes_host=<as now> kubernetes_ca_cert=@<as now> \\`,
      `  token_reviewer_jwt="$(kubectl create token vault-reviewer -n vault --duration=8760h)"`,
      `# a config write replaces the whole config: repeat kubernetes_host and kubernetes_ca_cert as they are`,
    ].join('\n') },
    tradeoff: "Vault then reviews every login with a long-lived token of a ServiceAccount bound to system:auth-delegator: the API server's audiences stop mattering, but that token must be rotated and kept secret.",
    apply: (p) => with_(p, { auth: { tokenReviewer: 'reviewer-jwt' } }),
  });
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
  const audiencesFix = (audience: string, placeholder: string, why: string): Fix =>
    fix({
      title: `add "${audience}" to the Issuer's serviceAccountRef.audiences`,
      action: issuerPatch(plan, { serviceAccountRef: { name: sa, audiences: [audience, ...resolvedAudiences(plan, ctx).filter((a) => a !== audience)] } }),
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
              fix({
                title: "let Vault review with its own pod's token (disable_local_ca_jwt=false)",
                action: { kind: 'manual', text: `vault write auth/${plan.auth.mount}/config kubernetes_host=<as now> kubernetes_ca_cert=@<as now> disable_local_ca_jwt=false\n# a config write replaces the whole config: repeat kubernetes_host and kubernetes_ca_cert as they are` },
                tradeoff: "Vault's own ServiceAccount must be bound to system:auth-delegator; only works while Vault runs in this cluster.",
                apply: (p) => with_(p, { auth: { tokenReviewer: 'local-token' } }),
              }),
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
            ? [{ ...audience, title: `upgrade cert-manager to ${upgrade} or later, then ${audience.title}`, change: `${renderAction({ kind: 'cert-manager-upgrade', version: upgrade })}\n${audience.change}`, apply: (p: Plan) => audience.apply(with_(p, { certManager: { version: upgrade, installer: p.certManager.installer } })) }]
            : []),
        ],
      };
    }
    case 'reviewer-forbidden':
      return {
        failure,
        fix: fix({
          title: `bind ServiceAccount ${saNs}/${sa} to system:auth-delegator`,
          action: {
            kind: 'manifests',
            objects: [
              {
                apiVersion: 'rbac.authorization.k8s.io/v1',
                kind: 'ClusterRoleBinding',
                metadata: { name: `${sa}-${saNs}-auth-delegator` },
                roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
                subjects: [{ kind: 'ServiceAccount', name: sa, namespace: saNs }],
              },
            ],
          },
          tradeoff: 'that ServiceAccount may then create TokenReviews and SubjectAccessReviews cluster-wide (it learns whether any token is valid, nothing more).',
          apply: (p) => with_(p, { issuer: { authDelegator: true } }),
        }),
        alternatives: [reviewerFix(plan)],
      };
    case 'token-request-forbidden': {
      const name = `cert-manager-tokenrequest-${sa}`;
      return {
        failure,
        fix: fix({
          title: `let cert-manager create tokens for ServiceAccount ${saNs}/${sa} (Role + RoleBinding)`,
          action: {
            kind: 'manifests',
            objects: [
              {
                apiVersion: 'rbac.authorization.k8s.io/v1',
                kind: 'Role',
                metadata: { name, namespace: saNs },
                rules: [{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: [sa], verbs: ['create'] }],
              },
              {
                apiVersion: 'rbac.authorization.k8s.io/v1',
                kind: 'RoleBinding',
                metadata: { name, namespace: saNs },
                roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
                subjects: [{ kind: 'ServiceAccount', name: ctx.controller.name, namespace: ctx.controller.namespace }],
              },
            ],
          },
          tradeoff: `cert-manager can then mint tokens for ${sa} (and only it: resourceNames); anyone who controls cert-manager can act as ${sa}.`,
          apply: (p) => with_(p, { issuer: { tokenRequestRole: true } }),
        }),
        alternatives: [],
      };
    }
    case 'review-host':
      return {
        failure,
        fix: fix({
          title: `point auth/${plan.auth.mount}/config at the API server this cluster serves, with the CA that signs its certificate`,
          action: {
            kind: 'manual',
            text: [
              `kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d > k8s-ca.pem`,
              `vault write auth/${plan.auth.mount}/config kubernetes_host=<the API server's URL as Vault reaches it> kubernetes_ca_cert=@k8s-ca.pem <the other fields as now>`,
              '# a config write replaces the whole config: repeat token_reviewer_jwt / disable_local_ca_jwt as they are',
            ].join('\n'),
          },
          tradeoff: 'none: Vault then reaches and trusts the API server that issued the token; from inside the cluster, https://kubernetes.default.svc and the pod\'s CA are the usual pair.',
          apply: (p) => {
            if (p.auth.method !== 'kubernetes') return p;
            const { reviewHost: _gone, ...auth } = p.auth;
            return { ...p, auth };
          },
        }),
        alternatives: [],
      };
    case 'vault-mount-path': {
      const real = plan.auth.mount;
      return {
        failure,
        fix: fix({
          title: `point the Issuer's mountPath at /v1/auth/${real}, where the ${plan.auth.method} auth method is mounted`,
          action: issuerPatch(plan, { mountPath: `/v1/auth/${real}` }),
          tradeoff: facts.vault.mounts
            ? `none: auth/${facts.issuer.mount} does not exist (vault auth list); if several ${plan.auth.method} mounts exist, pick the one holding role ${role}.`
            : `auth/${real} is a guess: \`vault auth list\` shows where the ${plan.auth.method} method really is.`,
          apply: (p) => {
            const { mount: _gone, ...issuer } = p.issuer;
            return { ...p, issuer };
          },
        }),
        alternatives: [
          fix({
            title: `enable the auth method at auth/${facts.issuer.mount} instead`,
            action: { kind: 'manual', text: `vault auth enable -path=${facts.issuer.mount} ${plan.auth.method}\n# then write its config and role ${role} as on auth/${real}` },
            tradeoff: 'a second mount to configure and keep in step with the first.',
            apply: (p) => with_(p, { auth: { mount: facts.issuer.mount } }),
          }),
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
        fix: fix({
          title: `set the role's audience to the one cert-manager always asks for, "${defaultAud}"`,
          action: kubernetesRoleWrite(plan, env, role, { audience: defaultAud }, kRole),
          tradeoff: `the role then accepts only tokens minted for this ${plan.issuer.kind} (narrower than before); other clients that log in with role ${role} and the old audience stop working.`,
          apply: (p) => with_(p, { auth: { roleAudience: '${issuer.defaultAudience}' } }),
        }),
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
        fix: fix({
          title: `bind role ${role} to ServiceAccount ${saNs}/${sa} as well`,
          action: kubernetesRoleWrite(plan, env, role, { names, namespaces }, kRole),
          tradeoff: `${saNs}/${sa} then gets the role's policies too; the names and namespaces are matched independently, so every listed name is allowed in every listed namespace.`,
          apply: (p) => with_(p, { auth: { boundServiceAccountNames: names, boundServiceAccountNamespaces: namespaces } }),
        }),
        alternatives:
          bound.namespaces.includes(saNs) && bound.names[0] && !bound.names[0].includes('*')
            ? [
                {
                  ...fix({
                    title: `use ServiceAccount ${bound.names[0]}, which the role is bound to, in the Issuer's serviceAccountRef (and let cert-manager create its tokens)`,
                    action: issuerPatch(plan, { serviceAccountRef: { name: bound.names[0] } }),
                    tradeoff: 'the Issuer then shares an identity with whatever else uses that ServiceAccount.',
                    apply: (p) => with_(p, { issuer: { serviceAccount: bound.names[0]! } }),
                  }),
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
        fix: fix({
          title: `bind the JWT role to the audience cert-manager always asks for, "${defaultAud}"`,
          action: jwtRoleWrite(plan, saNs, role, [...bound, defaultAud], jRole),
          tradeoff: `the role accepts tokens minted for this ${plan.issuer.kind}; bound_subject still pins the ServiceAccount.`,
          apply: (p) => with_(p, { auth: { boundAudiences: [...bound, '${issuer.defaultAudience}'] } }),
        }),
        alternatives,
      };
    }
    case 'crd-unknown-field': {
      const upgrade = firstWithAudiences(versions) ?? 'v1.15.0';
      return {
        failure,
        fix: fix({
          title: `upgrade cert-manager to ${upgrade} or later (serviceAccountRef.audiences exists from v1.15)`,
          action: { kind: 'cert-manager-upgrade', version: upgrade },
          tradeoff: 'a cert-manager upgrade: read its release notes; from v1.20 the token also carries spec.vault.server.',
          apply: (p) => with_(p, { certManager: { version: upgrade, installer: p.certManager.installer } }),
        }),
        alternatives: [
          {
            title: 'drop serviceAccountRef.audiences and give Vault its own reviewer token',
            change: reviewerFix(plan).change,
            action: reviewerFix(plan).action,
            tradeoff: reviewerFix(plan).tradeoff,
            apply: (p) => {
              const { audiences: _gone, ...issuer } = p.issuer;
              return { ...p, issuer, auth: p.auth.method === 'kubernetes' ? { ...p.auth, tokenReviewer: 'reviewer-jwt' } : p.auth } as Plan;
            },
          },
        ],
      };
    }
    case 'vault-policy-denied': {
      // The Issuer works; the role's ACL policy refuses the sign body cert-manager sends (scenarios/oracle/vault-policy.ts).
      return {
        failure,
        fix: fix({
          title: 'let the policy accept every parameter cert-manager sends: add "*" = [] to allowed_parameters, keep common_name constrained',
          action: { kind: 'manual', text: 'vault policy write <the role\'s policy> - <<EOF\n# in the path "pki/sign/<role>" block, inside allowed_parameters:\n    "*" = []\nEOF' },
          tradeoff: 'the other parameters (alt_names above all) are then unconstrained by the ACL: constrain names in the PKI role (allowed_domains) instead.',
          apply: (p) => (p.vault.policy ? { ...p, vault: { ...p.vault, policy: { ...p.vault.policy, paths: ['sign', 'issue'], allowedParameters: { ...p.vault.policy.allowedParameters, '*': [] } } } } : p),
        }),
        alternatives: [],
      };
    }
    case 'pki-role-denied': {
      // The ACL let the request through and the PKI role refused a name or a missing CN (scenarios/oracle/pki-role.ts):
      // the role doing its job. The Certificate asks for a name the role allows, or the role allows the name.
      const domain = plan.vault.pkiRole?.allowedDomains[0] ?? 'example.com';
      const name = `app.${domain}`;
      return {
        failure,
        fix: fix({
          title: `ask only for names the PKI role allows (e.g. ${name}), with a commonName where the role sets require_cn`,
          action: { kind: 'manual', text: `vault read pki/roles/<role>   # allowed_domains, allow_subdomains, require_cn
kubectl edit certificate <name>   # dnsNames: [${name}], commonName: ${name}` },
          tradeoff: "if the name is rightly this issuer's, widen the role instead (allowed_domains): the role, not the ACL policy, is what limits the names Vault signs.",
          apply: (p) => ({ ...p, certificate: { commonName: name, dnsNames: [name], ipAddresses: [], uriSANs: [] } }),
        }),
        alternatives: [],
      };
    }
  }
}
