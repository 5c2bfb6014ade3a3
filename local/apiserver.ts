import { readFile } from 'node:fs/promises';
import { Agent, fetch as undiciFetch } from 'undici';
import { createCa, createSigningKey, issueLeaf, type KeyPair } from '../lib/pki.ts';
import { freePort } from '../lib/ports.ts';
import type { GoRuntime } from '../lib/go-runtime.ts';
import type { RunLedger } from '../lib/ledger.ts';
import { ManagedProcess } from '../lib/process.ts';
import type { ClusterProfile } from '../scenarios/types.ts';

export interface ApiServer {
  url: string;
  caPem: string;
  caFile: string;
  admin: KeyPair;
  signingKey: { keyFile: string; pubFile: string; publicPem: string };
  proc: ManagedProcess;
}

/**
 * kube-apiserver with the profile's ServiceAccount issuer and API audiences: these two flags decide
 * which bearer tokens the API server accepts, which is the heart of the audience story.
 */
export async function startApiServer(binary: string, opts: { dir: string; ledger: RunLedger; etcdUrl: string; profile: ClusterProfile; outlive?: boolean; goRuntime?: GoRuntime }): Promise<ApiServer> {
  const port = await freePort();
  const pki = `${opts.dir}/pki`;
  const ca = await createCa(pki, 'cm-vault-e2e-cluster-ca');
  const serving = await issueLeaf(ca, pki, {
    name: 'apiserver',
    commonName: 'kube-apiserver',
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
    ipAddresses: ['127.0.0.1', '10.96.0.1'],
    usage: 'server',
  });
  const admin = await issueLeaf(ca, pki, { name: 'admin', commonName: 'cm-vault-e2e-admin', organization: 'system:masters', usage: 'client' });
  const signingKey = await createSigningKey(pki);
  const proc = new ManagedProcess('kube-apiserver', binary, [
    `--etcd-servers=${opts.etcdUrl}`,
    `--bind-address=127.0.0.1`,
    `--advertise-address=127.0.0.1`,
    `--secure-port=${port}`,
    `--cert-dir=${pki}`,
    `--tls-cert-file=${serving.certFile}`,
    `--tls-private-key-file=${serving.keyFile}`,
    `--client-ca-file=${ca.certFile}`,
    `--service-account-issuer=${opts.profile.serviceAccountIssuer}`,
    `--api-audiences=${csvJoin(opts.profile.apiAudiences)}`,
    `--service-account-key-file=${signingKey.pubFile}`,
    `--service-account-signing-key-file=${signingKey.keyFile}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    '--authorization-mode=RBAC',
    ...NO_ENDPOINT_RECONCILER,
    '--enable-priority-and-fairness=false',
    '--disable-admission-plugins=ServiceAccount',
    '--v=1',
  ], { dir: opts.dir, ledger: opts.ledger, outlive: !!opts.outlive, env: { ...opts.goRuntime } });
  await proc.start();
  const url = `https://127.0.0.1:${port}`;
  const [cert, key] = await Promise.all([readFile(admin.certFile), readFile(admin.keyFile)]);
  const agent = new Agent({ connect: { ca: ca.certPem, cert, key } });
  await proc.waitReady('ready (/readyz)', async () => (await undiciFetch(`${url}/readyz`, { dispatcher: agent })).ok, 90_000);
  await agent.close();
  return { url, caPem: ca.certPem, caFile: ca.certFile, admin, signingKey, proc };
}

/**
 * The process cluster advertises 127.0.0.1 and has no kubelet or pods, so nothing reads the `kubernetes` Service's
 * endpoints. From 1.37 the default lease reconciler refuses a loopback advertise address at start
 * (k8s.io/kubernetes@v1.37.2 pkg/controlplane/instance.go#New calls Reconciler.ValidateIP;
 * pkg/controlplane/reconcilers/lease.go#ValidateIP → ValidateEndpointIP: "may not be in the loopback range"),
 * while the `none` reconciler accepts any address (reconcilers/none.go#ValidateIP). The flag exists in every
 * pinned release, so every version runs with it.
 */
export const NO_ENDPOINT_RECONCILER = ['--endpoint-reconciler-type=none'] as const;

/** String-slice flags are parsed as one CSV record: quote a value holding quotes or commas, doubling its quotes. */
export function csvJoin(values: string[]): string {
  return values.map((v) => (/[",\s]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)).join(',');
}
