import { CERT_MANAGER_NAMESPACE } from '../certmanager/chart.ts';
import { EnvironmentError, InputError } from '../lib/errors.ts';
import type { RunOptions } from '../runner/run.ts';
import { discoverCluster, type DiscoveredCluster } from './discover.ts';
import { ExistingEnvironment } from './environment.ts';
import { skipReason, type ClusterFit } from './fit.ts';
import { loadKubeconfig } from './kubeconfig.ts';

export interface ExistingFlags {
  kubeconfig?: string;
  installCertManager?: boolean;
  vaultImage?: string;
  certManagerNamespace?: string;
  concurrency?: string;
}

const cli = (field: string) => ({ file: 'command line', field });

/**
 * The existing-cluster backend as the runner sees it. Unlike the others it looks at the cluster first: which
 * scenarios fit depends on the issuer, API audiences and cert-manager the cluster already has.
 */
export async function existingBackend(flags: ExistingFlags): Promise<Pick<RunOptions, 'startEnvironment' | 'skipReason'>> {
  if (flags.concurrency && flags.concurrency !== '1') throw new InputError(cli('--concurrency'), '--backend existing runs one environment at a time (they share the cluster and its namespaces)', 'drop --concurrency');
  if (flags.installCertManager && flags.certManagerNamespace && flags.certManagerNamespace !== CERT_MANAGER_NAMESPACE) {
    throw new InputError(cli('--cert-manager-namespace'), `--install-cert-manager installs into ${CERT_MANAGER_NAMESPACE}`, 'drop --cert-manager-namespace');
  }
  const file = flags.kubeconfig;
  const kc = loadKubeconfig(file);
  const cluster = await discoverCluster(kc, { file: file!, certManagerNamespace: flags.certManagerNamespace ?? CERT_MANAGER_NAMESPACE });
  checkCertManager(cluster, flags, file!);
  for (const line of summary(cluster, flags)) process.stderr.write(`${line}\n`);
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
        kubeconfigPath: file!,
        cluster,
        installCertManager: !!flags.installCertManager,
        ...(flags.vaultImage ? { vaultImage: flags.vaultImage } : {}),
      }),
    skipReason: (plan) => skipReason(plan, fit),
  };
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
