// The facts of `diagnose --kubeconfig …`: read from the cluster and, with a token and an address the operator gave,
// from Vault (vault-read.ts). Nothing is stored: SubjectAccessReviews and (where the API server's flags are not
// readable) one TokenRequest are created, answer a question and are kept by nobody; the token's claims are all that
// is kept of it. An API server that cannot be reached ends diagnose (cluster-reach.ts).
import { existsSync, readFileSync } from 'node:fs';
import { AppsV1Api, type KubeConfig, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import { InputError } from '../lib/errors.ts';
import { apiMessage, Kube, statusCode } from '../lib/kube.ts';
import { certManagerFacts, controllerDeployment, tokenFacts } from '../existing/claims.ts';
import { getJson, loadKubeconfig } from '../existing/kubeconfig.ts';
import { CERT_MANAGER_CONTROLLER, serviceAccountUser } from '../scenarios/oracle/messages.ts';
import { clusterUnreachable, unreachableReason, whenAnswered } from './cluster-reach.ts';
import { parseIssuer, readIssuerFile } from './inputs.ts';
import type { ClusterFacts, DiagnosisFacts, IssuerFacts } from './model.ts';
import { reviewHostFindings } from './review-host.ts';
import { readVaultCa, vaultFacts } from './vault-read.ts';

export interface LiveOptions {
  kubeconfig: string;
  /** An Issuer the API server refused, as the user tried to apply it (it does not exist to be read). */
  issuerFile?: string;
  issuer?: string;
  clusterIssuer?: string;
  vaultAddr?: string;
  vaultTokenFile?: string;
  vaultCa?: string;
  /** Allows an http:// Vault address (a dev Vault, a port-forward on this machine): the token then travels in clear. */
  vaultInsecureHttp?: boolean;
  certManagerNamespace?: string;
  certManagerVersion?: string;
  clusterResourceNamespace?: string;
  message?: string;
}

const CLI = 'command line';

/** What the CLI read from its environment, handed down as values; the token is never taken from argv. */
export interface LiveEnvironment {
  /** VAULT_TOKEN */
  vaultToken?: string;
  /** VAULT_ADDR: an address the operator gave, like --vault-addr (which wins). */
  vaultAddr?: string;
}

export async function liveFacts(o: LiveOptions, env: LiveEnvironment): Promise<DiagnosisFacts> {
  const kc = loadKubeconfig(o.kubeconfig);
  const kube = new Kube(kc);
  const server = kc.getCurrentCluster()!.server;
  const answered = <T>(fallback: T) => whenAnswered(fallback, { server, kubeconfig: o.kubeconfig });
  const notes: string[] = [`cluster ${server} (context ${kc.getCurrentContext()})`];
  let issuer: IssuerFacts;
  if (o.issuerFile) {
    if (o.issuer || o.clusterIssuer) throw new InputError({ file: CLI, field: '--issuer-file' }, 'is exclusive with --issuer/--cluster-issuer', 'name the Issuer in the cluster, or pass the one the API server refused as a file');
    issuer = readIssuerFile(o.issuerFile);
    notes.push(`Issuer read from ${o.issuerFile} (not from the cluster)`);
  } else {
    const target = which(o);
    const object = await readIssuer(kube, target, o.kubeconfig, server);
    issuer = parseIssuer(JSON.stringify(object), `${target.kind} ${target.namespace ? `${target.namespace}/` : ''}${target.name}`);
  }

  const cmNamespace = o.certManagerNamespace ?? CERT_MANAGER_CONTROLLER.namespace;
  const deployments = (await kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: cmNamespace }).catch(answered({ items: [] }))).items;
  const controller = controllerDeployment(deployments);
  const cm = controller ? certManagerFacts(controller) : undefined;
  const controllerSa = cm ? { namespace: cm.namespace, name: cm.serviceAccount } : CERT_MANAGER_CONTROLLER;
  if (!cm) notes.push(`no cert-manager controller Deployment in namespace ${cmNamespace}: its identity assumed to be ${serviceAccountUser(controllerSa.namespace, controllerSa.name)}`);
  const version = o.certManagerVersion ?? cm?.version;
  const certManager = version ? { version: version.startsWith('v') ? version : `v${version}`, source: o.certManagerVersion ? '--cert-manager-version' : `Deployment ${cm!.namespace}/${cm!.deployment} image ${cm!.image}` } : undefined;
  const clusterResourceNamespace = o.clusterResourceNamespace ?? cm?.clusterResourceNamespace ?? CERT_MANAGER_CONTROLLER.namespace;
  const saNamespace = issuer.kind === 'Issuer' ? issuer.namespace! : clusterResourceNamespace;

  const cluster = await clusterFacts(kube, kc, o.kubeconfig, saNamespace, issuer.serviceAccount, notes, answered);
  const rbac = await rbacFacts(kube, controllerSa, saNamespace, issuer.serviceAccount, answered);
  const inCluster = await vaultInCluster(kube, issuer.server, answered);
  const vault = await vaultFacts(
    issuer,
    {
      ...readToken(o, env.vaultToken),
      ...(o.vaultAddr ? { address: { address: o.vaultAddr, from: '--vault-addr' as const } } : env.vaultAddr ? { address: { address: env.vaultAddr, from: 'VAULT_ADDR' as const } } : {}),
      insecureHttp: o.vaultInsecureHttp === true,
      ...(o.vaultCa ? { caPem: readVaultCa(o.vaultCa), caFile: o.vaultCa } : {}),
    },
    notes,
  );
  if (inCluster !== undefined) vault.inCluster = inCluster;
  const findings = vault.config?.type === 'kubernetes' ? reviewHostFindings(vault.config, { server, ...clusterCa(kc) }, issuer.mount, inCluster) : [];
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
    ...(findings.length ? { findings: findings.map((f) => f.text), reviewHost: findings[0]!.kind } : {}),
  };
}

/** The CA the kubeconfig trusts for its current cluster (inline data or a file), when it names one. */
function clusterCa(kc: KubeConfig): { caPem?: string } {
  const c = kc.getCurrentCluster();
  if (c?.caData) return { caPem: Buffer.from(c.caData, 'base64').toString('utf8') };
  if (c?.caFile && existsSync(c.caFile)) return { caPem: readFileSync(c.caFile, 'utf8') };
  return {};
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
    const why = unreachableReason(err);
    if (why !== undefined) throw clusterUnreachable(server, file, why);
    throw new InputError({ file, field: '--kubeconfig' }, `the API server ${server} did not show the ${t.kind}: ${apiMessage(err).split('\n')[0]}`, `check it answers: kubectl --kubeconfig ${file} get ${t.kind === 'Issuer' ? `issuer -n ${t.namespace} ${t.name}` : `clusterissuer ${t.name}`}`);
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

type Answered = <T>(fallback: T) => (err: unknown) => T;

async function clusterFacts(kube: Kube, kc: KubeConfig, file: string, namespace: string, sa: string, notes: string[], answered: Answered): Promise<ClusterFacts | undefined> {
  const pods = (await kube.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'component=kube-apiserver' }).catch(answered({ items: [] as V1Pod[] }))).items;
  const flags = apiserverFlags(pods);
  if (flags.issuer) {
    // kube-apiserver defaults --api-audiences to the issuer(s)
    return { serviceAccountIssuer: flags.issuer, apiAudiences: flags.audiences ?? [flags.issuer], source: `kube-apiserver pod flags${flags.audiences ? '' : ' (no --api-audiences: the issuer)'}` };
  }
  // Managed clusters hide the API server: a token requested without audiences carries exactly its audiences.
  for (const account of [sa, 'default']) {
    const token = await kube.tokenRequest(namespace, account, { audiences: [], expirationSeconds: 600 }).catch(answered(undefined));
    if (token === undefined) continue; // refused: the next account, or unknown
    const claims = tokenFacts(token);
    return { serviceAccountIssuer: claims.iss, apiAudiences: claims.aud, source: `the aud of a TokenRequest without audiences for ${namespace}/${account} (nothing stored; the token is discarded)` };
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

async function rbacFacts(kube: Kube, controller: { namespace: string; name: string }, namespace: string, sa: string, answered: Answered): Promise<DiagnosisFacts['rbac']> {
  const tokenRequest = await allowed(kube, controller, { verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token', name: sa, namespace }).catch(answered(undefined));
  const authDelegator = await allowed(kube, { namespace, name: sa }, { verb: 'create', group: 'authentication.k8s.io', resource: 'tokenreviews' }).catch(answered(undefined));
  return { ...(tokenRequest !== undefined ? { tokenRequest } : {}), ...(authDelegator !== undefined ? { authDelegator } : {}) };
}

function readToken(o: LiveOptions, fromEnv: string | undefined): { token?: string; tokenSource: string } {
  if (o.vaultTokenFile) {
    try {
      const token = readFileSync(o.vaultTokenFile, 'utf8').trim();
      if (!token) throw new Error('empty');
      return { token, tokenSource: o.vaultTokenFile };
    } catch (err) {
      throw new InputError({ file: o.vaultTokenFile, field: '--vault-token-file' }, `cannot read a token from it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'write the token alone into a file only you can read');
    }
  }
  const token = fromEnv?.trim();
  return { ...(token ? { token } : {}), tokenSource: 'VAULT_TOKEN' };
}

/** Whether spec.vault.server names a Service of this cluster (`<svc>.<ns>.svc…`) that exists. */
async function vaultInCluster(kube: Kube, server: string, answered: Answered): Promise<boolean | undefined> {
  let host: string;
  try {
    host = new URL(server).hostname;
  } catch {
    return undefined;
  }
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.|$)/.exec(host);
  if (!m) return /^(127\.|localhost$)/.test(host) || /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes('.') ? false : undefined;
  const svc = await kube.core.readNamespacedService({ name: m[1]!, namespace: m[2]! }).catch(answered(undefined));
  return svc ? true : undefined;
}
