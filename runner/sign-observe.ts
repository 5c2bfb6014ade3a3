import type { KubernetesObject } from '@kubernetes/client-node';
import type { Kube } from '../lib/kube.ts';
import { sleep } from '../lib/wait.ts';
import { readyCondition, type Condition } from './observe.ts';

/** cert-manager names a Certificate's requests `<certificate>-<revision>`; a new Certificate's first is revision 1. */
export function firstRequestName(certificate: string): string {
  return `${certificate}-1`;
}

/**
 * Waits for the sign step to settle: the Certificate Ready, or its first CertificateRequest failed (cert-manager does
 * not retry a failed request until the Certificate's backoff re-issues it, so the refusal stays readable).
 */
export async function waitSignOutcome(
  kube: Kube,
  cert: KubernetesObject,
  timeoutMs: number,
): Promise<{ certificate?: Condition; request?: Condition; timedOut: boolean }> {
  const request: KubernetesObject = { apiVersion: 'cert-manager.io/v1', kind: 'CertificateRequest', metadata: { name: firstRequestName(cert.metadata!.name!), namespace: cert.metadata!.namespace! } };
  const deadline = Date.now() + timeoutMs;
  let last: { certificate?: Condition; request?: Condition } = {};
  while (Date.now() < deadline) {
    last = { certificate: await readyCondition(kube, cert), request: await readyCondition(kube, request) };
    if (last.certificate?.status === 'True' && last.request?.status === 'True') return { ...last, timedOut: false };
    if (last.request?.status === 'False' && last.request.reason === 'Failed') return { ...last, timedOut: false };
    await sleep(300);
  }
  return { ...last, timedOut: true };
}
