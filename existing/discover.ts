/**
 * What an existing cluster is, learned from the cluster itself: its ServiceAccount issuer and API audiences
 * (a TokenRequest with empty audiences gets exactly the API server's), the key it signs tokens with (OIDC
 * discovery and the JWKS the API server serves), the CA its pods trust, its namespaces, and its cert-manager.
 * Creates one short-lived namespace of its own for the token; the token itself is never written anywhere.
 */
import { AppsV1Api, type KubeConfig, type KubernetesObject, type V1Namespace } from '@kubernetes/client-node';
import { EnvironmentError } from '../lib/errors.ts';
import { apiMessage, Kube, statusCode } from '../lib/kube.ts';
import { certManagerFacts, controllerDeployment, signingKeyPem, tokenFacts, type CertManagerFacts, type Jwks } from './claims.ts';
import { getJson } from './kubeconfig.ts';
import { waitNamespacesGone } from './ledger.ts';
import { isManaged, MANAGED_BY } from '../lib/names.ts';

/** Where discovery mints its one token (deleted again when discovery ends). */
export const DISCOVERY_NAMESPACE = 'cm-vault-e2e-discovery';

export interface DiscoveredCluster {
  server: string;
  /** The kube-system namespace's uid: which cluster this is, whatever URL reaches it (existing/release-identity.ts). */
  clusterUid?: string;
  context: string;
  kubernetesVersion: string;
  serviceAccountIssuer: string;
  apiAudiences: string[];
  /** The current signing key, SPKI PEM (for Vault's JWT auth). */
  signingKeyPublicPem: string;
  jwksKeyCount: number;
  /** The `jwks_uri` OIDC discovery publishes (the key set itself is read from the API server). */
  jwksUri?: string;
  /** The CA pods trust for https://kubernetes.default.svc (ConfigMap kube-root-ca.crt). */
  inClusterCaPem: string;
  /** Namespace -> carries the suite's managed-by label. */
  namespaces: Map<string, boolean>;
  /** undefined: no cert-manager controller Deployment in the namespace looked at. */
  certManager?: CertManagerFacts;
  /** Whether cert-manager's CRDs are there, and whether this suite put them there. */
  certManagerCrds: 'absent' | 'ours' | 'foreign';
}

export async function discoverCluster(kc: KubeConfig, o: { file: string; certManagerNamespace: string }): Promise<DiscoveredCluster> {
  const version = await getJson<{ gitVersion: string }>(kc, '/version', { file: o.file, what: 'server version' });
  const kube = new Kube(kc);
  const claims = await mintedTokenFacts(kube);
  const oidc = await getJson<{ issuer?: string; jwks_uri?: string }>(kc, '/.well-known/openid-configuration', { file: o.file, what: 'OIDC discovery' });
  const jwks = await getJson<Jwks>(kc, '/openid/v1/jwks', { file: o.file, what: 'ServiceAccount token signing keys' });
  let signingKeyPublicPem: string;
  try {
    signingKeyPublicPem = signingKeyPem(jwks, claims.kid);
  } catch (err) {
    throw new EnvironmentError('ServiceAccount signing key', `${(err as Error).message} (GET /openid/v1/jwks)`, 'the cluster must serve its JWKS (kube-apiserver --service-account-jwks-uri / OIDC issuer)');
  }
  const namespaces = new Map<string, boolean>();
  const listed = (await kube.core.listNamespace()).items as V1Namespace[];
  for (const ns of listed) {
    if (ns.metadata?.name && ns.metadata.name !== DISCOVERY_NAMESPACE) namespaces.set(ns.metadata.name, isManaged(ns));
  }
  const clusterUid = listed.find((ns) => ns.metadata?.name === 'kube-system')?.metadata?.uid;
  const root = await kube.core.readNamespacedConfigMap({ name: 'kube-root-ca.crt', namespace: 'default' }).catch(() => undefined);
  const deployments = namespaces.has(o.certManagerNamespace) ? (await kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: o.certManagerNamespace })).items : [];
  const controller = controllerDeployment(deployments);
  const crd = await kube.read<KubernetesObject>('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'certificates.cert-manager.io');
  const certManagerCrds = !crd ? 'absent' : isManaged(crd) ? 'ours' : 'foreign';
  return {
    server: kc.getCurrentCluster()!.server,
    ...(clusterUid ? { clusterUid } : {}),
    context: kc.getCurrentContext(),
    kubernetesVersion: version.gitVersion,
    serviceAccountIssuer: claims.iss,
    apiAudiences: claims.aud,
    signingKeyPublicPem,
    jwksKeyCount: jwks.keys?.length ?? 0,
    ...(oidc.jwks_uri ? { jwksUri: oidc.jwks_uri } : {}),
    inClusterCaPem: root?.data?.['ca.crt'] ?? Buffer.from(kc.getCurrentCluster()!.caData ?? '', 'base64').toString('utf8'),
    namespaces,
    ...(controller ? { certManager: certManagerFacts(controller) } : {}),
    certManagerCrds,
  };
}

/** A token for a ServiceAccount in the discovery namespace, audiences left to the API server; only its claims leave. */
async function mintedTokenFacts(kube: Kube) {
  const meta = { labels: { ...MANAGED_BY } };
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: DISCOVERY_NAMESPACE } };
  // an earlier run's may still be terminating
  await waitNamespacesGone(kube, [DISCOVERY_NAMESPACE], 120_000);
  try {
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: DISCOVERY_NAMESPACE, ...meta } });
    await kube.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'discovery', namespace: DISCOVERY_NAMESPACE, ...meta } });
    return tokenFacts(await kube.tokenRequest(DISCOVERY_NAMESPACE, 'discovery', { audiences: [], expirationSeconds: 600 }));
  } catch (err) {
    if (err instanceof EnvironmentError) throw err;
    const code = statusCode(err);
    throw new EnvironmentError(
      'TokenRequest',
      `could not mint a ServiceAccount token in namespace ${DISCOVERY_NAMESPACE}${code ? ` (${code})` : ''}: ${apiMessage(err).split('\n')[0]}`,
      'the kubeconfig user needs to create namespaces, ServiceAccounts and serviceaccounts/token (cluster-admin does)',
    );
  } finally {
    await kube.delete(ns).catch(() => undefined);
    await waitNamespacesGone(kube, [DISCOVERY_NAMESPACE], 120_000);
  }
}
