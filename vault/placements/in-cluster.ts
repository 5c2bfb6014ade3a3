/**
 * Vault (or OpenBao) inside the cluster, as a user deploys it: a Deployment running as the `vault`
 * ServiceAccount (bound to system:auth-delegator, so its own pod token may call TokenReview), a Service, and a
 * TLS listener whose certificate names the Service. Pods reach it at https://vault.<ns>.svc:8200; this host
 * configures it through a NodePort, or, where it cannot reach the nodes (a managed cluster), through a
 * port-forward to 127.0.0.1. Knows Kubernetes, not how the cluster was made: the caller passes a client, an
 * image the nodes have or may pull, and how this host reaches the pod.
 */
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { readFile } from 'node:fs/promises';
import type { RunLedger } from '../../lib/ledger.ts';
import { vaultTempDir } from './temp-dir.ts';
import { EnvironmentError } from '../../lib/errors.ts';
import type { Kube } from '../../lib/kube.ts';
import { MANAGED_BY } from '../../lib/names.ts';
import { createCa, issueLeaf } from '../../lib/pki.ts';
import type { VaultEngine } from '../../scenarios/types.ts';
import { redact } from '../redact.ts';
import { devServerScript, LISTENER_PORT, rootTokenVariable, SERVER_CONFIG, serverConfig, newRootToken, TLS_DIR, waitHealthy } from './dev-server.ts';
import type { RunningVault } from './placement.ts';
import { forwardPodPort } from './port-forward.ts';

export const VAULT_SERVICE_ACCOUNT = 'vault';
const NAME = 'vault';
const MANAGED = MANAGED_BY;
const LABELS = { 'app.kubernetes.io/name': NAME, ...MANAGED };

export interface InClusterVaultOptions {
  kube: Kube;
  engine: VaultEngine;
  version: string;
  image: string;
  namespace: string;
  /** A node's address as this host reaches it (for the NodePort); or `portForward`. */
  nodeAddress?: string;
  /** Reach it through a port-forward on 127.0.0.1 instead of a NodePort (a ClusterIP Service then). */
  portForward?: true;
  /** Default `Never` (an image loaded onto the nodes). */
  imagePullPolicy?: 'Never' | 'IfNotPresent' | 'Always';
  startupTimeoutMs?: number;
  /**
   * The pod's log where the caller can read it from the node's files (kind); undefined there sends the read to
   * the API server, which answers the whole log each time.
   */
  nodeLog?: (namespace: string, pod: string, container: string) => Promise<string[] | undefined>;
  /** The run's ledger: the listener's CA is made in a directory it records (temp-dir.ts). */
  ledger?: RunLedger;
}

export interface InClusterVault extends RunningVault {
  /** spec.vault.server for clients inside the cluster. */
  inClusterAddress: string;
  namespace: string;
  serviceAccount: string;
}

/** The Secret the root token is in: the pod's environment refers to it, so the token is in no manifest's literal. */
export const ROOT_TOKEN_SECRET = 'vault-root-token';

/**
 * `rootToken` goes into its own Secret, which the container's environment refers to (`valueFrom`): not the
 * command (argv: `ps` on the node shows it), not a literal env value (in the Deployment, which more may read than
 * may read Secrets, and in `kubectl describe`).
 */
export function inClusterObjects(o: {
  namespace: string;
  image: string;
  engine: VaultEngine;
  /** The listener's files, mounted at TLS_DIR. */
  tls: Record<string, string>;
  rootToken: string;
  serviceType?: 'NodePort' | 'ClusterIP';
  imagePullPolicy?: 'Never' | 'IfNotPresent' | 'Always';
}): KubernetesObject[] {
  const ns = o.namespace;
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: LABELS } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: VAULT_SERVICE_ACCOUNT, namespace: ns, labels: MANAGED } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: authDelegatorBindingName(ns), labels: LABELS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects: [{ kind: 'ServiceAccount', name: VAULT_SERVICE_ACCOUNT, namespace: ns }],
    } as KubernetesObject,
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'vault-listener', namespace: ns, labels: MANAGED }, type: 'Opaque', stringData: o.tls } as KubernetesObject,
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: ROOT_TOKEN_SECRET, namespace: ns, labels: MANAGED }, type: 'Opaque', stringData: { token: o.rootToken } } as KubernetesObject,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: NAME, namespace: ns, labels: LABELS },
      spec: { type: o.serviceType ?? 'NodePort', selector: LABELS, ports: [{ name: 'https', port: LISTENER_PORT, targetPort: LISTENER_PORT }] },
    } as KubernetesObject,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: NAME, namespace: ns, labels: LABELS },
      spec: {
        replicas: 1,
        selector: { matchLabels: LABELS },
        template: {
          metadata: { labels: LABELS },
          spec: {
            serviceAccountName: VAULT_SERVICE_ACCOUNT,
            containers: [
              {
                name: NAME,
                image: o.image,
                imagePullPolicy: o.imagePullPolicy ?? 'Never',
                command: ['/bin/sh', '-c', devServerScript(o.engine)],
                env: [{ name: rootTokenVariable(o.engine), valueFrom: { secretKeyRef: { name: ROOT_TOKEN_SECRET, key: 'token' } } }],
                ports: [{ name: 'https', containerPort: LISTENER_PORT }],
                readinessProbe: { httpGet: { path: '/v1/sys/health', port: LISTENER_PORT, scheme: 'HTTPS' }, periodSeconds: 1 },
                volumeMounts: [{ name: 'listener', mountPath: TLS_DIR, readOnly: true }],
              },
            ],
            volumes: [{ name: 'listener', secret: { secretName: 'vault-listener' } }],
          },
        },
      },
    } as KubernetesObject,
  ];
}

export function authDelegatorBindingName(namespace: string): string {
  return `cm-vault-e2e:${namespace}:vault-auth-delegator`;
}

export async function startInClusterVault(opts: InClusterVaultOptions): Promise<InClusterVault> {
  const { kube, namespace } = opts;
  const what = `${opts.engine} ${opts.version} (Deployment ${namespace}/${NAME})`;
  const rootToken = newRootToken();
  const service = `${NAME}.${namespace}.svc`;
  const tls = await vaultTempDir(opts.ledger, 'vault-tls');
  const dir = tls.path;
  let objects: KubernetesObject[] = [];
  let closeForward = async () => {};
  const stop = async () => {
    await closeForward();
    for (const o of [...objects].reverse()) await kube.delete(o).catch(() => undefined);
  };
  try {
    const ca = await createCa(dir, `cm-vault-e2e ${opts.engine} ${opts.version} in-cluster listener CA`);
    const leaf = await issueLeaf(ca, dir, {
      name: 'listener',
      commonName: service,
      dnsNames: [NAME, `${NAME}.${namespace}`, service, `${service}.cluster.local`, 'localhost'],
      ipAddresses: opts.nodeAddress ? [opts.nodeAddress, '127.0.0.1'] : ['127.0.0.1'],
      usage: 'server',
    });
    const tls = { 'listener.crt': leaf.certPem, 'listener.key': await readFile(leaf.keyFile, 'utf8'), [SERVER_CONFIG]: serverConfig(opts.engine), ready: '' };
    objects = inClusterObjects({
      namespace,
      image: opts.image,
      engine: opts.engine,
      tls,
      rootToken,
      ...(opts.portForward ? { serviceType: 'ClusterIP' as const } : {}),
      ...(opts.imagePullPolicy ? { imagePullPolicy: opts.imagePullPolicy } : {}),
    });
    for (const o of objects) await kube.apply(o);
    let address: string;
    if (opts.portForward) {
      const forward = await forwardPodPort(kube.kc, async () => runningPodTarget(await currentPod(kube, namespace), namespace), LISTENER_PORT);
      closeForward = () => forward.close();
      address = `https://127.0.0.1:${forward.port}`;
    } else {
      if (!opts.nodeAddress) throw new EnvironmentError(what, 'neither a node address nor a port-forward to reach it by', 'pass nodeAddress or portForward');
      const svc = await kube.core.readNamespacedService({ name: NAME, namespace });
      const nodePort = svc.spec?.ports?.[0]?.nodePort;
      if (!nodePort) throw new EnvironmentError(what, 'the Service got no nodePort', `kubectl -n ${namespace} get svc ${NAME} -o yaml`);
      address = `https://${opts.nodeAddress}:${nodePort}`;
    }
    const logLines = podLogReader(
      async () => (await currentPod(kube, namespace))?.metadata?.name,
      async (pod) => (await opts.nodeLog?.(namespace, pod, NAME)) ?? (await apiLog(kube, namespace, pod)),
      rootToken,
    );
    await waitHealthy(address, ca.certPem, opts.startupTimeoutMs ?? 120_000, async () => podFailure(await currentPod(kube, namespace))).catch(async (err: Error) => {
      const pod = await currentPod(kube, namespace);
      throw new EnvironmentError(what, `${err.message}; pod: ${describePod(pod)}`, `kubectl -n ${namespace} describe pod -l app.kubernetes.io/name=${NAME}`, (await logLines()).slice(-20));
    });
    return {
      address,
      inClusterAddress: `https://${service}:${LISTENER_PORT}`,
      caPem: ca.certPem,
      rootToken,
      logCommand: `kubectl -n ${namespace} logs deploy/${NAME}`,
      logLines,
      stop,
      namespace,
      serviceAccount: VAULT_SERVICE_ACCOUNT,
    };
  } catch (err) {
    await stop();
    throw err;
  } finally {
    await tls.remove();
  }
}

async function currentPod(kube: Kube, namespace: string): Promise<V1Pod | undefined> {
  const pods = await kube.core.listNamespacedPod({ namespace, labelSelector: `app.kubernetes.io/name=${NAME}` }).catch(() => undefined);
  return pods?.items.find((p) => !p.metadata?.deletionTimestamp);
}

function runningPodTarget(pod: V1Pod | undefined, namespace: string): { namespace: string; pod: string } | undefined {
  const running = pod?.status?.phase === 'Running' && pod.metadata?.name;
  return running ? { namespace, pod: pod.metadata!.name! } : undefined;
}

/** A reason the pod will not come up by itself (image missing, crash loop), or undefined while it may. */
function podFailure(pod: V1Pod | undefined): string | undefined {
  const state = pod?.status?.containerStatuses?.[0]?.state;
  const reason = state?.waiting?.reason;
  if (reason && ['ErrImageNeverPull', 'ErrImagePull', 'ImagePullBackOff', 'CrashLoopBackOff', 'CreateContainerConfigError', 'CreateContainerError'].includes(reason)) {
    return `pod ${pod?.metadata?.name}: ${reason}${state?.waiting?.message ? ` (${state.waiting.message})` : ''}`;
  }
  return undefined;
}

function describePod(pod: V1Pod | undefined): string {
  if (!pod) return 'none scheduled';
  return `${pod.metadata?.name} ${pod.status?.phase ?? ''} ${JSON.stringify(pod.status?.containerStatuses?.[0]?.state ?? {})}`;
}

/**
 * The current pod's log lines, each redacted once: a pod's log only grows, so the lines kept so far stand while it
 * is the same pod and no shorter.
 */
export function podLogReader(currentPod: () => Promise<string | undefined>, read: (pod: string) => Promise<string[]>, rootToken: string): () => Promise<string[]> {
  let pod: string | undefined;
  let kept: string[] = [];
  return async () => {
    const current = await currentPod();
    if (!current) return [];
    const raw = await read(current);
    if (current !== pod || raw.length < kept.length) [pod, kept] = [current, []];
    for (let i = kept.length; i < raw.length; i++) kept.push(redact(raw[i]!, [rootToken]));
    return [...kept];
  };
}

async function apiLog(kube: Kube, namespace: string, pod: string): Promise<string[]> {
  const text = await kube.core.readNamespacedPodLog({ name: pod, namespace, container: NAME }).catch(() => '');
  return text.split('\n').filter(Boolean);
}
