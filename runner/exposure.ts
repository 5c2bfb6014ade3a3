import { AuthenticationV1Api, type KubernetesObject, type V1SelfSubjectRulesReview } from '@kubernetes/client-node';
import { Kube, kubeConfigFor, statusCode } from '../lib/kube.ts';
import type { ExposureObservation, TokenRequester } from '../scenarios/types.ts';
import type { ScenarioEnvironment } from './environment.ts';

/** What every authenticated user may create (system:basic-user): not an exposure of this token. */
const SELF_REVIEWS = new Set(['selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'selfsubjectreviews']);

/** The careless RoleBinding a scenario may ask for: the issuer's ServiceAccount bound to a ClusterRole in its namespace. */
export function extraRoleBinding(namespace: string, sa: string, clusterRole: string): KubernetesObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: `cm-vault-e2e-careless-${sa}-${clusterRole}`, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
    subjects: [{ kind: 'ServiceAccount', name: sa, namespace }],
  } as KubernetesObject;
}

/** `verbs resource.group` lines of a rules review, without the self-reviews, sorted. */
export function rightsOf(review: V1SelfSubjectRulesReview): string[] {
  const rights = new Set<string>();
  for (const rule of review.status?.resourceRules ?? []) {
    const resources = rule.resources ?? [];
    if (resources.length && resources.every((r) => SELF_REVIEWS.has(r))) continue;
    for (const group of rule.apiGroups ?? ['']) {
      for (const resource of resources) rights.add(`${[...rule.verbs].sort().join(',')} ${group ? `${resource}.${group}` : resource}${rule.resourceNames?.length ? ` (${rule.resourceNames.join(',')})` : ''}`);
    }
  }
  return [...rights].sort();
}

/**
 * Requests a token for the issuer's ServiceAccount with the audiences cert-manager asks for, and uses it against the
 * API server: who it authenticates as (SelfSubjectReview) and what it may do in its namespace (SelfSubjectRulesReview).
 * Run after the scenario's logs are read: a refused token leaves its own audience line in the API server log.
 */
export async function measureExposure(
  env: ScenarioEnvironment,
  o: { namespace: string; serviceAccount: string; audiences: string[]; remember: (secret: string) => void },
): Promise<ExposureObservation> {
  const token = await env.kube.tokenRequest(o.namespace, o.serviceAccount, { audiences: o.audiences, expirationSeconds: 600 });
  o.remember(token);
  const kc = kubeConfigFor({ server: env.access.server, caPem: env.access.caPem, token, user: 'issuer-token' });
  const as = new Kube(kc);
  try {
    const who = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    const rules = await as.authz.createSelfSubjectRulesReview({ body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: o.namespace } } });
    return { audiences: o.audiences, user: who.status?.userInfo?.username ?? '', rights: rightsOf(rules) };
  } catch (err) {
    const code = statusCode(err);
    if (code === 401) {
      // Let the API server's audience line land before the next scenario marks the log.
      await new Promise((r) => setTimeout(r, 1000));
      return { audiences: o.audiences, refused: 'HTTP 401 Unauthorized' };
    }
    throw err;
  }
}

/** Asks the API server, as the admin, whether each subject may create serviceaccounts/token for its ServiceAccount. */
export async function measureTokenRequesters(kube: Kube, asked: readonly TokenRequester[]): Promise<TokenRequester[]> {
  const answers: TokenRequester[] = [];
  for (const { subject, namespace, serviceAccount } of asked) {
    const review = await kube.authz.createSubjectAccessReview({
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { user: subject, groups: serviceAccountGroups(subject), resourceAttributes: { namespace, verb: 'create', resource: 'serviceaccounts', subresource: 'token', name: serviceAccount } },
      },
    });
    answers.push({ subject, namespace, serviceAccount, allowed: review.status?.allowed === true });
  }
  return answers;
}

/** The groups the ServiceAccount authenticator adds to a ServiceAccount user, which RBAC may bind to. */
export function serviceAccountGroups(user: string): string[] {
  const m = /^system:serviceaccount:([^:]+):[^:]+$/.exec(user);
  return m ? ['system:serviceaccounts', `system:serviceaccounts:${m[1]}`, 'system:authenticated'] : ['system:authenticated'];
}
