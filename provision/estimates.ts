import { readFile, writeFile, rename } from 'node:fs/promises';
import type { Recipe } from './recipe.ts';

/**
 * Seconds a cold build of each artifact takes on a 2-core machine with another build beside it, as measured by
 * a cold `provision` (docs/provisioning.md): the estimate until this machine has built the artifact itself.
 */
const COLD_SECONDS: Record<string, number> = {
  'kube-control-plane': 590,
  'kube-node': 120,
  etcd: 100,
  'cert-manager-controller': 280,
  vault: 750,
  openbao: 10,
  helm: 120,
  kind: 60,
  coredns: 160,
  crictl: 50,
  // narrowed to what the process cluster runs (provision/needs.ts forSets)
  'kube-control-plane[kube-apiserver]': 420,
  'cert-manager-controller[cert-manager-controller]': 170,
};
const UNKNOWN_SECONDS = 120;

type Timed = Pick<Recipe, 'name' | 'version'> & { part?: string };
/** A narrowed recipe's timings are its own: `kube-control-plane[kube-apiserver]`. */
const timedName = (r: Timed) => (r.part ? `${r.name}[${r.part}]` : r.name);

interface Timing {
  seconds: number;
  at: string;
}

/** How long each artifact took the last time this machine obtained it: the estimates cold runs print. */
export class Timings {
  private constructor(
    private readonly file: string,
    private readonly byKey: Record<string, Timing>,
  ) {}

  static async load(file: string): Promise<Timings> {
    const text = await readFile(file, 'utf8').catch(() => '{}');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = {};
    }
    return new Timings(file, parsed && typeof parsed === 'object' ? (parsed as Record<string, Timing>) : {});
  }

  /** The last time here for this version, else for another version of it, else the documented cold figure. */
  estimate(recipe: Timed): { seconds: number; from: 'this machine' | 'docs' } {
    const name = timedName(recipe);
    const exact = this.byKey[`${name}@${recipe.version}`];
    if (exact) return { seconds: exact.seconds, from: 'this machine' };
    const sibling = Object.entries(this.byKey)
      .filter(([k]) => k.startsWith(`${name}@`))
      .sort(([, a], [, b]) => b.at.localeCompare(a.at))[0];
    if (sibling) return { seconds: sibling[1].seconds, from: 'this machine' };
    return { seconds: COLD_SECONDS[name] ?? UNKNOWN_SECONDS, from: 'docs' };
  }

  async record(recipe: Timed, seconds: number): Promise<void> {
    this.byKey[`${timedName(recipe)}@${recipe.version}`] = { seconds, at: new Date().toISOString() };
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(this.byKey, null, 2) + '\n');
    await rename(tmp, this.file);
  }
}

/** Longest first, so the long poles start at once and the short ones fill the lanes (LPT scheduling). */
export function longestFirst<T>(items: T[], seconds: (item: T) => number): T[] {
  return [...items].sort((a, b) => seconds(b) - seconds(a));
}

/** Wall time of `durations` run longest first on `lanes` parallel lanes. */
export function makespan(durations: number[], lanes: number): number {
  const free = Array.from({ length: Math.max(1, lanes) }, () => 0);
  for (const d of [...durations].sort((a, b) => b - a)) {
    free.sort((a, b) => a - b);
    free[0]! += d;
  }
  return Math.max(0, ...free);
}

/** `95 s`, `4 min 5 s`, `1 h 2 min`. */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
