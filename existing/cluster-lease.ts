/**
 * One run at a time on a cluster it did not make: a coordination.k8s.io Lease, `kube-system/cm-vault-e2e`, held
 * by the run from before its first write until its end, renewed while it lives. A second run finds it held and
 * refuses, naming the holder and how to take over; a Lease whose holder stopped renewing (killed, its host gone)
 * expires and the next run takes it over; a killed run's is also deleted by reaping (it carries the run's label).
 *
 * Why kube-system: it exists on every cluster and the API server refuses to delete it, so the lock never needs a
 * namespace of its own that two runs could race to create or delete; it is where Kubernetes and cert-manager keep
 * their own leader-election Leases. The one object is deleted at the run's end, so nothing stays there.
 *
 * Every write is conditional on the resourceVersion read (create fails on an existing Lease, replace and delete
 * on a changed one): of two runs acting at once exactly one wins, and the loser reads again. The holder's times
 * are its own clock; a skew between hosts beyond the Lease's duration could let a run take over a live one, and
 * that holder then finds its next renewal refused and stops (`onLost`).
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { EnvironmentError } from '../lib/errors.ts';
import type { Kube } from '../lib/kube.ts';
import { statusCode } from '../lib/kube.ts';
import { runLabelled } from './ledger.ts';

export const LEASE_NAMESPACE = 'kube-system';
export const LEASE_NAME = 'cm-vault-e2e';
/** How long a holder that stopped renewing keeps the cluster from the next run. */
export const LEASE_DURATION_S = 60;
/** Renewed this often: three chances before it expires. */
export const RENEW_EVERY_MS = 15_000;

export interface LeaseObject extends KubernetesObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string | Date;
    renewTime?: string | Date;
    leaseTransitions?: number;
  };
}

export type LeaseDecision =
  | { act: 'create' }
  | { act: 'renew' }
  | { act: 'take-over'; from?: string; expiredSecondsAgo?: number; gone?: true }
  | { act: 'refuse'; holder: string; renewedSecondsAgo: number; expiresInSeconds: number };

/** What a run holding identity `me` may do with the Lease as read (undefined: none), at `nowMs`. */
export function decideLease(current: LeaseObject | undefined, me: string, nowMs: number, holderGone: (holder: string) => boolean = () => false): LeaseDecision {
  if (!current) return { act: 'create' };
  const holder = current.spec?.holderIdentity;
  if (!holder) return { act: 'take-over' };
  if (holder === me) return { act: 'renew' };
  // a run killed on this host holds it no more, however recently it renewed: the next run need not wait it out
  if (holderGone(holder)) return { act: 'take-over', from: holder, gone: true };
  const last = Date.parse(String(current.spec?.renewTime ?? current.spec?.acquireTime ?? ''));
  // a Lease without a readable time cannot say it is live
  if (Number.isNaN(last)) return { act: 'take-over', from: holder };
  const expiresAt = last + (current.spec?.leaseDurationSeconds ?? LEASE_DURATION_S) * 1000;
  if (nowMs >= expiresAt) return { act: 'take-over', from: holder, expiredSecondsAgo: Math.round((nowMs - expiresAt) / 1000) };
  return { act: 'refuse', holder, renewedSecondsAgo: Math.max(0, Math.round((nowMs - last) / 1000)), expiresInSeconds: Math.round((expiresAt - nowMs) / 1000) };
}

/** RFC 3339 with microseconds, as the API server's MicroTime wants it. */
export const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** Who holds the Lease: the run and its runner, readable by whoever is refused. */
export interface LeaseHolder {
  run: string;
  /** `cm-vault-e2e run r3k9xa (pid 4242 on host ci-7)`: unique per run, since run ids are. */
  identity: string;
}

export function holderIdentity(run: string, pid: number, host: string): string {
  return `cm-vault-e2e run ${run} (pid ${pid} on host ${host})`;
}

/** Whether `holder` names a runner of host `host` whose process is gone (`alive` says of a pid). */
export function holderGoneHere(holder: string, host: string, alive: (pid: number) => boolean): boolean {
  const m = /^cm-vault-e2e run r[0-9a-z]{5} \(pid (\d+) on host (.+)\)$/.exec(holder);
  return !!m && m[2] === host && !alive(Number(m[1]));
}

/** The Lease as `me` writes it now; over `previous` (its resourceVersion, acquire time and transitions) when there is one. */
export function leaseObject(me: LeaseHolder, nowMs: number, previous?: LeaseObject): LeaseObject {
  const renewing = previous?.spec?.holderIdentity === me.identity;
  const base: LeaseObject = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: LEASE_NAME,
      namespace: LEASE_NAMESPACE,
      ...(previous?.metadata?.resourceVersion ? { resourceVersion: previous.metadata.resourceVersion } : {}),
    },
    spec: {
      holderIdentity: me.identity,
      leaseDurationSeconds: LEASE_DURATION_S,
      acquireTime: renewing ? previous!.spec!.acquireTime! : microTime(nowMs),
      renewTime: microTime(nowMs),
      leaseTransitions: (previous?.spec?.leaseTransitions ?? 0) + (previous && !renewing ? 1 : 0),
    },
  };
  // the run's label: reaping a killed run deletes its Lease with its other objects
  return runLabelled(base, me.run);
}

/** The Lease's reads and conditional writes (the API server in the backend, a fake in tests). */
export interface LeaseStore {
  read(): Promise<LeaseObject | undefined>;
  /** Fails with 409 when one exists. */
  create(l: LeaseObject): Promise<LeaseObject>;
  /** Fails with 409 when it changed since `l.metadata.resourceVersion`, 404 when it is gone. */
  replace(l: LeaseObject): Promise<LeaseObject>;
  /** Deletes it only at `resourceVersion` (409 otherwise). */
  delete(resourceVersion: string): Promise<void>;
}

export function kubeLeaseStore(kube: Kube): LeaseStore {
  const ref = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: LEASE_NAME, namespace: LEASE_NAMESPACE } };
  return {
    read: () => kube.read<LeaseObject>(ref.apiVersion, ref.kind, LEASE_NAME, LEASE_NAMESPACE),
    create: (l) => kube.create(l),
    replace: (l) => kube.objects.replace(l) as Promise<LeaseObject>,
    delete: async (resourceVersion) => {
      await kube.objects.delete(ref, undefined, undefined, undefined, undefined, undefined, { preconditions: { resourceVersion } });
    },
  };
}

export interface LeaseOptions {
  store: LeaseStore;
  holder: LeaseHolder;
  /** For the refusal's advice: the cluster and how to reach it by hand. */
  cluster: { server: string; kubectl: string };
  now?: () => number;
  /** Whether a holder is a run whose runner is gone (killed on this host): its Lease is taken over at once. */
  holderGone?: (holder: string) => boolean;
  log: (line: string) => void;
}

/** Takes the Lease for this run, or throws an EnvironmentError naming its holder and how to take over. */
export async function acquireLease(o: LeaseOptions): Promise<HeldLease> {
  const now = o.now ?? Date.now;
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await o.store.read();
    const d = decideLease(current, o.holder.identity, now(), o.holderGone);
    if (d.act === 'refuse') throw refusal(d, o.cluster);
    try {
      const held = d.act === 'create' ? await o.store.create(leaseObject(o.holder, now())) : await o.store.replace(leaseObject(o.holder, now(), current));
      if (d.act === 'take-over' && d.from) o.log(`lease: took over ${LEASE_NAMESPACE}/${LEASE_NAME} on ${o.cluster.server} from ${d.from}, ${d.gone ? 'whose runner on this host is gone' : `expired ${d.expiredSecondsAgo ?? '?'} s ago`}`);
      return new HeldLease(o, held);
    } catch (err) {
      // another run wrote it between the read and the write: read again
      if (statusCode(err) === 409 || statusCode(err) === 404) continue;
      throw err;
    }
  }
  throw new EnvironmentError(`Lease ${LEASE_NAMESPACE}/${LEASE_NAME} on ${o.cluster.server}`, 'kept changing while this run tried to take it (several runs starting at once?)', 'run again in a minute');
}

function refusal(d: Extract<LeaseDecision, { act: 'refuse' }>, cluster: LeaseOptions['cluster']): EnvironmentError {
  return new EnvironmentError(
    `the cluster at ${cluster.server}`,
    `is in use by ${d.holder}: it holds Lease ${LEASE_NAMESPACE}/${LEASE_NAME}, renewed ${d.renewedSecondsAgo} s ago (expires in ${d.expiresInSeconds} s unless renewed); one run at a time writes to a cluster it did not make`,
    `wait for that run to end and run again. If it is gone (killed, its host lost), its Lease expires ${LEASE_DURATION_S} s after its last renewal and the next run takes it over; to take over now: ${cluster.kubectl} -n ${LEASE_NAMESPACE} delete lease ${LEASE_NAME}`,
  );
}

/** The Lease while this run holds it: renewed every RENEW_EVERY_MS once `keepRenewing` starts it, deleted by `release`. */
export class HeldLease {
  private timer?: ReturnType<typeof setInterval>;
  private renewing?: Promise<void>;
  private lastRenewed: number;
  private lostWhy?: string;
  private onLost: (why: string) => void = () => {};

  constructor(
    private readonly o: LeaseOptions,
    private current: LeaseObject,
  ) {
    this.lastRenewed = (o.now ?? Date.now)();
  }

  /** Why this run no longer holds it (taken over, deleted, not renewed in time), or undefined. */
  get lost(): string | undefined {
    return this.lostWhy;
  }

  keepRenewing(onLost: (why: string) => void): void {
    this.onLost = onLost;
    this.timer = setInterval(() => void this.renew(), RENEW_EVERY_MS);
    // the run's end, not this timer, decides when the process exits
    this.timer.unref();
  }

  /** One renewal (the timer's, or a test's); a renewal already under way is joined. */
  renew(): Promise<void> {
    this.renewing ??= this.renewOnce().finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  private async renewOnce(): Promise<void> {
    if (this.lostWhy) return;
    const now = (this.o.now ?? Date.now)();
    try {
      this.current = await this.o.store.replace(leaseObject(this.o.holder, now, this.current));
      this.lastRenewed = now;
    } catch (err) {
      const code = statusCode(err);
      if (code === 404) return this.lose('it was deleted (`kubectl delete lease`, or `clean --all`)');
      if (code === 409) {
        const seen = await this.o.store.read().catch(() => undefined);
        const holder = seen?.spec?.holderIdentity;
        if (seen && holder === this.o.holder.identity) {
          // changed by someone else but still ours (a label edited): renew over that version next time
          this.current = seen;
          return;
        }
        return this.lose(seen ? `${holder ?? 'no one'} holds it now` : 'it was deleted');
      }
      if (now - this.lastRenewed >= LEASE_DURATION_S * 1000) this.lose(`not renewed for ${LEASE_DURATION_S} s (${(err as Error).message}): another run may take it over`);
    }
  }

  private lose(why: string): void {
    if (this.lostWhy) return;
    this.lostWhy = why;
    clearInterval(this.timer);
    this.onLost(`lease: this run lost Lease ${LEASE_NAMESPACE}/${LEASE_NAME} on ${this.o.cluster.server}: ${why}; stopping`);
  }

  /** Stops renewing and deletes the Lease, unless another run holds it by now. */
  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
    if (this.lostWhy) return;
    this.lostWhy = 'released';
    try {
      await this.o.store.delete(this.current.metadata!.resourceVersion!);
    } catch (err) {
      // 404: gone already; 409: taken over since the last renewal, and not ours to delete
      if (statusCode(err) !== 404 && statusCode(err) !== 409) throw err;
    }
  }
}
