// The facts of `diagnose --kubeconfig …`: read from the cluster and, with a token, from Vault. Nothing is written:
// SubjectAccessReviews and (where the API server's flags are not readable) one TokenRequest answer questions
// without storing anything, and the token's claims are all that is kept of it.
import { readFileSync } from 'node:fs';
import { AppsV1Api, type KubeConfig, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import { InputError } from '../lib/errors.ts';
import { apiMessage, Kube, statusCode } from '../lib/kube.ts';
import { certManagerFacts, controllerDeployment, tokenFacts } from '../existing/claims.ts';
import { getJson, loadKubeconfig } from '../existing/kubeconfig.ts';
import { CERT_MANAGER_CONTROLLER, serviceAccountUser } from '../scenarios/oracle/messages.ts';
import { apiFailureOf, createVaultClient } from '../vault/client.ts';
import { redact } from '../vault/redact.ts';
import { parseAllDocuments } from 'yaml';
import { parseAuthConfig, parseIssuer, parseRole, readIssuerFile } from './inputs.ts';
import type { ClusterFacts, DiagnosisFacts, IssuerFacts, VaultFacts } from './model.ts';

export interface LiveOptions {
  kubeconfig: string;
  /** An Issuer the API server refused, as the user tried to apply it (it does not exist to be read). */
  issuerFile?: string;
  issuer?: string;
  clusterIssuer?: string;
  vaultAddr?: string;
  vaultTokenFile?: string;
  vaultCa?: string;
  certManagerNamespace?: string;
  certManagerVersion?: string;
  clusterResourceNamespace?: string;
  message?: string;
}

const CLI = 'command line';

/** `vaultTokenFromEnv` is VAULT_TOKEN as the CLI read it; the token is never taken from argv. */
export async function liveFacts(o: LiveOptions, vaultTokenFromEnv: string | undefined): Promise<DiagnosisFacts> {
  const kc = loadKubeconfig(o.kubeconfig);
  const kube = new Kube(kc);
  const server = kc.getCurrentCluster()!.server;
  const notes: string[] = [`cluster ${server} (context ${kc.getCurrentContext()})`];
  let object: KubernetesObject;
  let issuer: IssuerFacts;
  if (o.issuerFile) {
    if (o.issuer || o.clusterIssuer) throw new InputError({ file: CLI, field: '--issuer-file' }, 'is exclusive with --issuer/--cluster-issuer', 'name the Issuer in the cluster, or pass the one the API server refused as a file');
    issuer = readIssuerFile(o.issuerFile);
    object = parseYamlObject(readFileSync(o.issuerFile, 'utf8'));
    notes.push(`Issuer read from ${o.issuerFile} (not from the cluster)`);
  } else {
    const target = which(o);
    object = await readIssuer(kube, target, o.kubeconfig, server);
    issuer = parseIssuer(JSON.stringify(object), `${target.kind} ${target.namespace ? `${target.namespace}/` : ''}${target.name}`);
  }

  const cmNamespace = o.certManagerNamespace ?? CERT_MANAGER_CONTROLLER.namespace;
  const deployments = (await kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: cmNamespace }).catch(() => ({ items: [] }))).items;
  const controller = controllerDeployment(deployments);
  const cm = controller ? certManagerFacts(controller) : undefined;
  const controllerSa = cm ? { namespace: cm.namespace, name: cm.serviceAccount } : CERT_MANAGER_CONTROLLER;
  if (!cm) notes.push(`no cert-manager controller Deployment in namespace ${cmNamespace}: its identity assumed to be ${serviceAccountUser(controllerSa.namespace, controllerSa.name)}`);
  const version = o.certManagerVersion ?? cm?.version;
  const certManager = version ? { version: version.startsWith('v') ? version : `v${version}`, source: o.certManagerVersion ? '--cert-manager-version' : `Deployment ${cm!.namespace}/${cm!.deployment} image ${cm!.image}` } : undefined;
  const clusterResourceNamespace = o.clusterResourceNamespace ?? cm?.clusterResourceNamespace ?? CERT_MANAGER_CONTROLLER.namespace;
  const saNamespace = issuer.kind === 'Issuer' ? issuer.namespace! : clusterResourceNamespace;

  const cluster = await clusterFacts(kube, kc, o.kubeconfig, saNamespace, issuer.serviceAccount, notes);
  const rbac = await rbacFacts(kube, controllerSa, saNamespace, issuer.serviceAccount);
  const vault = await vaultFacts(kube, issuer, object, o, vaultTokenFromEnv, notes);
  return {
    issuer,
    ...(o.message !== undefined ? { message: o.message } : {}),
    ...(certManager ? { certManager } : {}),
    ...(cluster ? { cluster } : {}),
    clusterResourceNamespace,
    controller: controllerSa,
    rbac,
    vault,
    notes,
  };
}

/** The Issuer document of a file readIssuerFile already accepted (for its caBundle). */
function parseYamlObject(text: string): KubernetesObject {
  const docs = parseAllDocuments(text).map((d) => d.toJS() as KubernetesObject & { items?: KubernetesObject[] });
  return docs.flatMap((d) => (Array.isArray(d?.items) ? d.items : [d])).find((d) => d?.kind === 'Issuer' || d?.kind === 'ClusterIssuer')!;
}

function which(o: LiveOptions): { kind: 'Issuer' | 'ClusterIssuer'; name: string; namespace?: string } {
  if (o.issuer && o.clusterIssuer) throw new InputError({ file: CLI, field: '--issuer' }, 'is exclusive with --cluster-issuer', 'diagnose one of them');
  if (o.clusterIssuer) return { kind: 'ClusterIssuer', name: o.clusterIssuer };
  const m = o.issuer ? /^([a-z0-9-]+)\/([a-z0-9.-]+)$/.exec(o.issuer) : null;
  if (!m) throw new InputError({ file: CLI, field: '--issuer' }, o.issuer ? `"${o.issuer}" is not NAMESPACE/NAME` : 'live diagnose needs the Issuer', 'add --issuer NAMESPACE/NAME or --cluster-issuer NAME');
  return { kind: 'Issuer', namespace: m[1]!, name: m[2]! };
}

async function readIssuer(kube: Kube, t: ReturnType<typeof which>, file: string, server: string): Promise<KubernetesObject> {
  let found: KubernetesObject | undefined;
  try {
    found = await kube.read<KubernetesObject>('cert-manager.io/v1', t.kind, t.name, t.namespace);
  } catch (err) {
    const code = statusCode(err);
    if (code === 401 || code === 403) throw new InputError({ file, field: '--kubeconfig' }, `the API server ${server} refused to show the ${t.kind} (${code}): ${apiMessage(err).split('\n')[0]}`, 'use credentials that may get issuers, deployments, serviceaccounts/token and subjectaccessreviews');
    if (code === 404) throw new InputError({ file: CLI, field: t.kind === 'Issuer' ? '--issuer' : '--cluster-issuer' }, `the cluster has no ${t.kind} kind (cert-manager's CRDs are not installed)`, 'install cert-manager, or point --kubeconfig at the cluster that runs it');
    throw new InputError({ file, field: '--kubeconfig' }, `the API server ${server} cannot be reached: ${(err as Error).message.split('\n')[0]}`, `check it answers: kubectl --kubeconfig ${file} get --raw /readyz`);
  }
  if (!found) {
    const name = t.namespace ? `${t.namespace}/${t.name}` : t.name;
    throw new InputError({ file: CLI, field: t.kind === 'Issuer' ? '--issuer' : '--cluster-issuer' }, `no ${t.kind} ${name} in the cluster`, `list them: kubectl get ${t.kind === 'Issuer' ? 'issuers -A' : 'clusterissuers'}`);
  }
  return found;
}

/** --service-account-issuer and --api-audiences from the API server's pod where it is one (kubeadm, kind). */
function apiserverFlags(pods: V1Pod[]): { issuer?: string; audiences?: string[] } {
  const command = pods.flatMap((p) => [...(p.spec?.containers?.[0]?.command ?? []), ...(p.spec?.containers?.[0]?.args ?? [])]);
  const value = (name: string) => command.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const issuer = value('service-account-issuer');
  const audiences = value('api-audiences');
  return { ...(issuer ? { issuer } : {}), ...(audiences ? { audiences: audiences.split(',') } : {}) };
}

async function clusterFacts(kube: Kube, kc: KubeConfig, file: string, namespace: string, sa: string, notes: string[]): Promise<ClusterFacts | undefined> {
  const pods = (await kube.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'component=kube-apiserver' }).catch(() => ({ items: [] as V1Pod[] }))).items;
  const flags = apiserverFlags(pods);
  if (flags.issuer) {
    // kube-apiserver defaults --api-audiences to the issuer(s)
    return { serviceAccountIssuer: flags.issuer, apiAudiences: flags.audiences ?? [flags.issuer], source: `kube-apiserver pod flags${flags.audiences ? '' : ' (no --api-audiences: the issuer)'}` };
  }
  // Managed clusters hide the API server: a token requested without audiences carries exactly its audiences.
  for (const account of [sa, 'default']) {
    try {
      const claims = tokenFacts(await kube.tokenRequest(namespace, account, { audiences: [], expirationSeconds: 600 }));
      return { serviceAccountIssuer: claims.iss, apiAudiences: claims.aud, source: `the aud of a TokenRequest without audiences for ${namespace}/${account} (nothing stored; the token is discarded)` };
    } catch {
      // the next account, or unknown
    }
  }
  const oidc = await getJson<{ issuer?: string }>(kc, '/.well-known/openid-configuration', { file, what: 'OIDC discovery' }).catch(() => undefined);
  notes.push(`the API server's audiences could not be read (no kube-apiserver pod, no TokenRequest allowed)${oidc?.issuer ? `; its issuer is ${oidc.issuer}` : ''}`);
  return undefined;
}

async function allowed(kube: Kube, user: { namespace: string; name: string }, attrs: Record<string, string>): Promise<boolean> {
  const review = await kube.authz.createSubjectAccessReview({
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: serviceAccountUser(user.namespace, user.name),
        groups: ['system:serviceaccounts', `system:serviceaccounts:${user.namespace}`, 'system:authenticated'],
        resourceAttributes: attrs,
      },
    },
  });
  return review.status?.allowed === true;
}

async function rbacFacts(kube: Kube, controller: { namespace: string; name: string }, namespace: string, sa: string): Promise<DiagnosisFacts['rbac']> {
  const tokenRequest = await allowed(kube, controller, { verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token', name: sa, namespace }).catch(() => undefined);
  const authDelegator = await allowed(kube, { namespace, name: sa }, { verb: 'create', group: 'authentication.k8s.io', resource: 'tokenreviews' }).catch(() => undefined);
  return { ...(tokenRequest !== undefined ? { tokenRequest } : {}), ...(authDelegator !== undefined ? { authDelegator } : {}) };
}

function readToken(o: LiveOptions, fromEnv: string | undefined): string | undefined {
  if (o.vaultTokenFile) {
    try {
      const token = readFileSync(o.vaultTokenFile, 'utf8').trim();
      if (!token) throw new Error('empty');
      return token;
    } catch (err) {
      throw new InputError({ file: o.vaultTokenFile, field: '--vault-token-file' }, `cannot read a token from it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'write the token alone into a file only you can read');
    }
  }
  return fromEnv?.trim() || undefined;
}

/** Whether spec.vault.server names a Service of this cluster (`<svc>.<ns>.svc…`) that exists. */
async function vaultInCluster(kube: Kube, server: string): Promise<boolean | undefined> {
  let host: string;
  try {
    host = new URL(server).hostname;
  } catch {
    return undefined;
  }
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.|$)/.exec(host);
  if (!m) return /^(127\.|localhost$)/.test(host) || /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes('.') ? false : undefined;
  const svc = await kube.core.readNamespacedService({ name: m[1]!, namespace: m[2]! }).catch(() => undefined);
  return svc ? true : undefined;
}

async function vaultFacts(kube: Kube, issuer: IssuerFacts, object: KubernetesObject, o: LiveOptions, fromEnv: string | undefined, notes: string[]): Promise<VaultFacts> {
  const facts: VaultFacts = {};
  const inCluster = await vaultInCluster(kube, issuer.server);
  if (inCluster !== undefined) facts.inCluster = inCluster;
  const token = readToken(o, fromEnv);
  if (!token) {
    notes.push('no Vault token (--vault-token-file or VAULT_TOKEN): Vault\'s side is inferred from the message');
    return facts;
  }
  const address = o.vaultAddr ?? issuer.server;
  const caBundle = (object as { spec?: { vault?: { caBundle?: string } } }).spec?.vault?.caBundle;
  let caPem: string | undefined;
  if (o.vaultCa) {
    try {
      caPem = readFileSync(o.vaultCa, 'utf8');
    } catch (err) {
      throw new InputError({ file: o.vaultCa, field: '--vault-ca' }, `cannot read it (${(err as NodeJS.ErrnoException).code})`, 'give the PEM file of the CA that signed Vault\'s certificate');
    }
  } else if (caBundle) caPem = Buffer.from(caBundle, 'base64').toString('utf8');
  const client = createVaultClient({ address, token, ...(caPem ? { caPem } : {}) });
  const read = async (path: string): Promise<unknown | undefined> => {
    try {
      return await client.read(path);
    } catch (err) {
      const failure = apiFailureOf(err);
      if (failure?.status === 404) return undefined;
      if (failure?.status === 403) {
        throw new InputError({ file: o.vaultTokenFile ?? 'VAULT_TOKEN', field: 'Vault token' }, `may not read ${path} (403 permission denied)`, `use a token whose policy grants read on "sys/auth" and "auth/${issuer.mount}/*"`);
      }
      if (failure) throw new InputError({ file: CLI, field: '--vault-addr' }, redact(`Vault at ${address} answered ${failure.status} to GET ${path}: ${failure.errors.join('; ')}`), 'check the address and that Vault is unsealed');
      throw new InputError({ file: CLI, field: '--vault-addr' }, redact(`Vault at ${address} cannot be reached: ${(err as Error).message.split('\n')[0]}`), 'pass --vault-addr with an address this machine reaches (a port-forward to the Service, for Vault in the cluster) and --vault-ca if its CA is not the Issuer\'s caBundle');
    }
  };
  const mounts = (await read('sys/auth')) as { data?: Record<string, { type?: string }> } & Record<string, unknown>;
  const table = (mounts?.data ?? mounts ?? {}) as Record<string, unknown>;
  facts.mounts = {};
  for (const [path, entry] of Object.entries(table)) {
    const type = (entry as { type?: unknown } | null)?.type;
    if (path.endsWith('/') && typeof type === 'string') facts.mounts[path.slice(0, -1)] = type;
  }
  notes.push(`Vault at ${address} read with a token (not shown)`);
  if (!(issuer.mount in facts.mounts)) return facts;
  const config = await read(`auth/${issuer.mount}/config`);
  if (config) facts.config = parseAuthConfig(JSON.stringify(config), `Vault auth/${issuer.mount}/config`);
  const role = await read(`auth/${issuer.mount}/role/${issuer.role}`);
  if (role) facts.role = parseRole(JSON.stringify(role), `Vault auth/${issuer.mount}/role/${issuer.role}`);
  else notes.push(`Vault has no role ${issuer.role} at auth/${issuer.mount}: the login answers 400 invalid role name (not an audience or permission failure)`);
  return facts;
}


