/**
 * Proof that a kind cluster made for a profile behaves like that profile (bench/kind-prove.ts runs it): on the
 * cluster, checks the control plane and CoreDNS, runs pods from a locally built image
 * (loaded with `kind load docker-image`) that resolve and reach the API server through its Service, mints
 * TokenRequest tokens and shows their iss/aud, presents tokens to the API server (each API audience accepted,
 * `vault://team-a/vault-issuer` rejected with the apiserver's audience line), then deletes the cluster.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { EnvironmentError } from '../lib/errors.ts';
import { poll, secondsSince, waiting } from '../lib/wait.ts';
import { loadProfiles } from '../scenarios/profiles.ts';
import type { ClusterProfile } from '../scenarios/types.ts';
import type { KindCluster } from './cluster.ts';
import { TEST_POD_IMAGE } from './images/build.ts';
import { stderrLogger, type Logger } from './images/common.ts';
import { audienceMismatchLine, jwtClaims, mintToken, presentBearer, type JwtClaims } from './tokens.ts';

export const PROOF_NAMESPACE = 'cmve-proof';
export const VAULT_AUDIENCE = 'vault://team-a/vault-issuer';

export interface ProofResult {
  cluster: string;
  profile: string;
  controlPlane: Array<{ name: string; phase: string; ready: boolean }>;
  pod: { image: string; phase: string; dnsLog: string[] };
  defaultToken: Pick<JwtClaims, 'iss' | 'aud' | 'sub'>;
  accepted: Array<{ audience: string; status: number; username?: string }>;
  rejected: { audience: string; status: number; message?: string; apiserverLine?: string };
}

async function waitPod(cluster: KindCluster, name: string, until: (p: V1Pod) => boolean, timeoutMs = 120_000): Promise<V1Pod> {
  let pod: V1Pod | undefined;
  const r = await poll(async () => {
    pod = await cluster.kube.core.readNamespacedPod({ name, namespace: PROOF_NAMESPACE }).catch(() => undefined);
    return pod && until(pod) ? pod : waiting();
  }, { timeoutMs, intervalMs: 1000 });
  if (r.ok) return r.value;
  throw new EnvironmentError(`pod ${PROOF_NAMESPACE}/${name}`, `did not get there in ${timeoutMs / 1000}s (phase ${pod?.status?.phase})`, `kubectl --kubeconfig ${cluster.kubeconfigPath} -n ${PROOF_NAMESPACE} describe pod ${name}`, [JSON.stringify(pod?.status?.containerStatuses ?? [])]);
}

function busyboxPod(name: string, script: string, restartPolicy: 'Never' | 'Always'): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: PROOF_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'cm-vault-e2e' } },
    spec: {
      restartPolicy,
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: TEST_POD_IMAGE, imagePullPolicy: 'Never', command: ['/bin/sh', '-c', script] }],
    },
  };
}

/**
 * Allowed for kube-system's pods to turn Ready. A cluster counts as ready before its control-plane pods' Ready
 * condition does (kind/readiness.ts: kubeadm's startup probes first run 10 s after each container starts and then
 * every 10 s), so the proof gives the kubelet's probes a few rounds instead of reading the pods at that instant.
 */
const CONTROL_PLANE_READY_MS = 60_000;

type PodState = ProofResult['controlPlane'][number];

/** kube-system's pods once each is Ready, else as they stood when CONTROL_PLANE_READY_MS ran out (the proof's checks say which is not). */
async function settledControlPlane(cluster: KindCluster): Promise<PodState[]> {
  let last: PodState[] = [];
  const r = await poll(async () => {
    const pods = (await cluster.kube.core.listNamespacedPod({ namespace: 'kube-system' })).items;
    last = pods.map((p) => ({
      name: p.metadata?.name ?? '?',
      phase: p.status?.phase ?? '?',
      ready: !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    }));
    const notReady = last.filter((p) => !p.ready);
    return last.length && !notReady.length ? last : waiting(`not Ready: ${notReady.map((p) => p.name).join(', ') || 'no pods'}`);
  }, { timeoutMs: CONTROL_PLANE_READY_MS, intervalMs: 500 });
  return r.ok ? r.value : last;
}

/** Runs the checks on a ready cluster. */
export async function proveCluster(cluster: KindCluster, log: Logger = stderrLogger): Promise<ProofResult> {
  const profile = cluster.profile;
  const waitedFrom = Date.now();
  const controlPlane = await settledControlPlane(cluster);
  log(`prove: kube-system's pods ${controlPlane.every((p) => p.ready) ? 'all Ready' : 'not all Ready'} after ${secondsSince(waitedFrom)}s`);

  log(`prove: kind load docker-image ${TEST_POD_IMAGE}`);
  await cluster.loadImage(TEST_POD_IMAGE);
  await cluster.kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: PROOF_NAMESPACE } });
  for (const n of ['sleeper', 'dns-check']) await cluster.kube.core.deleteNamespacedPod({ name: n, namespace: PROOF_NAMESPACE, gracePeriodSeconds: 0 }).catch(() => undefined);
  const gone = async (n: string) => {
    for (let i = 0; i < 60; i++) {
      if (!(await cluster.kube.core.readNamespacedPod({ name: n, namespace: PROOF_NAMESPACE }).catch(() => undefined))) return;
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  await gone('sleeper');
  await gone('dns-check');
  await cluster.kube.core.createNamespacedPod({ namespace: PROOF_NAMESPACE, body: busyboxPod('sleeper', 'sleep 3600', 'Always') });
  // Through CoreDNS (a ClusterIP Service, so kube-proxy) and the pod network to the API server's Service address.
  // (A TCP connect with nc: the static busybox's wget crashes on https.)
  await cluster.kube.core.createNamespacedPod({
    namespace: PROOF_NAMESPACE,
    body: busyboxPod('dns-check', 'set -e; nslookup kubernetes.default.svc.cluster.local; nc -w 5 "$KUBERNETES_SERVICE_HOST" "$KUBERNETES_SERVICE_PORT" </dev/null; echo "connected to $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT"', 'Never'),
  });
  const sleeper = await waitPod(cluster, 'sleeper', (p) => p.status?.phase === 'Running');
  const dns = await waitPod(cluster, 'dns-check', (p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed');
  const dnsLog = (await cluster.kube.core.readNamespacedPodLog({ name: 'dns-check', namespace: PROOF_NAMESPACE })).split('\n').filter(Boolean);
  if (dns.status?.phase !== 'Succeeded') throw new EnvironmentError('pod network', `dns-check ${dns.status?.phase}`, 'read its log below', dnsLog);

  const token = await mintToken(cluster.kube, { namespace: PROOF_NAMESPACE, serviceAccount: 'prover' });
  const claims = jwtClaims(token);
  log(`prove: default token iss=${claims.iss} aud=${JSON.stringify(claims.aud)}`);

  const accepted: ProofResult['accepted'] = [];
  for (const audience of profile.apiAudiences) {
    const t = await mintToken(cluster.kube, { namespace: PROOF_NAMESPACE, serviceAccount: 'prover', audiences: [audience] });
    const r = await presentBearer(cluster.access, t);
    accepted.push({ audience, status: r.status, username: r.username });
    log(`prove: aud ${JSON.stringify(audience)} -> ${r.status} ${r.username ?? r.message ?? ''}`);
  }
  const bad = await mintToken(cluster.kube, { namespace: PROOF_NAMESPACE, serviceAccount: 'prover', audiences: [VAULT_AUDIENCE] });
  const r = await presentBearer(cluster.access, bad);
  const line = await poll(async () => audienceMismatchLine(await cluster.apiserverLog(), VAULT_AUDIENCE) ?? waiting(), { timeoutMs: 10_000, intervalMs: 500 });
  const apiserverLine = line.ok ? line.value : undefined;
  log(`prove: aud ${JSON.stringify(VAULT_AUDIENCE)} -> ${r.status} ${r.message ?? ''}`);
  if (apiserverLine) log(`prove: apiserver: ${apiserverLine}`);

  return {
    cluster: cluster.name,
    profile: profile.name,
    controlPlane,
    pod: { image: TEST_POD_IMAGE, phase: sleeper.status?.phase ?? '?', dnsLog },
    defaultToken: { iss: claims.iss, aud: claims.aud, sub: claims.sub },
    accepted,
    rejected: { audience: VAULT_AUDIENCE, status: r.status, message: r.message, apiserverLine },
  };
}

export function profileByName(name: string): ClusterProfile {
  const p = loadProfiles().get(name);
  if (!p) throw new EnvironmentError('profile', `no profile ${name}`, `one of ${[...loadProfiles().keys()].join(', ')}`);
  return p;
}
