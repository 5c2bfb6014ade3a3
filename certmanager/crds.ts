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
