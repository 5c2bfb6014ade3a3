import type { SignedNames } from '../scenarios/types.ts';
import { X509Certificate } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Kube } from '../lib/kube.ts';
import { poll, waiting } from '../lib/wait.ts';

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
  let last: Condition | undefined;
  const settled = (c: Condition | undefined, previous: Condition | undefined) =>
    until ? !!c && until(c) : c?.status === 'True' || (c?.status === 'False' && previous?.status === 'False' && previous.message === c.message);
  const r = await poll(async () => {
    const c = await readyCondition(kube, issuer);
    const previous = last;
    last = c;
    return settled(c, previous) ? c : waiting();
  }, { timeoutMs, intervalMs: 300 });
  return r.ok ? { condition: r.value, timedOut: false } : { condition: last, timedOut: true };
}

export async function waitCertificateReady(kube: Kube, cert: KubernetesObject, timeoutMs: number): Promise<{ condition?: Condition; timedOut: boolean }> {
  let last: Condition | undefined;
  const r = await poll(async () => ((last = await readyCondition(kube, cert))?.status === 'True' ? last : waiting()), { timeoutMs, intervalMs: 300 });
  return { condition: last, timedOut: !r.ok };
}

export interface IssuedCertificate {
  serial: string;
  chainVerified: boolean;
  sansMatch: boolean;
  subjectAltName: string;
  names: SignedNames;
}

/** Reads the Secret cert-manager wrote and checks the leaf against the Vault PKI root and the requested names. */
/** The SAN entries a Certificate asks for, as Node's X509Certificate#subjectAltName prints them. */
export function requestedSans(cert: { spec?: { dnsNames?: string[]; ipAddresses?: string[]; uris?: string[] } }): string[] {
  const spec = cert.spec ?? {};
  return [...(spec.dnsNames ?? []).map((d) => `DNS:${d}`), ...(spec.ipAddresses ?? []).map((ip) => `IP Address:${ip}`), ...(spec.uris ?? []).map((u) => `URI:${u}`)];
}

export async function inspectIssued(kube: Kube, namespace: string, secretName: string, rootPem: string, sans: string[]): Promise<IssuedCertificate | undefined> {
  const secret = await kube.read<KubernetesObject & { data?: Record<string, string> }>('v1', 'Secret', secretName, namespace);
  const crt = secret?.data?.['tls.crt'];
  if (!crt) return undefined;
  const leaf = new X509Certificate(Buffer.from(crt, 'base64'));
  const root = new X509Certificate(rootPem);
  const chainVerified = leaf.checkIssued(root) && leaf.verify(root.publicKey);
  const san = leaf.subjectAltName ?? '';
  const sansMatch = sans.every((d) => san.split(', ').includes(d));
  // Node leaves subject undefined for an empty one (a CN-less certificate).
  const cn = (leaf.subject ?? '').split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? '';
  return { serial: leaf.serialNumber, chainVerified, sansMatch, subjectAltName: san, names: { commonName: cn, sans: san ? san.split(', ').sort() : [] } };
}

/** The Ready condition as an observation records it. */
export function issuerObservation(c: Condition | undefined): { status: string; reason: string; message: string } | null {
  return c ? { status: c.status, reason: c.reason ?? '', message: c.message ?? '' } : null;
}
