import { CERT_MANAGER_NAMESPACE } from '../certmanager/chart.ts';
import { EnvironmentError, InputError } from '../lib/errors.ts';
import { Kube } from '../lib/kube.ts';
import type { Resource, RunLedger } from '../lib/ledger.ts';
import type { RunOptions } from '../runner/run.ts';
import { acquireLease, holderGoneHere, holderIdentity, kubeLeaseStore, type HeldLease } from './cluster-lease.ts';
import { hostIdentity, isAlive } from '../lib/run-identity.ts';
import { discoverCluster, type DiscoveredCluster } from './discover.ts';
import { ExistingEnvironment } from './environment.ts';
import { skipReason, type ClusterFit } from './fit.ts';
import { loadKubeconfig } from './kubeconfig.ts';
import { pinKubeconfig } from './pinned-kubeconfig.ts';
import { deleteClusterObjects } from './reap.ts';

export interface ExistingFlags {
  kubeconfig?: string;
  installCertManager?: boolean;
  vaultImage?: string;
  certManagerNamespace?: string;
  concurrency?: string;
}

const cli = (field: string) => ({ file: 'command line', field });

/** What the backend needs of the run around it. */
export interface ExistingRun {
  /** The run's ledger: its objects on the cluster and its copy of the kubeconfig are recorded there before they are made. */
  ledger: RunLedger;
  /** Stops the run, failing it (its Lease was lost: another run may be writing to the cluster now). */
  stop: (why: string) => void;
  log?: (line: string) => void;
}

export type ExistingBackend = Pick<RunOptions, 'startEnvironment' | 'skipReason'> & {
  /** At the run's end: the Lease released, whatever still carries the run's label deleted, the kubeconfig copy removed. */
  close: () => Promise<void>;
};

/**
 * The existing-cluster backend as the runner sees it. Unlike the others it looks at the cluster first: which
 * scenarios fit depends on the issuer, API audiences and cert-manager the cluster already has. Before its first
 * write it pins the kubeconfig's current context (existing/pinned-kubeconfig.ts) and takes the cluster's Lease
 * (existing/cluster-lease.ts): one run at a time writes to a cluster it did not make.
 */
export async function existingBackend(flags: ExistingFlags, run: ExistingRun): Promise<ExistingBackend> {
  if (flags.concurrency && flags.concurrency !== '1') throw new InputError(cli('--concurrency'), '--backend existing runs one environment at a time (they share the cluster and its namespaces)', 'drop --concurrency');
  if (flags.installCertManager && flags.certManagerNamespace && flags.certManagerNamespace !== CERT_MANAGER_NAMESPACE) {
    throw new InputError(cli('--cert-manager-namespace'), `--install-cert-manager installs into ${CERT_MANAGER_NAMESPACE}`, 'drop --cert-manager-namespace');
  }
  const log = run.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const file = flags.kubeconfig!;
  loadKubeconfig(flags.kubeconfig);
  const { ledger } = run;
  const dir = await ledger.tempDir('kubeconfig');
  const { kc, pinned } = await pinKubeconfig(file, dir).catch(async (err: unknown) => {
    await ledger.removeDir(dir);
    throw err;
  });
  // everything the run labels on the cluster, its Lease and discovery namespace first: reaped after a kill
  const objects: Extract<Resource, { kind: 'cluster-objects' }> = { kind: 'cluster-objects', run: ledger.id, server: pinned.server, kubeconfig: pinned.source, context: pinned.kubeContext };
  await ledger.record(objects);
  let lease: HeldLease | undefined;
  const close = async () => {
    await lease?.release().catch((err: Error) => log(`lease: could not delete it (${err.message}); it expires on its own`));
    try {
      // nothing written before the Lease was taken; after that, whatever still carries the run's label goes
      if (lease) await deleteClusterObjects({ ...objects, kubeconfig: pinned.kubeconfigPath });
      await ledger.drop(objects);
    } catch (err) {
      log(`existing cluster: cleanup incomplete: ${(err as Error).message}`);
    }
    await ledger.removeDir(dir);
  };
  try {
    lease = await acquireLease({
      store: kubeLeaseStore(new Kube(kc)),
      holder: { run: ledger.id, identity: holderIdentity(ledger.id, ledger.owner.pid, hostIdentity()) },
      holderGone: (holder) => holderGoneHere(holder, hostIdentity(), (pid) => isAlive({ pid })),
      cluster: { server: pinned.server, kubectl: `kubectl --kubeconfig ${pinned.source} --context ${pinned.kubeContext}` },
      log,
    });
    lease.keepRenewing(run.stop);
    const cluster = await discoverCluster(kc, { file, certManagerNamespace: flags.certManagerNamespace ?? CERT_MANAGER_NAMESPACE, run: ledger.id });
    checkCertManager(cluster, flags, file);
    for (const line of summary(cluster, flags)) log(line);
    const fit: ClusterFit = {
      serviceAccountIssuer: cluster.serviceAccountIssuer,
      apiAudiences: cluster.apiAudiences,
      ...(flags.installCertManager ? {} : { certManager: cluster.certManager! }),
      namespaces: cluster.namespaces,
      ...(flags.vaultImage ? { vaultImage: flags.vaultImage } : {}),
    };
    return {
      startEnvironment: (spec) =>
        ExistingEnvironment.start({
          spec,
          kc,
          pinned,
          cluster,
          installCertManager: !!flags.installCertManager,
          ...(flags.vaultImage ? { vaultImage: flags.vaultImage } : {}),
          log,
        }),
      skipReason: (plan) => skipReason(plan, fit),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The cluster's cert-manager is used as it is; the suite installs one only when told to and none is there. */
export function checkCertManager(c: DiscoveredCluster, flags: ExistingFlags, file: string): void {
  const ns = flags.certManagerNamespace ?? CERT_MANAGER_NAMESPACE;
  const cm = c.certManager;
  if (flags.installCertManager) {
    if (cm) throw new EnvironmentError('cert-manager', `${cm.version ?? 'a version'} is already installed (${cm.namespace}/${cm.deployment}); --install-cert-manager never replaces a cluster's own`, 'drop --install-cert-manager to run against it');
    if (c.certManagerCrds === 'foreign') throw new EnvironmentError('cert-manager', "its CRDs are installed (certificates.cert-manager.io) but no controller runs; --install-cert-manager would overwrite them and delete them afterwards, with every Certificate in the cluster", `install cert-manager yourself, or pass --cert-manager-namespace if its controller runs outside ${ns}`);
    if (c.namespaces.get(CERT_MANAGER_NAMESPACE) === false) throw new EnvironmentError('cert-manager', `namespace ${CERT_MANAGER_NAMESPACE} exists without a cert-manager controller and is not this suite's`, `install cert-manager into it yourself, or remove the namespace: kubectl --kubeconfig ${file} delete ns ${CERT_MANAGER_NAMESPACE}`);
    return;
  }
  if (!cm) {
    throw new EnvironmentError(
      'cert-manager',
      `no cert-manager controller Deployment in namespace ${ns} of the cluster in --kubeconfig ${file}`,
      'install cert-manager (https://cert-manager.io/docs/installation/helm/), pass --cert-manager-namespace NS if it runs elsewhere, or pass --install-cert-manager to let this run install the pinned chart (and remove it at the end)',
    );
  }
  if (!cm.available) throw new EnvironmentError(`cert-manager ${cm.namespace}/${cm.deployment}`, 'has no available replica', `kubectl --kubeconfig ${file} -n ${cm.namespace} describe deploy ${cm.deployment}`);
}

function summary(c: DiscoveredCluster, flags: ExistingFlags): string[] {
  const cm = c.certManager;
  return [
    `existing cluster ${c.server} (context ${c.context}, Kubernetes ${c.kubernetesVersion})`,
    `  ServiceAccount issuer ${c.serviceAccountIssuer}; API audiences [${c.apiAudiences.join(', ')}] (from a TokenRequest with empty audiences)`,
    `  signing key from /openid/v1/jwks (${c.jwksKeyCount} key(s))`,
    flags.installCertManager
      ? '  cert-manager: none; each environment installs the pinned chart at its scenarios\' version and removes it afterwards'
      : `  cert-manager ${cm!.version ?? '(version unknown)'} in ${cm!.namespace}/${cm!.deployment} as ServiceAccount ${cm!.serviceAccount}, cluster resource namespace ${cm!.clusterResourceNamespace}`,
  ];
}
