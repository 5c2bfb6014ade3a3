import type { KubernetesObject } from '@kubernetes/client-node';
import type { Kube } from '../lib/kube.ts';
import { sleep } from '../lib/wait.ts';
import { readyCondition, type Condition } from './observe.ts';

type WithConditions = KubernetesObject & { status?: { conditions?: Condition[] } };

/** The annotation cert-manager puts on every request it makes for a Certificate (requests may be named at random). */
const CERTIFICATE_NAME = 'cert-manager.io/certificate-name';

/** The Certificate's request (there is one: the Certificate is new). */
export async function certificateRequestOf(kube: Kube, cert: KubernetesObject): Promise<WithConditions | undefined> {
  const list = await kube.list<WithConditions>('cert-manager.io/v1', 'CertificateRequest', cert.metadata!.namespace!);
  return list.find((r) => r.metadata?.annotations?.[CERTIFICATE_NAME] === cert.metadata!.name);
}

async function requestCondition(kube: Kube, cert: KubernetesObject): Promise<Condition | undefined> {
  return (await certificateRequestOf(kube, cert))?.status?.conditions?.find((c) => c.type === 'Ready');
}

/**
 * Waits for the sign step to settle: the Certificate Ready, or its CertificateRequest failed (cert-manager does not
 * retry a failed request until the Certificate's backoff re-issues it, so the refusal stays readable).
 */
export async function waitSignOutcome(
  kube: Kube,
  cert: KubernetesObject,
  timeoutMs: number,
): Promise<{ certificate?: Condition; request?: Condition; timedOut: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let last: { certificate?: Condition; request?: Condition } = {};
  while (Date.now() < deadline) {
    last = { certificate: await readyCondition(kube, cert), request: await requestCondition(kube, cert) };
    if (last.certificate?.status === 'True') return { ...last, timedOut: false };
    if (last.request?.status === 'False' && last.request.reason === 'Failed') return { ...last, timedOut: false };
    await sleep(300);
  }
  return { ...last, timedOut: true };
}
