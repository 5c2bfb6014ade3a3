import { execa } from 'execa';
import { parseAllDocuments } from 'yaml';
import type { KubernetesObject } from '@kubernetes/client-node';

const RBAC_KINDS = new Set(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);

/**
 * The controller's RBAC exactly as the pinned chart renders it (`helm template`), so a setup that relied on a
 * chart-granted permission fails the same way outside a real cluster.
 */
export async function controllerRbacFromChart(helm: string, chartDir: string, kubeVersion: string, namespace = 'cert-manager'): Promise<KubernetesObject[]> {
  const { stdout } = await execa(helm, ['template', 'cert-manager', chartDir, '--namespace', namespace, '--kube-version', kubeVersion]);
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as KubernetesObject | null)
    .filter((o): o is KubernetesObject => !!o && RBAC_KINDS.has(o.kind ?? ''))
    .filter((o) => isController(o))
    .map((o) => (o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding' ? o : { ...o, metadata: { ...o.metadata, namespace: o.metadata?.namespace ?? namespace } }));
}

/** Keeps what the controller's ServiceAccount uses; the webhook, cainjector and startupapicheck do not run here. */
function isController(o: KubernetesObject): boolean {
  const component = o.metadata?.labels?.['app.kubernetes.io/component'];
  if (o.kind === 'ClusterRole') return component === 'controller' || o.metadata?.name?.startsWith('cert-manager-controller-') === true;
  return component === 'controller';
}
