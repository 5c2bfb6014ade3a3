import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * Who owns what a run made: a short run id, and the runner's process identity. A pid alone is not an identity —
 * the kernel reuses pids — so a process is named by its pid, its start time (`/proc/<pid>/stat` field 22, clock
 * ticks since boot) and the boot it started in (`/proc/sys/kernel/random/boot_id`).
 */
export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks since boot; undefined where /proc is not readable. */
  start?: string;
  /** The kernel's boot id; undefined where /proc is not readable. */
  boot?: string;
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

/** This process. */
export function selfIdentity(): ProcessIdentity {
  const o = observeProcess(process.pid);
  return { pid: process.pid, ...(o?.start ? { start: o.start } : {}), ...(o?.boot ? { boot: o.boot } : {}) };
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

/** `pid:start` — an owner as one Docker label value. */
export function ownerLabel(owner: ProcessIdentity): string {
  return [owner.pid, owner.start ?? '', owner.boot ?? ''].join(':');
}

export function parseOwnerLabel(value: string | undefined): ProcessIdentity | undefined {
  const m = /^(\d+):(\d*):([0-9a-f-]*)$/.exec(value ?? '');
  if (!m) return undefined;
  return { pid: Number(m[1]), ...(m[2] ? { start: m[2] } : {}), ...(m[3] ? { boot: m[3] } : {}) };
}
