import { describe, expect, it } from 'vitest';
import { criLogMessage, criLogMessages, podLogDir, restartLogs } from './pod-logs.ts';

describe('kind pod logs', () => {
  it('unwraps CRI lines to their messages and drops blank ones', () => {
    const text = '2026-12-04T16:00:00.1Z stderr F E1204 authentication.go:74] "Unable to authenticate the request"\n\n2026-12-04T16:00:00.2Z stdout P partial\nplain\n';
    expect(criLogMessages(text)).toEqual(['E1204 authentication.go:74] "Unable to authenticate the request"', 'partial', 'plain']);
    expect(criLogMessage('   ')).toBeUndefined();
  });

  it("finds the pod's container directory by namespace and pod prefix, the first as ls sorts", () => {
    const dirs = ['kube-system_kube-scheduler-n_1', 'kube-system_kube-apiserver-n_b', 'kube-system_kube-apiserver-n_a', 'default_kube-apiserver-x_c'];
    expect(podLogDir(dirs, 'kube-system', 'kube-apiserver', 'kube-apiserver')).toBe('kube-system_kube-apiserver-n_a/kube-apiserver');
    expect(podLogDir(dirs, 'kube-system', 'etcd', 'etcd')).toBeUndefined();
  });

  it('orders restart logs by number, leaving rotated and compressed files out', () => {
    expect(restartLogs(['10.log', '2.log', '0.log', '0.log.20261204-160000', '0.log.20261204-150000.gz'])).toEqual(['0.log', '2.log', '10.log']);
  });
});
