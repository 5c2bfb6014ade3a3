import type { KubernetesObject } from '@kubernetes/client-node';
import type { IssuerSpec, Plan } from '../scenarios/types.ts';
import { MANAGED_BY } from '../lib/names.ts';

/** The Kubernetes objects one scenario creates, derived from its plan alone. */

export function serviceAccountNamespace(issuer: IssuerSpec, clusterResourceNamespace: string): string {
  return issuer.kind === 'Issuer' ? issuer.namespace! : clusterResourceNamespace;
}

export function namespaceObject(name: string): KubernetesObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { ...MANAGED_BY } } };
}

export function serviceAccount(namespace: string, name: string): KubernetesObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } };
}

/** What users must grant: cert-manager's controller may create tokens for this one ServiceAccount. */
export function tokenRequestRbac(namespace: string, sa: string, controller: { namespace: string; name: string }): KubernetesObject[] {
  const name = `cm-vault-e2e-tokenrequest-${sa}`;
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace },
      rules: [{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: [sa], verbs: ['create'] }],
    } as KubernetesObject,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name: controller.name, namespace: controller.namespace }],
    } as KubernetesObject,
  ];
}

export function authDelegatorBinding(namespace: string, sa: string): KubernetesObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: `cm-vault-e2e-auth-delegator-${namespace}-${sa}` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
    subjects: [{ kind: 'ServiceAccount', name: sa, namespace }],
  } as KubernetesObject;
}

export interface IssuerInputs {
  server: string;
  caPem: string;
  signPath: string;
  role: string;
  /** Audiences after placeholders; undefined = field not set. */
  audiences?: string[];
}

export function issuerObject(plan: Plan, inputs: IssuerInputs): KubernetesObject {
  const { issuer } = plan;
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: issuer.kind,
    metadata: { name: issuer.name, ...(issuer.kind === 'Issuer' ? { namespace: issuer.namespace } : {}) },
    spec: {
      vault: {
        server: inputs.server,
        path: inputs.signPath,
        caBundle: Buffer.from(inputs.caPem).toString('base64'),
        auth: {
          kubernetes: {
            role: inputs.role,
            mountPath: `/v1/auth/${plan.issuer.mount ?? plan.auth.mount}`,
            serviceAccountRef: { name: issuer.serviceAccount, ...(inputs.audiences ? { audiences: inputs.audiences } : {}) },
          },
        },
      },
    },
  } as KubernetesObject;
}

/**
 * A Certificate named after the scenario and its run, so objects cert-manager owns under it (CertificateRequests,
 * the next-private-key Secret) never collide with a previous scenario's in the same namespace.
 */
export function certificateObject(plan: Plan, namespace: string, name: string): KubernetesObject {
  // From the (short) object name, not the scenario id: cert-manager's webhook refuses a commonName over 64 bytes.
  const dns = `${name}.cm-vault-e2e.test`;
  // A scenario that judges names (a hardened Vault policy) asks for its own.
  const names = plan.certificate ?? { commonName: dns, dnsNames: [dns], ipAddresses: [], uriSANs: [] };
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name, namespace },
    spec: {
      secretName: `${name}-tls`,
      ...(names.commonName !== undefined ? { commonName: names.commonName } : {}),
      ...(names.dnsNames.length ? { dnsNames: names.dnsNames } : {}),
      ...(names.ipAddresses.length ? { ipAddresses: names.ipAddresses } : {}),
      ...(names.uriSANs.length ? { uris: names.uriSANs } : {}),
      duration: '1h',
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      issuerRef: { group: 'cert-manager.io', kind: plan.issuer.kind, name: plan.issuer.name },
    },
  } as KubernetesObject;
}
