import { randomBytes } from 'node:crypto';
import { closeSync, constants, linkSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { link, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { newRunId, observeProcess, ownerLabel, selfIdentity, type ProcessIdentity } from './run-identity.ts';
import { PROJECT_LABEL_KEY } from './names.ts';

/**
 * The run ledger: one append-only file per run under the suite cache's runs dir (`run-<id>.jsonl`), naming the
 * run's owner (pid, start time, boot) and every thing the run made that outlives a function call — processes,
 * containers, networks, kind clusters, temp dirs, and on a cluster it did not make, its labelled objects and its
 * Helm release. A thing is recorded BEFORE it is made (a kill between the two leaves a record of something
 * absent, which reaping skips, never something unrecorded) and dropped once undone.
 * The next run reaps what a dead owner's ledger still names (lib/reap.ts).
 *
 * A ledger file never exists without its header: it is written whole under a temporary name and linked into place
 * (never over another), so a reaper never meets a live run's ledger without the owner that keeps it alive. A run
 * whose ledger was removed under it (`clean --all`) writes it again, header and all it still holds, instead of
 * appending to a headerless file a reaper would take for dead.
 *
 * Environments kept on purpose (`run --reuse`, `run --keep` on kind) move into a kept file (`kept-<name>.json`)
 * owned by no process: reaping spares them, `clean` removes them.
 */
export type Resource =
  | ({ kind: 'process'; name: string } & ProcessIdentity)
  | { kind: 'container'; name: string }
  | { kind: 'network'; name: string }
  | { kind: 'kind-cluster'; name: string; kindVersion: string }
  /** `run`: the run whose temp dir prefix names it (a kept environment's dir outlives the run that made it). */
  | { kind: 'dir'; path: string; run?: string }
  | ({ kind: 'cluster-objects'; run: string } & ClusterRef)
  | ({ kind: 'helm-release'; name: string; namespace: string; helmVersion: string } & ReleaseIdentity & ClusterRef);

/**
 * What tells a run's own Helm release from one of the same name installed since (existing/release-identity.ts):
 * the run, and once installed the revision and the uid of its Helm storage Secret.
 */
export interface ReleaseIdentity {
  run?: string;
  revision?: number;
  releaseUid?: string;
}

/** A cluster this suite did not make, as a later process reaches it again: the kubeconfig file and context. */
export interface ClusterRef {
  /** The API server's URL when recorded: reaping refuses a kubeconfig that has since been pointed elsewhere. */
  server: string;
  kubeconfig: string;
  context: string;
  /** The cluster's kube-system namespace uid: reaping refuses a cluster made again at the same URL since. */
  clusterUid?: string;
}

/** A running process as a ledger entry, its start time read now (before its pid can have been reused). */
export function processResource(name: string, pid: number): Resource {
  const seen = observeProcess(pid);
  return { kind: 'process', name, pid, ...(seen?.start ? { start: seen.start } : {}), ...(seen?.boot ? { boot: seen.boot } : {}) };
}

export function resourceKey(r: Resource): string {
  switch (r.kind) {
    case 'process':
      return `process:${r.pid}`;
    case 'dir':
      return `dir:${r.path}`;
    case 'cluster-objects':
      return `cluster-objects:${r.run}@${r.server}`;
    case 'helm-release':
      return `helm-release:${r.namespace}/${r.name}@${r.server}`;
    default:
      return `${r.kind}:${r.name}`;
  }
}

/** One line for a person: `etcd (pid 1234)`, `container cmve-…-vault`, `kind cluster cmve-…`. */
export function describeResource(r: Resource): string {
  switch (r.kind) {
    case 'process':
      return `${r.name} (pid ${r.pid})`;
    case 'dir':
      return `temp dir ${r.path}`;
    case 'kind-cluster':
      return `kind cluster ${r.name}`;
    case 'cluster-objects':
      return `objects labelled ${RUN_LABEL_KEY}=${r.run} on ${r.server}`;
    case 'helm-release':
      return `Helm release ${r.namespace}/${r.name} on ${r.server}`;
    default:
      return `${r.kind} ${r.name}`;
  }
}

export interface LedgerHeader {
  run: string;
  owner: ProcessIdentity;
  startedAt: string;
  command: string;
}

export interface LedgerContents {
  header?: LedgerHeader;
  /** What is made and not yet undone, in the order it was made. */
  resources: Resource[];
}

/** Folds a ledger file's lines; a torn last line (a kill mid-write) and unknown lines are skipped. */
export function parseLedger(text: string): LedgerContents {
  let header: LedgerHeader | undefined;
  const live = new Map<string, Resource>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let entry: { run?: string; owner?: ProcessIdentity; add?: Resource; drop?: string; startedAt?: string; command?: string };
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (entry.run && entry.owner && !header) header = { run: entry.run, owner: entry.owner, startedAt: entry.startedAt ?? '', command: entry.command ?? '' };
    else if (entry.add?.kind) live.set(resourceKey(entry.add), entry.add);
    else if (typeof entry.drop === 'string') live.delete(entry.drop);
  }
  return { ...(header ? { header } : {}), resources: [...live.values()] };
}

export const ledgerFile = (runsDir: string, runId: string) => join(runsDir, `run-${runId}.jsonl`);
export const keptFile = (runsDir: string, name: string) => join(runsDir, `kept-${name}.json`);

/** The Docker labels of whatever a run makes: the project's, the run id, and the owner's identity. */
export const RUN_LABEL_KEY = `${PROJECT_LABEL_KEY}.run`;
export const OWNER_LABEL_KEY = `${PROJECT_LABEL_KEY}.owner`;
export const OWNER_HOST_LABEL_KEY = `${PROJECT_LABEL_KEY}.owner-host`;

/** The owner labels of a container: `pid:start:boot`, and the host where that pid means something. */
export function ownerLabels(owner: ProcessIdentity): Record<string, string> {
  return { [OWNER_LABEL_KEY]: ownerLabel(owner), ...(owner.host ? { [OWNER_HOST_LABEL_KEY]: owner.host } : {}) };
}

/** The prefix of every temp dir a run makes: `cm-vault-e2e-<run id>-<label>-`. */
export const tempDirPrefix = (runId: string, label: string) => `cm-vault-e2e-${runId}-${label.replace(/[^a-zA-Z0-9.-]+/g, '-')}-`;

/**
 * Why `path` is not a temp dir of one of `runs` (undefined when it is): reaping removes a dir recursively, so it
 * takes only a dir directly in the system temp dir whose name carries the run's prefix — never a path a damaged
 * or hand-edited ledger names elsewhere.
 */
export function notTempDirOf(path: string, runs: string[], tmp = tmpdir()): string | undefined {
  const full = resolve(path);
  if (dirname(full) !== resolve(tmp)) return `not directly in the system temp dir ${resolve(tmp)}`;
  const ids = [...new Set(runs)];
  if (!ids.some((run) => basename(full).startsWith(`cm-vault-e2e-${run}-`))) return `its name does not start with ${ids.map((run) => `cm-vault-e2e-${run}-`).join(' or ')}`;
  return undefined;
}

/**
 * Creates `file` holding `text`, whole or not at all, and never over an existing one: written under a temporary
 * name beside it, then linked into place (link fails when the name exists).
 */
function createWhole(file: string, text: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`run ledger ${file} exists already: another run holds this id (remove it only if no run ${basename(file).slice(4, -6)} is in progress)`);
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

export class RunLedger {
  readonly file: string;
  private readonly live = new Map<string, Resource>();
  private header?: LedgerHeader;
  /** Told when the ledger was found removed under this run and written again (default: stderr). */
  onRecreated: (line: string) => void = (line) => process.stderr.write(`${line}\n`);

  constructor(
    readonly runsDir: string,
    readonly id: string = newRunId(),
    readonly owner: ProcessIdentity = selfIdentity(),
    private readonly command = '',
  ) {
    this.file = ledgerFile(runsDir, id);
  }

  /** Docker labels for what this run makes. */
  get labels(): Record<string, string> {
    return { [PROJECT_LABEL_KEY]: 'true', [RUN_LABEL_KEY]: this.id, ...ownerLabels(this.owner) };
  }

  /** Creates the file with its header (once); later calls do nothing. */
  async open(): Promise<this> {
    if (this.header) return this;
    await mkdir(this.runsDir, { recursive: true });
    const header: LedgerHeader = { run: this.id, owner: this.owner, startedAt: new Date().toISOString(), command: this.command };
    createWhole(this.file, `${JSON.stringify(header)}\n`);
    this.header = header;
    return this;
  }

  // synchronous appends: lines from concurrent environments never interleave, and a record is on disk before
  // the thing it names is made. The file is opened without O_CREAT: one removed under this run is written again
  // whole (header, then all still held, which already includes `entry`), never started headerless.
  private append(entry: unknown): void {
    let fd: number;
    try {
      fd = openSync(this.file, constants.O_WRONLY | constants.O_APPEND);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !this.header) throw err;
      this.recreate();
      return;
    }
    try {
      writeSync(fd, `${JSON.stringify(entry)}\n`);
    } finally {
      closeSync(fd);
    }
  }

  private recreate(): void {
    const lines = [{ ...this.header, rewrittenAt: new Date().toISOString() }, ...this.resources.map((add) => ({ add }))];
    createWhole(this.file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    this.onRecreated(`run ${this.id}: its ledger ${this.file} was removed while the run went on (\`clean --all\`?); written again with the ${this.live.size} thing(s) it still holds`);
  }

  async record(r: Resource): Promise<void> {
    await this.open();
    this.live.set(resourceKey(r), r);
    this.append({ add: r });
  }

  async drop(r: Resource): Promise<void> {
    const key = resourceKey(r);
    if (!this.live.delete(key)) return;
    this.append({ drop: key });
  }

  /** What this run made and has not undone. */
  get resources(): Resource[] {
    return [...this.live.values()];
  }

  /**
   * A temp dir named after this run, made by mkdtemp (a fresh name, never a dir someone made there first, mode
   * 0700). Its path is known only once made, so it is recorded just after; the ledger exists before it, so a kill
   * in between leaves a dead run whose prefix reaping's sweep of the temp dir finds.
   */
  async tempDir(label: string): Promise<string> {
    await this.open();
    const path = await mkdtemp(join(tmpdir(), tempDirPrefix(this.id, label)));
    await this.record({ kind: 'dir', path, run: this.id });
    return path;
  }

  async removeDir(path: string): Promise<void> {
    await rm(path, { recursive: true, force: true });
    await this.drop({ kind: 'dir', path });
  }

  /**
   * Hands `resources` over to a kept environment (owned by no process): the kept file is written first, then they
   * leave this ledger, so a kill in between leaves them claimed twice (reaping spares what a kept file names)
   * rather than by nobody. False, and nothing handed over, when one of that name is kept already.
   */
  async keep(kept: Omit<KeptEnvironment, 'keptAt' | 'keptBy'>): Promise<boolean> {
    if (!(await writeKept(this.runsDir, { ...kept, keptAt: new Date().toISOString(), keptBy: this.id }))) return false;
    for (const r of kept.resources) await this.drop(r);
    return true;
  }

  /** Takes a kept environment over (claimed atomically: of two runs, one gets it); undefined when there is none. */
  async adopt(name: string): Promise<KeptEnvironment | undefined> {
    const claimed = join(this.runsDir, `claimed-${this.id}-${name}.json`);
    try {
      await rename(keptFile(this.runsDir, name), claimed);
    } catch {
      return undefined;
    }
    try {
      const kept = JSON.parse(await readFile(claimed, 'utf8')) as KeptEnvironment;
      for (const r of kept.resources) await this.record(r);
      return kept;
    } catch {
      return undefined;
    } finally {
      await rm(claimed, { force: true });
    }
  }

  /** At the run's end: the ledger goes when everything in it was undone or kept; else it stays for reaping. */
  async close(): Promise<Resource[]> {
    this.closeSync();
    return this.resources;
  }

  /** `close` for a process 'exit' handler, which cannot wait for a promise. */
  closeSync(): void {
    if (this.live.size > 0) return;
    rmSync(this.file, { force: true });
    // a later record starts the file again, header first
    this.header = undefined;
  }
}

/** An environment kept on purpose, owned by no process. */
export interface KeptEnvironment {
  /** `<backend>-<spec digest>` for `--reuse`, `keep-<run id>-…` for `--keep`. */
  name: string;
  backend: 'local' | 'kind';
  /** The environment spec's digest, when a later run with the same spec may adopt it. */
  digest?: string;
  /** The spec in words, for `clean` and for "why not reused". */
  summary: string;
  keptAt: string;
  keptBy: string;
  resources: Resource[];
  /** What adopting it needs besides the resources (backend-specific). */
  state?: unknown;
}

/** Written whole or not at all, and never over another (link fails when the name exists). */
async function writeKept(runsDir: string, kept: KeptEnvironment): Promise<boolean> {
  await mkdir(runsDir, { recursive: true });
  const tmp = join(runsDir, `.kept-${kept.name}.${process.pid}.tmp`);
  await writeFile(tmp, JSON.stringify(kept, null, 2), { mode: 0o600 });
  try {
    await link(tmp, keptFile(runsDir, kept.name));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}

/** A ledger file as read: its contents, and when it was last written (how long a headerless one lay untouched). */
export type LedgerFile = LedgerContents & { file: string; id: string; modifiedMs: number };

export async function readLedgers(runsDir: string): Promise<LedgerFile[]> {
  const names = (await readdir(runsDir).catch(() => [] as string[])).filter((f) => /^run-r[0-9a-z]{5}\.jsonl$/.test(f));
  const out: LedgerFile[] = [];
  for (const n of names) {
    const file = join(runsDir, n);
    const [text, info] = await Promise.all([readFile(file, 'utf8').catch(() => undefined), stat(file).catch(() => undefined)]);
    if (text !== undefined && info) out.push({ ...parseLedger(text), file, id: n.slice(4, -6), modifiedMs: info.mtimeMs });
  }
  return out;
}

export async function readKept(runsDir: string): Promise<Array<KeptEnvironment & { file: string }>> {
  const names = (await readdir(runsDir).catch(() => [] as string[])).filter((f) => f.startsWith('kept-') && f.endsWith('.json'));
  const out: Array<KeptEnvironment & { file: string }> = [];
  for (const n of names) {
    const file = join(runsDir, n);
    const kept = await readFile(file, 'utf8').then((t) => JSON.parse(t) as KeptEnvironment, () => undefined);
    if (kept) out.push({ ...kept, file });
  }
  return out;
}
