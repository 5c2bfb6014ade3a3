import type { V1Lease, V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { CONTROL_PLANE_COMPONENTS, leaseProblem, readinessOf, type ClusterState } from './readiness.ts';

const NOW = new Date('2026-12-07T05:00:00Z');
const node: V1Node = { metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
const pod = (labels: Record<string, string>, o: { running?: boolean; ready?: boolean } = {}): V1Pod => ({
  metadata: { name: Object.values(labels)[0], labels },
  status: {
    phase: o.running === false ? 'Pending' : 'Running',
    containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: !!o.ready, restartCount: 0, state: o.running === false ? { waiting: {} } : { running: {} } }],
    conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }],
  },
});
const lease = (renewedSecondsAgo: number, holder = 'n_1'): V1Lease => ({ spec: { holderIdentity: holder, leaseDurationSeconds: 15, renewTime: new Date(NOW.getTime() - renewedSecondsAgo * 1000) } });
// the control plane as it is right after `kind create cluster`: running, not Ready (startupProbe not run yet)
const controlPlane = CONTROL_PLANE_COMPONENTS.map((c) => pod({ component: c }, { ready: false }));
const state = (o: Partial<ClusterState> = {}): ClusterState => ({
  nodes: [node],
  pods: [...controlPlane, pod({ 'k8s-app': 'kube-proxy' }, { ready: true }), pod({ 'k8s-app': 'kube-dns' }, { ready: false })],
  leases: { 'kube-controller-manager': lease(2), 'kube-scheduler': lease(1) },
  namespaces: ['default', 'kube-system'],
  withDefaultServiceAccount: ['kube-system', 'default'],
  now: NOW,
  ...o,
});

describe('kind cluster readiness', () => {
  it('takes work once the leaders hold their Leases, though the control-plane pods are not Ready yet', () => {
    expect(readinessOf(state(), { dns: false })).toBe('ready');
  });

  it('waits for CoreDNS unless told not to', () => {
    expect(readinessOf(state())).toMatch(/CoreDNS not Ready/);
    const dnsReady = state().pods.map((p) => (p.metadata?.labels?.['k8s-app'] === 'kube-dns' ? pod({ 'k8s-app': 'kube-dns' }, { ready: true }) : p));
    expect(readinessOf(state({ pods: dnsReady }))).toBe('ready');
  });

  it('says which leader has no live Lease', () => {
    expect(readinessOf(state({ leases: { 'kube-scheduler': lease(1) } }), { dns: false })).toBe('kube-controller-manager holds no leader Lease yet');
    expect(readinessOf(state({ leases: { 'kube-controller-manager': lease(2), 'kube-scheduler': lease(40) } }), { dns: false })).toMatch(/kube-scheduler's Lease was last renewed at 2026-12-07T04:59:20/);
    expect(leaseProblem('x', { spec: { holderIdentity: '' } }, NOW)).toBe('x holds no leader Lease yet');
    expect(leaseProblem('x', { spec: { holderIdentity: 'h' } }, NOW)).toBe("x's Lease has no renewal time");
  });

  it("waits for the controller manager's first round: every namespace's default ServiceAccount, kube-proxy", () => {
    expect(readinessOf(state({ withDefaultServiceAccount: ['kube-system'] }), { dns: false })).toBe('no default ServiceAccount yet in default');
    expect(readinessOf(state({ pods: controlPlane }), { dns: false })).toBe('kube-proxy not Ready');
  });

  it('waits for the node and each control-plane pod running', () => {
    expect(readinessOf(state({ nodes: [] }), { dns: false })).toBe('node not Ready: no nodes');
    expect(readinessOf(state({ pods: controlPlane.slice(1) }), { dns: false })).toBe('no etcd pod yet');
    const stuck = [pod({ component: 'etcd' }, { running: false }), ...controlPlane.slice(1)];
    expect(readinessOf(state({ pods: stuck }), { dns: false })).toBe('etcd is Pending, not running');
  });
});
