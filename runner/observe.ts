import { X509Certificate } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Kube } from '../lib/kube.ts';

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

type WithConditions = KubernetesObject & { status?: { conditions?: Condition[] } };

export async function readyCondition(kube: Kube, obj: KubernetesObject): Promise<Condition | undefined> {
  const live = await kube.read<WithConditions>(obj.apiVersion!, obj.kind!, obj.metadata!.name!, obj.metadata?.namespace);
  return live?.status?.conditions?.find((c) => c.type === 'Ready');
}

/**
 * Waits for the Issuer's Ready condition to settle: True, or False with a message that stays the same across
 * two reads (cert-manager retries a failing issuer, but the message for the same cause does not change).
 */
export async function waitIssuerSettled(
  kube: Kube,
  issuer: KubernetesObject,
  timeoutMs: number,
  /** After a controller restart the old condition is still there: wait for this instead (bounded). */
  until?: (c: Condition) => boolean,
): Promise<{ condition?: Condition; timedOut: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let last: Condition | undefined;
  while (Date.now() < deadline) {
    const c = await readyCondition(kube, issuer);
    if (until) {
      if (c && until(c)) return { condition: c, timedOut: false };
      last = c;
      await sleep(300);
      continue;
    }
    if (c?.status === 'True') return { condition: c, timedOut: false };
    if (c?.status === 'False' && last?.status === 'False' && last.message === c.message) return { condition: c, timedOut: false };
    last = c;
    await sleep(300);
  }
  return { condition: last, timedOut: true };
}

export async function waitCertificateReady(kube: Kube, cert: KubernetesObject, timeoutMs: number): Promise<{ condition?: Condition; timedOut: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let last: Condition | undefined;
  while (Date.now() < deadline) {
    last = await readyCondition(kube, cert);
    if (last?.status === 'True') return { condition: last, timedOut: false };
    await sleep(300);
  }
  return { condition: last, timedOut: true };
}

export interface IssuedCertificate {
  serial: string;
  chainVerified: boolean;
  sansMatch: boolean;
  subjectAltName: string;
}

/** Reads the Secret cert-manager wrote and checks the leaf against the Vault PKI root and the requested names. */
export async function inspectIssued(kube: Kube, namespace: string, secretName: string, rootPem: string, dnsNames: string[]): Promise<IssuedCertificate | undefined> {
  const secret = await kube.read<KubernetesObject & { data?: Record<string, string> }>('v1', 'Secret', secretName, namespace);
  const crt = secret?.data?.['tls.crt'];
  if (!crt) return undefined;
  const leaf = new X509Certificate(Buffer.from(crt, 'base64'));
  const root = new X509Certificate(rootPem);
  const chainVerified = leaf.checkIssued(root) && leaf.verify(root.publicKey);
  const san = leaf.subjectAltName ?? '';
  const sansMatch = dnsNames.every((d) => san.split(', ').includes(`DNS:${d}`));
  return { serial: leaf.serialNumber, chainVerified, sansMatch, subjectAltName: san };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The Ready condition as an observation records it. */
export function issuerObservation(c: Condition | undefined): { status: string; reason: string; message: string } | null {
  return c ? { status: c.status, reason: c.reason ?? '', message: c.message ?? '' } : null;
}
