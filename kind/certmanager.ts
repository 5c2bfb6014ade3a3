/**
 * cert-manager in a kind cluster, installed with Helm from the chart the provisioner unpacked, from images tagged
 * as the chart expects (quay.io/jetstack/cert-manager-{controller,webhook,cainjector}:<version>, pullPolicy
 * Never): the official images where they can be pulled (kind/images/pull.ts), else images made here from the
 * binaries the provisioner built (launchers linking cert-manager's real code of the pinned release), each with its
 * binary where the upstream image has it and a numeric non-root user (the chart sets runAsNonRoot). A release
 * under test (`run --cert-manager-image/--cert-manager-chart`) replaces what it names, for its version only.
 *
 * The webhook is the chart's own (validating, mutating, its dynamic serving CA Secret), its CA bundle injected
 * by the cainjector; install returns only once the webhook answers admission requests (a server-side dry-run
 * create of a valid Issuer is admitted and one of an invalid Issuer is denied by the webhook), so the first
 * scenario does not race `failed calling webhook`. startupapicheck stays off: it is another nested module
 * (cmd/startupapicheck) that is not built here, and that dry-run probe checks what it would.
 * CRDs are applied from crds.yaml before Helm runs and dropped from the rendered chart by a post-renderer.
 */
import { binaryPath } from '../provision/artifacts.ts';
import { CERT_MANAGER_COMPONENTS, imageRef, type CertManagerComponent } from '../certmanager/chart.ts';
import { HelmCertManager } from '../certmanager/helm-install.ts';
import { deleteCertManagerCrds } from '../certmanager/crds.ts';
import type { KindCluster } from './cluster.ts';
import { resolveCandidateImage } from './candidate.ts';
import type { CertManagerCandidate } from '../runner/environment-spec.ts';
import type { SourcePolicy } from '../provision/official/policy.ts';
import { debianMirrorOf, ensureExtraImage } from './images/build.ts';
import { stderrLogger, type Logger } from './images/common.ts';
import type { ComponentSpec } from './images/components.ts';
import { secondsSince } from '../lib/wait.ts';

export * from '../certmanager/chart.ts';

/** Where the upstream images keep each binary (their entrypoint; the chart passes arguments only). */
export const COMPONENT_PATHS: Readonly<Record<CertManagerComponent, string>> = {
  controller: '/app/cmd/controller/controller',
  webhook: '/app/cmd/webhook/webhook',
  cainjector: '/app/cmd/cainjector/cainjector',
};

/** Where the chart's controller and cainjector hold their leader-election Leases (its default). */
const LEADER_ELECTION_NAMESPACE = 'kube-system';

/** The numeric user of the upstream images (the chart's securityContext sets runAsNonRoot). */
export const CERT_MANAGER_USER = '1000';

export function imageSpec(component: CertManagerComponent, version: string, binary: string): ComponentSpec {
  const path = COMPONENT_PATHS[component];
  return {
    name: `cert-manager-${component}`,
    ref: imageRef(component, version),
    files: [{ src: binary, dest: path }],
    entrypoint: [path],
    user: CERT_MANAGER_USER,
  };
}

export const controllerImageRef = (version: string) => imageRef('controller', version);
export const controllerImageSpec = (version: string, launcher: string) => imageSpec('controller', version, launcher);

export interface KindCertManagerOptions {
  cluster: KindCluster;
  version: string;
  helmVersion: string;
  /** The release under test at this version, if any. */
  candidate?: CertManagerCandidate;
  /** Official images first, or always built. */
  source?: SourcePolicy;
  /** The Debian mirror of the rootfs the images are built from (default deb.debian.org). */
  debianMirror?: string;
  log?: Logger;
  timeoutMs?: number;
}

export class KindCertManager {
  private constructor(private readonly helm: HelmCertManager) {}

  get version(): string {
    return this.helm.version;
  }

  /** The image each component runs (kept with a `run --reuse` cluster, to check it when adopted). */
  get images(): Readonly<Record<CertManagerComponent, string>> {
    return this.helm.images;
  }

  /** The release a kept cluster already runs, checked healthy (certmanager/helm-install.ts attach). */
  static async attach(o: { cluster: KindCluster; version: string; images: Readonly<Record<CertManagerComponent, string>> }): Promise<KindCertManager> {
    return new KindCertManager(await HelmCertManager.attach({ kube: o.cluster.kube, version: o.version, images: o.images }));
  }

  /**
   * Images built and on the node (loaded, unless the node image holds them), then the shared Helm install (certmanager/helm-install.ts: CRDs,
   * `helm upgrade --install`, so it also upgrades or downgrades in place, then the three Deployments on
   * this version and the webhook serving).
   */
  static async install(opts: KindCertManagerOptions): Promise<KindCertManager> {
    const log = opts.log ?? stderrLogger;
    const started = Date.now();
    const candidate = opts.candidate ?? { images: {} };
    const images = await Promise.all(
      CERT_MANAGER_COMPONENTS.map(async (c) => {
        const given = candidate.images[c];
        if (given) return resolveCandidateImage(c, given);
        const binary = await binaryPath('cert-manager-controller', opts.version, `cert-manager-${c}`);
        const from = { ...(opts.source ? { policy: opts.source } : {}), ...debianMirrorOf(opts) };
        return (await ensureExtraImage(imageSpec(c, opts.version, binary), log, from)).ref;
      }),
    );
    const loaded = await Promise.all(images.map((ref) => opts.cluster.ensureImage(ref)));
    log(`cert-manager: ${opts.version} images on the node in ${secondsSince(started)}s${loaded.some(Boolean) ? '' : ' (the node image holds them)'}`);
    const helm = await HelmCertManager.install({
      kube: opts.cluster.kube,
      kubeconfigPath: opts.cluster.kubeconfigPath,
      version: opts.version,
      helmVersion: opts.helmVersion,
      pullPolicy: 'Never',
      images: Object.fromEntries(CERT_MANAGER_COMPONENTS.filter((c) => candidate.images[c]).map((c) => [c, images[CERT_MANAGER_COMPONENTS.indexOf(c)]!])),
      ...(candidate.chart ? { chart: candidate.chart } : {}),
      log,
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    });
    return new KindCertManager(helm);
  }

  /**
   * Removes the release as a user would before installing another: `helm uninstall` (it waits for the pods to go),
   * the leader-election Leases left in kube-system (else the next controller waits out the old holder's lease), then
   * every cert-manager CRD with its objects. Answers the CRDs still there (empty: removed). The release's images stay
   * on the node: a later environment of the same release then skips loading them (`kind load` skips a node that
   * has the image's ID), and nothing runs from them once the pods are gone.
   */
  static async uninstall(o: { cluster: KindCluster; helmVersion: string; crdWaitMs: number }): Promise<string[]> {
    await HelmCertManager.uninstall({ kubeconfigPath: o.cluster.kubeconfigPath, helmVersion: o.helmVersion, timeoutMs: 60_000 });
    for (const l of await o.cluster.kube.list('coordination.k8s.io/v1', 'Lease', LEADER_ELECTION_NAMESPACE)) {
      if (l.metadata?.name?.startsWith('cert-manager')) await o.cluster.kube.delete({ ...l, apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' });
    }
    return deleteCertManagerCrds(o.cluster.kube, o.crdWaitMs);
  }

  /** A component's log (current pod; the controller's by default), via the API server. */
  logLines(component: CertManagerComponent = 'controller'): Promise<string[]> {
    return this.helm.logLines(component);
  }
}
