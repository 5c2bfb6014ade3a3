import { execa } from 'execa';
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeResource, notTempDirOf, OWNER_HOST_LABEL_KEY, OWNER_LABEL_KEY, readKept, readLedgers, resourceKey, RUN_LABEL_KEY, type KeptEnvironment, type LedgerContents, type Resource } from './ledger.ts';
import { isAlive, isSameProcess, observeProcess, ownerState, parseOwnerLabel, type ProcessIdentity } from './run-identity.ts';
import { poll, waiting } from './wait.ts';

/**
 * Reaping: what runs whose owner is gone left behind — found through their ledgers (lib/ledger.ts), through the
 * run and owner labels on Docker containers, and through temp dirs named after their run — is removed, one line
 * each. What a live run owns and what a kept environment names is never touched.
 */

export interface DeadRun {
  id: string;
  file: string;
  owner?: ProcessIdentity;
  resources: Resource[];
}

/** A run whose things are left alone, and why (a runner on another host, a ledger too young to judge). */
export interface LeftRun {
  id: string;
  why: string;
}

/**
 * How long a ledger without a readable header must lie untouched before it counts as dead. This suite never
 * writes one (lib/ledger.ts creates each with its header), but a suite before it did, for a moment at each run's
 * start and for good when a reaper removed a live run's ledger under it: such a file may belong to a run still
 * in progress, whose owner nobody can check.
 */
export const HEADERLESS_GRACE_MS = 24 * 3600_000;

export interface PlanOptions {
  self?: string;
  includeLive?: boolean;
  /** This process's host (run-identity hostIdentity); default the real one. */
  host?: string;
  now?: number;
}

/**
 * Which ledgers to reap: those whose owner is gone (or every one but `self` with `includeLive`), minus what a
 * kept environment names. Never one whose owner ran on another host (its pids mean nothing here, not even to
 * `clean --all`), nor one without a readable header that was written in the last HEADERLESS_GRACE_MS. A ledger
 * of a suite before hosts were recorded counts as this host's: it lies in this cache's runs dir.
 */
export function planReap(
  ledgers: Array<LedgerContents & { file: string; id: string; modifiedMs?: number }>,
  keptKeys: Set<string>,
  alive: (owner: ProcessIdentity) => boolean,
  opts: PlanOptions = {},
): { dead: DeadRun[]; live: Array<{ id: string; owner: ProcessIdentity }>; left: LeftRun[] } {
  const dead: DeadRun[] = [];
  const live: Array<{ id: string; owner: ProcessIdentity }> = [];
  const left: LeftRun[] = [];
  const now = opts.now ?? Date.now();
  for (const l of ledgers) {
    if (l.id === opts.self) continue;
    const owner = l.header?.owner;
    if (!owner) {
      const age = now - (l.modifiedMs ?? 0);
      if (age < HEADERLESS_GRACE_MS && !opts.includeLive) {
        left.push({ id: l.id, why: `its ledger has no header, so no owner to check, and was written ${Math.round(age / 60_000)} min ago: reaped once untouched for ${HEADERLESS_GRACE_MS / 3600_000} h (or by \`clean --all\`)` });
        continue;
      }
    } else {
      const state = ownerState(owner, { alive, unknownHost: 'same', ...(opts.host ? { host: opts.host } : {}) });
      if (state === 'foreign') {
        left.push({ id: l.id, why: `its runner (pid ${owner.pid}) ran on another host or container (${owner.host}), whose processes this one cannot see` });
        continue;
      }
      if (state === 'alive' && !opts.includeLive) {
        live.push({ id: l.id, owner });
        continue;
      }
    }
    dead.push({ id: l.id, file: l.file, ...(owner ? { owner } : {}), resources: l.resources.filter((r) => !keptKeys.has(resourceKey(r))) });
  }
  return { dead, live, left };
}

export interface LabelledContainer {
  name: string;
  run: string;
  owner: string;
  /** The owner's host (its own label), absent on what a suite before hosts made. */
  ownerHost?: string;
  /** The kind cluster the container is a node of (kind's own label), if it is one. */
  kindCluster?: string;
}

/**
 * Of the containers carrying a run label that no kept environment names: those to remove — whose owner, on this
 * host, is gone; with `includeLive` also those of a live run recorded in this cache's runs dir (`recorded`) — and
 * those left alone, with why: an owner on another host (whether it runs cannot be told from here), or with
 * `includeLive` a live run this cache did not record (another checkout's). An owner label without a host (a suite
 * before hosts were recorded) counts as this host's only when its run is recorded here. A kind node is never one:
 * its labels are its image's (Docker copies an image's labels onto every container made from it), not a run's, and
 * it goes with its cluster, which a run's ledger names.
 */
export function sortContainers(
  containers: LabelledContainer[],
  keptKeys: Set<string>,
  alive: (owner: ProcessIdentity) => boolean,
  opts: PlanOptions & { recorded?: Set<string> } = {},
): { remove: LabelledContainer[]; left: Array<{ container: LabelledContainer; why: string }> } {
  const remove: LabelledContainer[] = [];
  const left: Array<{ container: LabelledContainer; why: string }> = [];
  for (const c of containers) {
    if (c.kindCluster || !c.run) continue;
    if (c.run === opts.self || keptKeys.has(resourceKey({ kind: 'container', name: c.name }))) continue;
    const recordedHere = !!opts.recorded?.has(c.run);
    const owner = parseOwnerLabel(c.owner, c.ownerHost);
    // an owner label that does not parse names nobody: gone if its run is this cache's, else not ours to judge
    const state = owner ? ownerState(owner, { alive, unknownHost: recordedHere ? 'same' : 'foreign', ...(opts.host ? { host: opts.host } : {}) }) : recordedHere ? 'gone' : 'foreign';
    if (state === 'foreign') left.push({ container: c, why: owner?.host ? `its run's runner (pid ${owner.pid}) runs on another host or container (${owner.host})` : "its owner label names no host and no ledger here records its run: another host's, or another checkout's" });
    else if (state === 'gone') remove.push(c);
    else if (opts.includeLive) {
      if (recordedHere) remove.push(c);
      else left.push({ container: c, why: 'its run is in progress and recorded by no ledger in this cache (another checkout\'s)' });
    }
  }
  return { remove, left };
}

/** Temp dirs named after one of `runs` (`cm-vault-e2e-<run id>-…`). */
export function tempDirsOf(names: string[], runs: Set<string>): string[] {
  return names.filter((n) => {
    const m = /^cm-vault-e2e-(r[0-9a-z]{5})-/.exec(n);
    return !!m && runs.has(m[1]!);
  });
}

/**
 * Undoing one thing; 'gone' when it was no longer there, `{ left }` when what is there is not the run's own (a
 * Helm release someone installed since, a cluster recreated at the same address) and stays, with why.
 */
export type Left = { left: string };
/**
 * How each kind of resource is undone. defaultRemovers undo what any backend leaves on this host (processes,
 * containers, kind's node containers, networks, dirs); what a backend leaves elsewhere is undone by that backend's
 * own, which the CLI hands in (cli/reaping.ts: the existing-cluster backend's Helm release and labelled objects).
 */
export interface Removers {
  killProcess(r: Extract<Resource, { kind: 'process' }>): Promise<'removed' | 'gone'>;
  removeContainer(name: string): Promise<'removed' | 'gone'>;
  deleteKindCluster(name: string, kindVersion: string): Promise<'removed' | 'gone'>;
  removeNetwork(name: string): Promise<'removed' | 'gone' | 'in use'>;
  removeDir(path: string): Promise<'removed' | 'gone'>;
  uninstallHelmRelease(r: Extract<Resource, { kind: 'helm-release' }>): Promise<'removed' | 'gone' | Left>;
  deleteClusterObjects(r: Extract<Resource, { kind: 'cluster-objects' }>): Promise<'removed' | 'gone' | Left>;
}

export interface ReapOptions {
  runsDir: string;
  /** This run: never reaped. */
  self?: string;
  /** `clean --all`: live runs too (those this host can see, recorded in this cache). */
  includeLive?: boolean;
  /** Whether Docker answers (containers, networks and kind clusters are skipped otherwise). */
  docker: boolean;
  removers?: Partial<Removers>;
  /** Containers carrying a run label (default: `docker ps`). */
  listContainers?: () => Promise<LabelledContainer[]>;
  alive?: (owner: ProcessIdentity) => boolean;
  /** This process's host (run-identity hostIdentity); default the real one. */
  host?: string;
  /** The system temp dir, where run temp dirs live (default os.tmpdir()). */
  tmp?: string;
  log: (line: string) => void;
}

export interface ReapResult {
  runs: string[];
  removed: number;
  failures: string[];
  /** Live runs spared, for `clean` to say so. */
  spared: Array<{ id: string; owner: ProcessIdentity }>;
  /** What was left alone on purpose, one line each (also logged): not this run's, or not this host's to judge. */
  left: string[];
}

/**
 * The order things are undone in: processes first (they hold dirs and ports); on a cluster the run did not make,
 * its Helm release before its objects (the release's namespace is one of them); then containers, clusters,
 * networks, dirs.
 */
const ORDER: Resource['kind'][] = ['process', 'helm-release', 'cluster-objects', 'container', 'kind-cluster', 'network', 'dir'];

export async function reap(opts: ReapOptions): Promise<ReapResult> {
  const alive = opts.alive ?? isAlive;
  const removers = { ...defaultRemovers, ...opts.removers };
  const kept = await readKept(opts.runsDir);
  const keptKeys = new Set(kept.flatMap((k) => k.resources.map(resourceKey)));
  const ledgers = await readLedgers(opts.runsDir);
  const { dead, live, left: leftRuns } = planReap(ledgers, keptKeys, alive, opts);
  const result: ReapResult = { runs: dead.map((d) => d.id), removed: 0, failures: [], spared: live, left: [] };
  const deadIds = new Set(dead.map((d) => d.id));
  const leave = (line: string) => {
    result.left.push(line);
    opts.log(`left: ${line}`);
  };
  for (const l of leftRuns) leave(`run ${l.id}: ${l.why}`);

  const undo = (run: string, r: Resource, log = opts.log) => undoOne(r, `run ${run}`, [run], removers, { ...opts, log }, result, 'reaped');

  for (const d of dead) {
    const why = d.owner ? (opts.includeLive && alive(d.owner) ? `its runner pid ${d.owner.pid} still runs (--all)` : `its runner pid ${d.owner.pid} is gone`) : 'it has no owner';
    // the run's heading comes with its first line: a run whose things were all gone already says nothing
    let said = false;
    const log = (line: string) => {
      if (!said) opts.log(`reaping run ${d.id}: ${why}`);
      said = true;
      opts.log(line);
    };
    if (await undoAll(d.resources, (r) => undo(d.id, r, log))) await rm(d.file, { force: true });
  }

  // what the ledgers named is handled; the sweeps below find what they could not name
  const handled = new Set([...keptKeys, ...dead.flatMap((d) => d.resources.map(resourceKey))]);
  if (opts.docker) {
    const containers = await (opts.listContainers ?? labelledContainers)();
    const sorted = sortContainers(containers, handled, alive, { ...opts, recorded: new Set(ledgers.map((l) => l.id)) });
    for (const c of sorted.remove) await undo(c.run, { kind: 'container', name: c.name });
    for (const { container: c, why } of sorted.left) leave(`container ${c.name} of run ${c.run}: ${why}`);
  }

  const tmp = opts.tmp ?? tmpdir();
  for (const n of tempDirsOf(await readdir(tmp).catch(() => [] as string[]), deadIds)) {
    const dir: Resource = { kind: 'dir', path: join(tmp, n) };
    if (!handled.has(resourceKey(dir))) await undo(/-(r[0-9a-z]{5})-/.exec(n)![1]!, dir);
  }
  return result;
}

/** Undoes `resources` in ORDER, newest first within a kind; true when every one is undone. */
async function undoAll(resources: Resource[], undo: (r: Resource) => Promise<boolean>): Promise<boolean> {
  let complete = true;
  for (const kind of ORDER) for (const r of resources.filter((x) => x.kind === kind).reverse()) complete = (await undo(r)) && complete;
  return complete;
}

/**
 * Undoes one thing of `of`, whose temp dirs carry one of `runs`' prefixes; true when it is undone or left on
 * purpose (said, and in result.left), false on a failure (in result.failures: the ledger stays for a next try).
 */
async function undoOne(r: Resource, of: string, runs: string[], removers: Removers, opts: Pick<ReapOptions, 'docker' | 'log' | 'tmp'>, result: { removed: number; failures: string[]; left: string[] }, verb = 'removed'): Promise<boolean> {
  if (!opts.docker && (r.kind === 'container' || r.kind === 'kind-cluster' || r.kind === 'network')) {
    result.failures.push(`${describeResource(r)} of ${of}: Docker does not answer`);
    return false;
  }
  const leave = (why: string) => {
    result.left.push(`${describeResource(r)} of ${of}: ${why}`);
    opts.log(`left: ${describeResource(r)} of ${of}: ${why}`);
    return true;
  };
  if (r.kind === 'dir') {
    const not = notTempDirOf(r.path, r.run ? [r.run] : runs, opts.tmp);
    if (not) return leave(`refused to remove it: ${not}`);
  }
  try {
    const outcome =
      r.kind === 'process' ? await removers.killProcess(r)
      : r.kind === 'container' ? await removers.removeContainer(r.name)
      : r.kind === 'kind-cluster' ? await removers.deleteKindCluster(r.name, r.kindVersion)
      : r.kind === 'network' ? await removers.removeNetwork(r.name)
      : r.kind === 'helm-release' ? await removers.uninstallHelmRelease(r)
      : r.kind === 'cluster-objects' ? await removers.deleteClusterObjects(r)
      : await removers.removeDir(r.path);
    if (typeof outcome === 'object') return leave(outcome.left);
    if (outcome === 'removed') {
      result.removed++;
      opts.log(`${verb}: ${describeResource(r)} of ${of}`);
    } else if (r.kind === 'process') {
      // most often it died with its runner (setpriv --pdeathsig): said, so every recorded process has its line
      opts.log(`${verb}: ${describeResource(r)} of ${of} (already gone)`);
    }
    return true;
  } catch (err) {
    result.failures.push(`${describeResource(r)} of ${of}: ${(err as Error).message}`);
    return false;
  }
}

/** `clean`: every kept environment (or those `which` selects) removed with what it holds. */
export async function discardKept(opts: Omit<ReapOptions, 'self' | 'includeLive' | 'alive' | 'host'> & { which?: (k: KeptEnvironment) => boolean }): Promise<{ discarded: string[]; removed: number; failures: string[]; left: string[] }> {
  const removers = { ...defaultRemovers, ...opts.removers };
  const result = { discarded: [] as string[], removed: 0, failures: [] as string[], left: [] as string[] };
  for (const k of await readKept(opts.runsDir)) {
    if (opts.which && !opts.which(k)) continue;
    const of = `kept environment ${k.name} (${k.summary})`;
    if (await undoAll(k.resources, (r) => undoOne(r, of, [k.keptBy], removers, opts, result))) {
      await rm(k.file, { force: true });
      result.discarded.push(k.name);
    }
  }
  return result;
}

/** The label kind puts on each node container, naming its cluster. */
export const KIND_CLUSTER_LABEL = 'io.x-k8s.kind.cluster';

async function labelledContainers(): Promise<LabelledContainer[]> {
  const listed = await execa('docker', ['ps', '-a', '--filter', `label=${RUN_LABEL_KEY}`, '--format', `{{.Names}}\t{{.Label "${RUN_LABEL_KEY}"}}\t{{.Label "${OWNER_LABEL_KEY}"}}\t{{.Label "${KIND_CLUSTER_LABEL}"}}\t{{.Label "${OWNER_HOST_LABEL_KEY}"}}`], { reject: false, stdin: 'ignore' });
  return (listed.exitCode === 0 ? listed.stdout : '')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'))
    .map(([name, run, owner, kindCluster, ownerHost]) => ({ name: name ?? '', run: run ?? '', owner: owner ?? '', ...(kindCluster ? { kindCluster } : {}), ...(ownerHost ? { ownerHost } : {}) }));
}

const docker = (args: string[]) => execa('docker', args, { reject: false, all: true, stdin: 'ignore', timeout: 120_000 });

export const defaultRemovers: Removers = {
  async killProcess(r) {
    const seen = observeProcess(r.pid);
    if (!isSameProcess(r, seen)) return 'gone';
    try {
      process.kill(r.pid, 'SIGKILL');
    } catch {
      return 'gone';
    }
    // gone before its dir is removed: a dying etcd still writes
    await poll(async () => (isSameProcess(r, observeProcess(r.pid)) ? waiting() : true), { timeoutMs: 5000, intervalMs: 50 });
    return 'removed';
  },
  async removeContainer(name) {
    const r = await docker(['rm', '-f', '-v', name]);
    if (r.exitCode === 0) return 'removed';
    if (/No such container/i.test(r.all ?? '')) return 'gone';
    throw new Error(`docker rm failed: ${(r.all ?? '').trim()}`);
  },
  async deleteKindCluster(name) {
    // kind's own delete needs its binary; its node containers are named <cluster>-<role>
    const nodes = await docker(['ps', '-aq', '--filter', `label=${KIND_CLUSTER_LABEL}=${name}`]);
    const ids = nodes.stdout.split('\n').filter(Boolean);
    if (!ids.length) return 'gone';
    const r = await docker(['rm', '-f', '-v', ...ids]);
    if (r.exitCode !== 0) throw new Error(`docker rm failed: ${(r.all ?? '').trim()}`);
    return 'removed';
  },
  async removeNetwork(name) {
    const users = await docker(['network', 'inspect', '--format', '{{len .Containers}}', name]);
    if (users.exitCode !== 0) return 'gone';
    if (users.stdout.trim() !== '0') return 'in use';
    const r = await docker(['network', 'rm', name]);
    return r.exitCode === 0 ? 'removed' : 'in use';
  },
  async removeDir(path) {
    const existed = await readdir(path).then(() => true, () => false);
    await rm(path, { recursive: true, force: true });
    return existed ? 'removed' : 'gone';
  },
  uninstallHelmRelease: noBackendRemover('helm-release'),
  deleteClusterObjects: noBackendRemover('cluster-objects'),
};

/** A failure (the ledger stays for a caller that has the backend's remover) instead of an import of every backend. */
function noBackendRemover(kind: Resource['kind']): () => Promise<never> {
  return async () => {
    throw new Error(`no remover for a ${kind} was handed in: its backend's is (cli/reaping.ts), so \`npx cm-vault-e2e clean\` removes it`);
  };
}

/**
 * Why a container name is taken, for the error that replaces Docker's raw 409: the run that owns it (from its
 * labels) and whether that run still runs, with the fix.
 */
export async function nameTakenBy(name: string): Promise<{ problem: string; fix: string }> {
  const r = await execa('docker', ['inspect', '--format', `{{index .Config.Labels "${RUN_LABEL_KEY}"}}\t{{index .Config.Labels "${OWNER_LABEL_KEY}"}}\t{{index .Config.Labels "${OWNER_HOST_LABEL_KEY}"}}`, name], { reject: false, stdin: 'ignore' });
  const [run, ownerText, ownerHost] = r.exitCode === 0 ? r.stdout.trim().split('\t') : [];
  const owner = parseOwnerLabel(ownerText, ownerHost || undefined);
  if (!run || !owner) return { problem: `the container name ${name} is taken by a container no run recorded`, fix: `remove it if it is yours: \`docker rm -f ${name}\`` };
  const state = ownerState(owner, { unknownHost: 'same' });
  if (state === 'foreign') return { problem: `the container name ${name} is taken by run ${run} of another host or container (${owner.host}, pid ${owner.pid}), which this one cannot tell in progress or not`, fix: `give this run another CM_VAULT_E2E_KIND_INSTANCE, or once that run is over: \`docker rm -f ${name}\`` };
  if (state === 'alive') return { problem: `the container name ${name} is taken by run ${run}, still in progress (pid ${owner.pid})`, fix: 'wait for that run to end, or give this one another CM_VAULT_E2E_KIND_INSTANCE' };
  return { problem: `the container name ${name} is taken by run ${run}, whose runner (pid ${owner.pid}) is gone`, fix: 'run again (each run first reaps what dead runs left) or `npx cm-vault-e2e clean`' };
}
