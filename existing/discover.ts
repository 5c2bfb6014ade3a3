/**
 * What an existing cluster is, learned from the cluster itself: its ServiceAccount issuer and API audiences
 * (a TokenRequest with empty audiences gets exactly the API server's), the key it signs tokens with (OIDC
 * discovery and the JWKS the API server serves), the CA its pods trust, its namespaces, and its cert-manager.
 * Creates one short-lived namespace of its own for the token, named after the run and carrying its label (in the
 * run's ledger before it is made, so reaping finds it after a kill); the token itself is never written anywhere.
 */
import { AppsV1Api, type KubeConfig, type KubernetesObject, type V1Namespace } from '@kubernetes/client-node';
import { EnvironmentError } from '../lib/errors.ts';
import { apiMessage, Kube, statusCode } from '../lib/kube.ts';
import { certManagerFacts, controllerDeployment, signingKeyPem, tokenFacts, type CertManagerFacts, type Jwks } from './claims.ts';
import { getJson } from './kubeconfig.ts';
import { runLabelled } from './ledger.ts';
import { isManaged } from '../lib/names.ts';

/**
 * Where a run's discovery mints its one token (deleted again when discovery ends): one per run, so no run waits
 * for or deletes another's.
 */
export const discoveryNamespace = (run: string) => `cm-vault-e2e-discovery-${run}`;

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

/** `run`: the run's id, whose label the discovery namespace carries (the caller has recorded the run's objects in its ledger). */
export async function discoverCluster(kc: KubeConfig, o: { file: string; certManagerNamespace: string; run: string }): Promise<DiscoveredCluster> {
  const version = await getJson<{ gitVersion: string }>(kc, '/version', { file: o.file, what: 'server version' });
  const kube = new Kube(kc);
  const claims = await mintedTokenFacts(kube, o.run);
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
    if (ns.metadata?.name && ns.metadata.name !== discoveryNamespace(o.run)) namespaces.set(ns.metadata.name, isManaged(ns));
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

/** A token for a ServiceAccount in the run's discovery namespace, audiences left to the API server; only its claims leave. */
async function mintedTokenFacts(kube: Kube, run: string) {
  const namespace = discoveryNamespace(run);
  const ns = runLabelled({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }, run);
  let created = false;
  try {
    // created, never applied: a namespace of that name that is not this run's is left alone (and refused)
    await kube.create(ns);
    created = true;
    await kube.create(runLabelled({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'discovery', namespace } }, run));
    return tokenFacts(await kube.tokenRequest(namespace, 'discovery', { audiences: [], expirationSeconds: 600 }));
  } catch (err) {
    if (err instanceof EnvironmentError) throw err;
    const code = statusCode(err);
    throw new EnvironmentError(
      'TokenRequest',
      `could not mint a ServiceAccount token in namespace ${namespace}${code ? ` (${code})` : ''}: ${apiMessage(err).split('\n')[0]}`,
      'the kubeconfig user needs to create namespaces, ServiceAccounts and serviceaccounts/token (cluster-admin does)',
    );
  } finally {
    // not waited for: the name is this run's alone, and the run's end waits for everything it labelled to be gone
    if (created) await kube.delete(ns).catch(() => undefined);
  }
}
