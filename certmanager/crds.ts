import { loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';
import { readFile } from 'node:fs/promises';
import type { Kube } from '../lib/kube.ts';
import { poll, waiting } from '../lib/wait.ts';

export async function applyCrds(kube: Kube, crdsFile: string): Promise<string[]> {
  // loadAllYaml builds the typed models, so `x-kubernetes-*` schema keys survive client-node's serializer
  // (a plain object's `x-kubernetes-preserve-unknown-fields` would be dropped on the way out).
  const docs = (loadAllYaml(await readFile(crdsFile, 'utf8')) as Array<KubernetesObject | null>).filter(
    (o): o is KubernetesObject => o?.kind === 'CustomResourceDefinition',
  );
  for (const crd of docs) await kube.apply(crd);
  const names = docs.map((d) => d.metadata!.name!);
  await waitEstablished(kube, names);
  return names;
}

async function waitEstablished(kube: Kube, names: string[], timeoutMs = 30_000): Promise<void> {
  const pending = new Set(names);
  const r = await poll(async () => {
    for (const name of [...pending]) {
      const crd = await kube.read<KubernetesObject & { status?: { conditions?: Array<{ type: string; status: string }> } }>('apiextensions.k8s.io/v1', 'CustomResourceDefinition', name);
      if (crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) pending.delete(name);
    }
    return pending.size ? waiting([...pending].join(', ')) : true;
  }, { timeoutMs, intervalMs: 200 });
  if (!r.ok) throw new Error(`CRDs not established after ${timeoutMs / 1000}s: ${r.last}`);
}

/** cert-manager's API groups: cert-manager.io and acme.cert-manager.io. */
const isCertManagerGroup = (group: string | undefined) => !!group && (group === 'cert-manager.io' || group.endsWith('.cert-manager.io'));

type Crd = KubernetesObject & { spec?: { group?: string }; status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> } };

/** The names of the cert-manager CRDs the cluster serves. */
export async function certManagerCrds(kube: Kube): Promise<string[]> {
  const all = await kube.objects.list('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
  return (all.items as Crd[]).filter((c) => isCertManagerGroup(c.spec?.group)).map((c) => c.metadata?.name ?? '');
}

/**
 * Deletes every cert-manager CRD and waits until they are gone: the API server deletes their objects (Issuers,
 * Certificates…) with them. Answers the names still there after `timeoutMs` (empty: all gone).
 */
export async function deleteCertManagerCrds(kube: Kube, timeoutMs = 60_000): Promise<string[]> {
  for (const name of await certManagerCrds(kube)) await kube.delete({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name } });
  const nudge = finalizerNudger(kube);
  const r = await poll(async () => {
    const left = await certManagerCrds(kube);
    await nudge(left);
    return left.length ? waiting(left.join(', ')) : true;
  }, { timeoutMs, intervalMs: 250 });
  if (r.ok) return [];
  return Promise.all(r.last.split(', ').map(async (name) => `CustomResourceDefinition ${name}${await terminating(kube, name)}`));
}

/**
 * The API server's CRD finalizer deletes a CRD's objects before the CRD, listing them through the CRD's storage. A
 * storage made or remade just then answers `storage is (re)initializing` (HTTP 429) until its watch cache has
 * filled (KEP-4568, resilient watch cache initialization; kubernetes/kubernetes#124642), the finalizer records
 * `InstanceDeletionFailed` and retries only after a per-item exponential backoff, so a CRD whose first tries fail
 * lingers for a minute or more (operator-framework/operator-controller#1437 shows the same condition). Any change
 * to the CRD other than that condition queues it again at once (apiextensions-apiserver
 * pkg/controller/finalizer/crd_finalizer.go, updateCustomResourceDefinition): an annotation does, without touching
 * what the CRD defines.
 */
async function nudgeFinalizer(kube: Kube, name: string): Promise<void> {
  const crd = await kube.read<Crd>('apiextensions.k8s.io/v1', 'CustomResourceDefinition', name).catch(() => undefined);
  if (crd?.status?.conditions?.find((c) => c.type === 'Terminating')?.reason !== 'InstanceDeletionFailed') return;
  await kube.annotate({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name } }, { [NUDGE_ANNOTATION]: new Date().toISOString() }).catch(() => undefined);
}

/**
 * nudgeFinalizer for the named CRDs, for a loop waiting on them: at most once every NUDGE_EVERY_MS, however often
 * the loop polls.
 */
export function finalizerNudger(kube: Kube): (names: string[]) => Promise<void> {
  let last = 0;
  return async (names) => {
    if (!names.length || Date.now() - last < NUDGE_EVERY_MS) return;
    last = Date.now();
    for (const name of names) await nudgeFinalizer(kube, name);
  };
}

/** How often a CRD stuck in `InstanceDeletionFailed` is queued again (nudgeFinalizer). */
const NUDGE_EVERY_MS = 1000;
const NUDGE_ANNOTATION = 'cm-vault-e2e.io/finalizer-nudged-at';

/**
 * Why a CRD is still there, from the Terminating condition the API server's CRD finalizer writes while it deletes
 * the CRD's objects (`InstanceDeletionCheck: could not confirm zero CustomResources remaining…`); '' when none.
 */
async function terminating(kube: Kube, name: string): Promise<string> {
  const crd = await kube.read<Crd>('apiextensions.k8s.io/v1', 'CustomResourceDefinition', name).catch(() => undefined);
  const c = crd?.status?.conditions?.find((x) => x.type === 'Terminating');
  return c ? ` (Terminating ${c.status}: ${c.reason ?? ''}${c.message ? `: ${c.message}` : ''})` : '';
}
