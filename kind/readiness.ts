/**
 * When a new kind cluster can take work: the node Ready, every control-plane pod running, the controller manager and
 * the scheduler each holding its leader-election Lease (renewed within its duration: running, leading, and the API
 * server and etcd taking writes), every live namespace's `default` ServiceAccount made and kube-proxy Ready (the
 * controller manager has done its first round: the cluster's bare state, taken right after, holds what it makes),
 * and (unless not asked for) CoreDNS Ready.
 *
 * Not the control-plane pods' Ready condition: kubeadm writes each of them with a startupProbe that first runs 10 s
 * after the container starts (`initialDelaySeconds: 10`, `periodSeconds: 10` in the node's
 * /etc/kubernetes/manifests, seen at v1.34.4), and a pod is Ready only once it passed, so the condition lags
 * components that already serve by up to that much.
 */
import type { V1Lease, V1Node, V1Pod } from '@kubernetes/client-node';

/** Control-plane static pods kubeadm makes, by component label. */
export const CONTROL_PLANE_COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;

/** The components that elect a leader through a Lease of their own name in kube-system. */
export const LEADER_LEASES = ['kube-controller-manager', 'kube-scheduler'] as const;

export interface ClusterState {
  nodes: V1Node[];
  /** kube-system's pods. */
  pods: V1Pod[];
  /** kube-system's Leases by name (undefined: not there yet). */
  leases: Partial<Record<(typeof LEADER_LEASES)[number], V1Lease>>;
  /** The namespaces not being deleted. */
  namespaces: string[];
  /** The namespaces holding a ServiceAccount named `default`. */
  withDefaultServiceAccount: string[];
  now: Date;
}

const isReady = (p: V1Pod) => p.status?.phase === 'Running' && !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
const isRunning = (p: V1Pod) => p.status?.phase === 'Running' && !!p.status?.containerStatuses?.length && p.status.containerStatuses.every((c) => !!c.state?.running);

/** Why a lease does not show a live leader, or undefined when it does. */
export function leaseProblem(name: string, lease: V1Lease | undefined, now: Date): string | undefined {
  if (!lease?.spec?.holderIdentity) return `${name} holds no leader Lease yet`;
  const renewed = lease.spec.renewTime ? new Date(lease.spec.renewTime).getTime() : NaN;
  const within = (lease.spec.leaseDurationSeconds ?? 15) * 1000;
  if (Number.isNaN(renewed)) return `${name}'s Lease has no renewal time`;
  if (now.getTime() - renewed > within) return `${name}'s Lease was last renewed at ${new Date(renewed).toISOString()}`;
  return undefined;
}

/** 'ready', or what is still missing. */
export function readinessOf(state: ClusterState, o: { dns?: boolean } = {}): string {
  const notReady = state.nodes.filter((n) => !n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  if (!state.nodes.length || notReady.length) return `node not Ready: ${notReady.map((n) => n.metadata?.name).join(', ') || 'no nodes'}`;
  for (const component of CONTROL_PLANE_COMPONENTS) {
    const p = state.pods.find((x) => x.metadata?.labels?.component === component);
    if (!p) return `no ${component} pod yet`;
    if (!isRunning(p)) return `${component} is ${p.status?.phase}, not running`;
  }
  for (const name of LEADER_LEASES) {
    const problem = leaseProblem(name, state.leases[name], state.now);
    if (problem) return problem;
  }
  const lacking = state.namespaces.filter((n) => !state.withDefaultServiceAccount.includes(n));
  if (lacking.length) return `no default ServiceAccount yet in ${lacking.join(', ')}`;
  const proxy = state.pods.filter((p) => p.metadata?.labels?.['k8s-app'] === 'kube-proxy');
  if (!proxy.length || proxy.some((p) => !isReady(p))) return 'kube-proxy not Ready';
  if (o.dns === false) return 'ready';
  const dns = state.pods.filter((p) => p.metadata?.labels?.['k8s-app'] === 'kube-dns');
  if (!dns.length) return 'no CoreDNS pods yet';
  const dnsNotReady = dns.filter((p) => !isReady(p));
  if (dnsNotReady.length) return `CoreDNS not Ready: ${dnsNotReady.map((p) => `${p.metadata?.name} ${p.status?.phase}`).join(', ')}`;
  return 'ready';
}
