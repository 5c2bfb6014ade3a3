import { describe, expect, it } from 'vitest';
import { EnvironmentError } from '../lib/errors.ts';
import { acquireLease, decideLease, holderGoneHere, holderIdentity, LEASE_DURATION_S, leaseObject, microTime, type LeaseObject, type LeaseStore } from './cluster-lease.ts';

const T0 = Date.parse('2025-06-01T12:00:00Z');
const A = { run: 'raaaaa', identity: holderIdentity('raaaaa', 101, 'ci-1') };
const B = { run: 'rbbbbb', identity: holderIdentity('rbbbbb', 202, 'ci-2') };
const heldBy = (identity: string, renewedAt: number, duration = LEASE_DURATION_S): LeaseObject => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'cm-vault-e2e', namespace: 'kube-system', resourceVersion: '7' },
  spec: { holderIdentity: identity, leaseDurationSeconds: duration, acquireTime: microTime(renewedAt - 30_000), renewTime: microTime(renewedAt) },
});

describe('one run at a time on an existing cluster: the Lease decision (issue 29 finding 10)', () => {
  it('creates a Lease where there is none', () => {
    expect(decideLease(undefined, A.identity, T0)).toEqual({ act: 'create' });
  });

  it("refuses one another run renewed within its duration, saying when it was renewed and when it expires", () => {
    expect(decideLease(heldBy(B.identity, T0 - 5_000), A.identity, T0)).toEqual({ act: 'refuse', holder: B.identity, renewedSecondsAgo: 5, expiresInSeconds: LEASE_DURATION_S - 5 });
    // the last instant before expiry still belongs to the holder
    expect(decideLease(heldBy(B.identity, T0 - LEASE_DURATION_S * 1000 + 1), A.identity, T0).act).toBe('refuse');
  });

  it("takes over at once a Lease whose runner was killed on this host, however recently it renewed; never another host's", () => {
    const gone = (holder: string) => holderGoneHere(holder, 'ci-2', (pid) => pid === 202);
    expect(decideLease(heldBy(B.identity, T0 - 5_000), A.identity, T0, gone).act).toBe('refuse');
    const killed = holderIdentity('rbbbbb', 303, 'ci-2');
    expect(decideLease(heldBy(killed, T0 - 5_000), A.identity, T0, gone)).toEqual({ act: 'take-over', from: killed, gone: true });
    // a dead pid means nothing on another host: its Lease is refused until it expires
    expect(decideLease(heldBy(holderIdentity('rccccc', 303, 'ci-3'), T0 - 5_000), A.identity, T0, gone).act).toBe('refuse');
    expect(holderGoneHere('someone else (pid 1 on host ci-2)', 'ci-2', () => false)).toBe(false);
  });

  it('takes over a Lease whose holder stopped renewing (expired), one released, or one without a time', () => {
    expect(decideLease(heldBy(B.identity, T0 - (LEASE_DURATION_S + 10) * 1000), A.identity, T0)).toEqual({ act: 'take-over', from: B.identity, expiredSecondsAgo: 10 });
    expect(decideLease({ ...heldBy(B.identity, T0), spec: { holderIdentity: '' } }, A.identity, T0)).toEqual({ act: 'take-over' });
    expect(decideLease({ ...heldBy(B.identity, T0), spec: { holderIdentity: B.identity } }, A.identity, T0)).toEqual({ act: 'take-over', from: B.identity });
  });

  it("honours the holder's own duration, and renews its own", () => {
    expect(decideLease(heldBy(B.identity, T0 - 100_000, 300), A.identity, T0).act).toBe('refuse');
    expect(decideLease(heldBy(A.identity, T0 - 5_000), A.identity, T0)).toEqual({ act: 'renew' });
  });

  it('writes the holder, its run label and MicroTimes; a take-over counts a transition and keeps the resourceVersion it read', () => {
    const fresh = leaseObject(A, T0);
    expect(fresh.spec).toEqual({ holderIdentity: A.identity, leaseDurationSeconds: LEASE_DURATION_S, acquireTime: '2025-06-01T12:00:00.000000Z', renewTime: '2025-06-01T12:00:00.000000Z', leaseTransitions: 0 });
    expect(fresh.metadata?.labels).toMatchObject({ 'io.cm-vault-e2e.run': 'raaaaa', 'app.kubernetes.io/managed-by': 'cm-vault-e2e' });
    const taken = leaseObject(A, T0, heldBy(B.identity, T0 - 600_000));
    expect(taken.metadata?.resourceVersion).toBe('7');
    expect(taken.spec?.leaseTransitions).toBe(1);
    const renewed = leaseObject(A, T0 + 15_000, { ...fresh, metadata: { ...fresh.metadata, resourceVersion: '9' } });
    expect(renewed.spec).toMatchObject({ acquireTime: fresh.spec!.acquireTime, renewTime: microTime(T0 + 15_000), leaseTransitions: 0 });
  });
});

/** An API server's Lease: one object, conditional writes by resourceVersion. */
function fakeStore(initial?: LeaseObject) {
  let lease = initial && structuredClone(initial);
  let version = 100;
  const conflict = (what: string) => Object.assign(new Error(`409 ${what}`), { code: 409 });
  const stamp = (l: LeaseObject) => (lease = { ...structuredClone(l), metadata: { ...l.metadata, resourceVersion: String(++version) } });
  const store: LeaseStore & { get: () => LeaseObject | undefined; set: (l: LeaseObject | undefined) => void } = {
    get: () => lease,
    set: (l) => (lease = l && stamp(l)),
    read: async () => lease && structuredClone(lease),
    create: async (l) => {
      if (lease) throw conflict('exists');
      return stamp(l);
    },
    replace: async (l) => {
      if (!lease) throw Object.assign(new Error('404'), { code: 404 });
      if (l.metadata?.resourceVersion !== lease.metadata?.resourceVersion) throw conflict('changed');
      return stamp(l);
    },
    delete: async (rv) => {
      if (lease && rv !== lease.metadata?.resourceVersion) throw conflict('changed');
      lease = undefined;
    },
  };
  return store;
}

describe('taking, renewing and releasing the Lease', () => {
  const cluster = { server: 'https://byo.example:6443', kubectl: 'kubectl --kubeconfig /k --context byo' };
  const lines: string[] = [];
  const opts = (store: LeaseStore, holder = A, now = () => T0) => ({ store, holder, cluster, now, log: (l: string) => void lines.push(l) });

  it('of two runs starting together, the second is refused with the holder, and how to take over when stale', async () => {
    const store = fakeStore();
    const first = await acquireLease(opts(store, A));
    const second = await acquireLease(opts(store, B, () => T0 + 2_000)).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(EnvironmentError);
    const text = (second as EnvironmentError).format();
    expect(text).toContain(`the cluster at https://byo.example:6443: is in use by ${A.identity}: it holds Lease kube-system/cm-vault-e2e, renewed 2 s ago`);
    expect(text).toContain('kubectl --kubeconfig /k --context byo -n kube-system delete lease cm-vault-e2e');
    expect(store.get()?.spec?.holderIdentity).toBe(A.identity);
    await first.release();
    expect(store.get()).toBeUndefined();
  });

  it('takes over an expired Lease, and its former holder finds out at its next renewal and stops', async () => {
    const store = fakeStore();
    const a = await acquireLease(opts(store, A));
    const lost: string[] = [];
    a.keepRenewing((why) => lost.push(why));
    // A stops renewing (frozen): after the duration B takes over
    const b = await acquireLease(opts(store, B, () => T0 + (LEASE_DURATION_S + 1) * 1000));
    expect(lines.at(-1)).toBe(`lease: took over kube-system/cm-vault-e2e on https://byo.example:6443 from ${A.identity}, expired 1 s ago`);
    await a.renew();
    expect(lost).toEqual([`lease: this run lost Lease kube-system/cm-vault-e2e on https://byo.example:6443: ${B.identity} holds it now; stopping`]);
    expect(a.lost).toBe(`${B.identity} holds it now`);
    // A's release does not delete what B holds
    await a.release();
    expect(store.get()?.spec?.holderIdentity).toBe(B.identity);
    await b.release();
    expect(store.get()).toBeUndefined();
  });

  it('renews over its own version, and a Lease deleted under it (taken over by hand) is lost', async () => {
    const store = fakeStore();
    let now = T0;
    const a = await acquireLease(opts(store, A, () => now));
    now += 15_000;
    await a.renew();
    expect(store.get()?.spec?.renewTime).toBe(microTime(T0 + 15_000));
    expect(a.lost).toBeUndefined();
    store.set(undefined);
    await a.renew();
    expect(a.lost).toMatch(/^it was deleted/);
  });

  it('a run losing the race between its read and its write reads again and is refused', async () => {
    const store = fakeStore();
    const racing: LeaseStore = {
      ...store,
      // B creates it just after A read nothing
      read: async () => {
        const seen = await store.read();
        if (!seen && !store.get()) store.set(leaseObject(B, T0));
        return seen;
      },
    };
    const r = await acquireLease(opts(racing, A)).catch((e: unknown) => e);
    expect(r).toBeInstanceOf(EnvironmentError);
    expect((r as EnvironmentError).problem).toContain(`is in use by ${B.identity}`);
  });
});
