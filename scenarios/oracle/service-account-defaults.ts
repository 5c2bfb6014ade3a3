import { kubernetesMinor } from '../../lib/semver.ts';

/**
 * Rights every ServiceAccount holds on a release by its default RBAC, beyond the self-reviews every user has: a
 * SelfSubjectRulesReview lists them for any token, so they are no exposure of the issuer's token.
 *
 * From 1.37 ClusterTrustBundle is GA and on by default, and the bootstrap policy binds
 * `system:cluster-trust-bundle-discovery` (get, list, watch clustertrustbundles) to the group
 * system:serviceaccounts. Up to 1.36 the gate is off by default (beta since 1.33), so neither role nor binding exists.
 */
export const CLUSTER_TRUST_BUNDLE_DISCOVERY = {
  since: 37,
  right: 'get,list,watch clustertrustbundles.certificates.k8s.io',
  source:
    'kubernetes/kubernetes@v1.37.2 plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go#ClusterRoleBindings; ' +
    'kubernetes/kubernetes@v1.37.2 pkg/features/kube_features.go#ClusterTrustBundle',
} as const;

export function serviceAccountDefaultRights(kubernetesVersion: string): { rights: string[]; source?: string } {
  return kubernetesMinor(kubernetesVersion) >= CLUSTER_TRUST_BUNDLE_DISCOVERY.since
    ? { rights: [CLUSTER_TRUST_BUNDLE_DISCOVERY.right], source: CLUSTER_TRUST_BUNDLE_DISCOVERY.source }
    : { rights: [] };
}
