import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who owns what a run made: a short run id, and the runner's process identity. A pid alone is not an identity —
 * the kernel reuses pids — so a process is named by its pid, its start time (`/proc/<pid>/stat` field 22, clock
 * ticks since boot) and the boot it started in (`/proc/sys/kernel/random/boot_id`).
 *
 * Those three say whether the owner still runs only to a process that sees the owner's pids: CI jobs in
 * separate containers share one kernel (one boot id) and one Docker daemon, yet each has its own pid namespace,
 * where another job's runner pid names nothing or something else. So an owner also carries the host it ran on
 * (`host`, see hostIdentity), and a process of another host leaves its things alone.
 */
export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks since boot; undefined where /proc is not readable. */
  start?: string;
  /** The kernel's boot id; undefined where /proc is not readable. */
  boot?: string;
  /**
   * Where the pid means something (hostIdentity); undefined in what a suite before it recorded, which each reader
   * treats as it documents (ownerState's `unknownHost`).
   */
  host?: string;
}

/** What /proc says of a pid now: its identity and its state letter (R, S, D, Z…). */
export interface ObservedProcess extends ProcessIdentity {
  state: string;
}

/** `r` and five base-36 characters: short enough for kind's 63-character node hostnames, plenty for one machine. */
export const RUN_ID_PATTERN = /^r[0-9a-z]{5}$/;
/** A run id inside a longer name (a temp dir, a kind cluster, a container). */
export const RUN_ID_IN_NAME = /(?:^|-)(r[0-9a-z]{5})(?:-|$)/;

export function newRunId(random: Buffer = randomBytes(8)): string {
  const n = random.readBigUInt64BE() % 36n ** 5n;
  return `r${n.toString(36).padStart(5, '0')}`;
}

/** The fields of a `/proc/<pid>/stat` line after the command name (which may hold spaces and parentheses). */
export function parseStat(text: string): { state: string; start: string } | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text.slice(close + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state); starttime is field 22
  const state = fields[0];
  const start = fields[19];
  return state && start ? { state, start } : undefined;
}

let bootId: string | undefined;
function currentBoot(): string | undefined {
  try {
    return (bootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** What runs under `pid` now, or undefined when nothing does. */
export function observeProcess(pid: number): ObservedProcess | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    if (process.platform === 'linux') return undefined;
    // no /proc: the pid alone says whether something runs
    try {
      process.kill(pid, 0);
      return { pid, state: 'R' };
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM' ? { pid, state: 'R' } : undefined;
    }
  }
  const stat = parseStat(text);
  const boot = currentBoot();
  return { pid, state: stat?.state ?? '?', ...(stat ? { start: stat.start } : {}), ...(boot ? { boot } : {}) };
}

let hostId: string | undefined;
/**
 * The host a pid belongs to, as `<hostname>/<machine id>/<pid namespace>` (a part that cannot be read is `-`):
 * two processes see each other's pids when the pid namespace (`/proc/self/ns/pid`'s inode) is the same; the
 * machine id and hostname set apart machines, whose initial pid namespaces all have one inode, when they share a
 * Docker daemon. A container in the host's pid namespace under another hostname counts as another host: its
 * things are left alone, the safe side.
 */
export function hostIdentity(): string {
  return (hostId ??= [safePart(hostname()), safePart(readOr('/etc/machine-id', readOr('/var/lib/dbus/machine-id', '')).trim().slice(0, 12)), pidNamespace()].join('/'));
}

function pidNamespace(): string {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? '-';
  } catch {
    return '-';
  }
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

// the identity is a Docker label value and a ledger field: nothing unprintable
const safePart = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_') || '-';

/** This process. */
export function selfIdentity(): ProcessIdentity {
  const o = observeProcess(process.pid);
  return { pid: process.pid, ...(o?.start ? { start: o.start } : {}), ...(o?.boot ? { boot: o.boot } : {}), host: hostIdentity() };
}

/**
 * Whether `observed` is still the process `recorded` names: same pid, same boot, same start time, and not a
 * zombie (a killed runner its parent has not reaped yet owns nothing). Where a start time is missing on either
 * side (no /proc), the pid alone decides.
 */
export function isSameProcess(recorded: ProcessIdentity, observed: ObservedProcess | undefined): boolean {
  if (!observed || observed.pid !== recorded.pid) return false;
  if (observed.state === 'Z' || observed.state === 'X') return false;
  if (recorded.boot && observed.boot && recorded.boot !== observed.boot) return false;
  if (recorded.start !== undefined && observed.start !== undefined) return recorded.start === observed.start;
  return true;
}

/** Whether the process `recorded` names still runs. */
export function isAlive(recorded: ProcessIdentity): boolean {
  return isSameProcess(recorded, observeProcess(recorded.pid));
}

/**
 * Whether what `owner` made may be judged here, and how: `foreign` when it ran on another host (its pid means
 * nothing here: leave its things alone, whether it runs or not), else `alive` or `gone`. An owner recorded
 * without a host (by a suite before hosts were recorded) counts as this host's when `unknownHost` says 'same'
 * (a ledger in this cache's runs dir, which the same checkout's runs wrote), else as foreign.
 */
export type OwnerState = 'alive' | 'gone' | 'foreign';
export function ownerState(
  owner: ProcessIdentity,
  o: { host?: string; alive?: (owner: ProcessIdentity) => boolean; unknownHost: 'same' | 'foreign' },
): OwnerState {
  const here = o.host ?? hostIdentity();
  if (owner.host === undefined ? o.unknownHost === 'foreign' : owner.host !== here) return 'foreign';
  return (o.alive ?? isAlive)(owner) ? 'alive' : 'gone';
}

/**
 * `pid:start:boot` — an owner as one Docker label value. Its host goes in a label of its own (lib/ledger.ts
 * ownerLabels): a suite before hosts were recorded reads this one, and takes a value it cannot parse for no
 * owner at all, whose container it removes.
 */
export function ownerLabel(owner: ProcessIdentity): string {
  return [owner.pid, owner.start ?? '', owner.boot ?? ''].join(':');
}

/** An owner label read back, with the host label beside it (none on what a suite before hosts made). */
export function parseOwnerLabel(value: string | undefined, host?: string): ProcessIdentity | undefined {
  const m = /^(\d+):(\d*):([0-9a-f-]*)$/.exec(value ?? '');
  if (!m) return undefined;
  return { pid: Number(m[1]), ...(m[2] ? { start: m[2] } : {}), ...(m[3] ? { boot: m[3] } : {}), ...(host ? { host } : {}) };
}
