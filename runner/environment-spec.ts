import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import type { CertManagerComponent } from '../certmanager/chart.ts';
import { InputError } from '../lib/errors.ts';
import { RunLedger, type KeptEnvironment } from '../lib/ledger.ts';
import { GO_RUNTIME_TUNED, type GoRuntime } from '../lib/go-runtime.ts';
import { binaryPath } from '../provision/artifacts.ts';
import { cacheLayout } from '../provision/cache.ts';
import type { SourcePolicy } from '../provision/official/policy.ts';
import { groupByEnvironment } from '../scenarios/plan.ts';
import type { ClusterProfile, Placement, Plan, VaultEngine } from '../scenarios/types.ts';
import type { Versions } from '../scenarios/versions.ts';

/** A release under test, standing in for the pinned cert-manager (`run --cert-manager-controller/-image/-chart`). */
export interface CertManagerCandidate {
  /** A controller binary (process cluster). */
  controller?: string;
  /** Images for the kind cluster: a reference or a `docker save` archive per component. */
  images: Partial<Record<CertManagerComponent, string>>;
  /** A chart directory, .tgz or oci:// reference, with its CRDs. */
  chart?: string;
}

/** What the command line resolved, handed down as values: nothing below the CLI reads the process environment. */
export interface RunSettings {
  versions: Versions;
  candidate?: CertManagerCandidate;
  /** Where images come from (official first, or always built). */
  source: SourcePolicy;
  /** Base URL standing in for the upstream release hosts, for what a run provisions first. */
  officialMirror?: string;
  kind?: KindSettings;
  /** The run's ledger (lib/ledger.ts): what environments make is recorded there; default, one for this process. */
  run?: RunLedger;
  /** `run --reuse`: keep each environment after the run, keyed by its spec, and adopt a kept one with the same spec. */
  reuse?: boolean;
  /**
   * Hand a cluster whose environment ended (cert-manager removed, proven clean) to the next environment of the run
   * with the same profile and Kubernetes (runner/cluster-handoff.ts); default true. `run --cluster-per-environment`
   * sets false: every environment starts its own cluster.
   */
  shareClusters?: boolean;
  /** The Go runtime settings of the programs the process cluster runs (lib/go-runtime.ts); default GO_RUNTIME_TUNED. */
  goRuntime?: GoRuntime;
}

export interface KindSettings {
  /** Separates two runs of the same environment on one Docker host (two CI jobs, a developer beside a nightly). */
  instance?: string;
  /** Keep a node that failed to come up, to look inside. */
  keepFailed?: boolean;
  /** The Debian mirror the node images' rootfs is debootstrapped from (default deb.debian.org). */
  debianMirror?: string;
  /** Make shared clusters from node images stocked with what their environments run (kind/images/stocked.ts); default true. */
  stockNodes?: boolean;
}

/** The pinned single-version tools an environment uses. */
export interface Pins {
  helm: string;
  etcd: string;
  kind: string;
}

/**
 * Everything one environment needs, and the same for each of its scenarios: the partition key (scenarios/plan.ts
 * `environmentKey`) names it in `matrix`, `--filter env=`, `--shard`, JUnit, reports and kind instance names.
 */
export interface EnvironmentSpec {
  key: string;
  profile: ClusterProfile;
  /** The Kubernetes the scenarios were written for. */
  kubernetes: string;
  /** The cert-manager the environment starts with: an upgrade's `from`, else the scenarios' version. */
  certManager: string;
  /** The version an upgrade scenario moves to. */
  upgradeTo?: string;
  /** Every Vault its scenarios use, once each. */
  vaults: Array<{ engine: VaultEngine; version: string; placement: Placement }>;
  pins: Pins;
  source: SourcePolicy;
  /** The release under test replaces the pinned cert-manager of `version` only (the scenarios' version: an upgrade's target). */
  candidate?: CertManagerCandidate & { version: string };
  kind: KindSettings;
  /** The scenarios' versions file, for what an environment builds (kind's node image). */
  versions: Versions;
  /** The run's ledger: every process, container, cluster and temp dir the environment makes is recorded there. */
  run: RunLedger;
  /** Keep the environment after the run for a later run with the same spec to adopt (`run --reuse`). */
  reuse: boolean;
  /** The environment variables the Go programs it starts as local processes run with (lib/go-runtime.ts). */
  goRuntime: GoRuntime;
}

export interface EnvironmentGroup {
  spec: EnvironmentSpec;
  plans: Plan[];
}

/** A pinned single-version tool, or the versions file's line to add. */
export function pinned(versions: Versions, name: string): string {
  const p = versions.pinned[name];
  if (!p) throw new InputError({ file: versions.file, field: name }, `no ${name} pinned`, `add \`${name}: { version: vX.Y.Z }\``);
  return p.version;
}

/** The pins an environment uses; `helm` is the installer's Helm (helm4 for Helm 4). */
export function pinsOf(versions: Versions, installer: Plan['certManager']['installer'] = 'helm3'): Pins {
  return { helm: pinned(versions, installer === 'helm4' ? 'helm4' : 'helm'), etcd: pinned(versions, 'etcd'), kind: pinned(versions, 'kind') };
}

/** The plans of one partition (same `environmentKey`) as the spec their environment starts from. */
export function environmentSpec(key: string, plans: Plan[], settings: RunSettings): EnvironmentSpec {
  const first = plans[0];
  if (!first) throw new Error(`environment ${key} has no scenarios`);
  const cm = first.certManager;
  // A Vault is its engine, version and placement; the policy and PKI role are the scenario's, written per scenario.
  const vaults = new Map(plans.map((p) => [`${p.vault.engine}@${p.vault.version}@${p.vault.placement}`, { engine: p.vault.engine, version: p.vault.version, placement: p.vault.placement }]));
  return {
    key,
    profile: first.profile,
    kubernetes: first.cluster.kubernetes,
    certManager: cm.upgrade ? cm.upgrade.from : cm.version,
    ...(cm.upgrade ? { upgradeTo: cm.upgrade.to } : {}),
    vaults: [...vaults.values()],
    pins: pinsOf(settings.versions, cm.installer),
    source: settings.source,
    ...(settings.candidate ? { candidate: { ...settings.candidate, version: cm.version } } : {}),
    kind: settings.kind ?? {},
    versions: settings.versions,
    run: settings.run ?? processLedger(),
    reuse: !!settings.reuse,
    goRuntime: settings.goRuntime ?? GO_RUNTIME_TUNED,
  };
}

let ownLedger: RunLedger | undefined;
/**
 * The ledger of a process that makes environments without the CLI (the e2e suites, bench scripts): one run per
 * process, in the suite cache's runs dir; its file is written only when something is recorded, and goes at exit
 * when everything in it was undone (what is still live stays for the next run to reap).
 */
export function processLedger(): RunLedger {
  if (!ownLedger) {
    const ledger = new RunLedger(cacheLayout().runs, undefined, undefined, process.argv.slice(1).join(' '));
    process.once('exit', () => ledger.closeSync());
    ownLedger = ledger;
  }
  return ownLedger;
}

/** Closes the process ledger if one was made: for test workers, which are stopped without an 'exit' event. */
export async function closeProcessLedger(): Promise<void> {
  await ownLedger?.close();
}

/** The partition of `plans` into environments, each with its spec. */
export function planEnvironments(plans: Plan[], settings: RunSettings): EnvironmentGroup[] {
  return groupByEnvironment(plans).map(({ key, plans: ps }) => ({ spec: environmentSpec(key, ps, settings), plans: ps }));
}

/** The candidate where it replaces `version`, else undefined (the pinned release runs). */
export function candidateFor(spec: EnvironmentSpec, version: string): CertManagerCandidate | undefined {
  return spec.candidate?.version === version ? spec.candidate : undefined;
}

/** The cert-manager controller binary an environment runs at `version`: the candidate's where it applies, else the provisioned one. */
export async function certManagerController(spec: EnvironmentSpec, version: string, layout?: Parameters<typeof binaryPath>[3]): Promise<string> {
  return candidateFor(spec, version)?.controller ?? binaryPath('cert-manager-controller', version, 'cert-manager-controller', layout);
}

/**
 * `run --reuse` at an environment's start: its key (undefined when not reusing, or when it cannot be kept, said
 * through `log`) and the kept environment of that key, claimed for this run (undefined when there is none).
 */
export async function claimKept(spec: EnvironmentSpec, backend: 'local' | 'kind', log: (line: string) => void): Promise<{ keyed?: { name: string; digest: string; summary: string }; kept?: KeptEnvironment }> {
  const reuse = spec.reuse ? reuseKey(spec, backend) : undefined;
  if (!reuse) return {};
  if ('why' in reuse) {
    log(`reuse: ${spec.key} is not kept after the run: ${reuse.why}`);
    return {};
  }
  const kept = await spec.run.adopt(reuse.name);
  if (!kept) log(`reuse: nothing kept for ${reuse.summary}; starting fresh (kept after the run)`);
  return { keyed: reuse, ...(kept ? { kept } : {}) };
}

/**
 * What a kept environment is keyed by (`run --reuse`): everything that shapes the cluster and cert-manager — the
 * backend, the profile's issuer and audiences, Kubernetes, the cert-manager release, the pinned tools and
 * versions file pins, the image source, the process cluster's Go runtime settings and the release under test (each local file of a candidate by path, size
 * and modification time, so one rebuilt in place is a new key) — and nothing that is per scenario (Vaults,
 * issuers). Instead, why, when the environment must not be kept: an upgrade leaves cert-manager at another
 * version than its spec says.
 */
export function reuseKey(spec: EnvironmentSpec, backend: 'local' | 'kind'): { name: string; digest: string; summary: string } | { why: string } {
  if (spec.upgradeTo) return { why: `its scenarios upgrade cert-manager (${spec.certManager} → ${spec.upgradeTo}), so it cannot be handed on as ${spec.certManager}` };
  const p = spec.profile;
  const shape = {
    backend,
    profile: { name: p.name, issuer: p.serviceAccountIssuer, audiences: p.apiAudiences },
    kubernetes: spec.kubernetes,
    certManager: spec.certManager,
    pins: spec.pins,
    pinned: Object.fromEntries(Object.entries(spec.versions.pinned).map(([k, v]) => [k, v?.version]).sort()),
    source: spec.source,
    candidate: spec.candidate ? candidateIdentity(spec.candidate) : null,
    instance: spec.kind.instance ?? null,
    // the process cluster's programs run with them; kind's control plane does not
    goRuntime: backend === 'local' ? spec.goRuntime : null,
  };
  const digest = createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16);
  const summary = `${backend} ${p.name} Kubernetes ${spec.kubernetes} cert-manager ${spec.certManager}${spec.candidate ? ' (candidate)' : ''}`;
  return { name: `${backend}-${digest}`, digest, summary };
}

/** A candidate's paths with what their files are now (size, modification time); references and oci:// charts as written. */
function candidateIdentity(candidate: CertManagerCandidate): unknown {
  const file = (ref: string) => {
    const st = statSync(ref, { throwIfNoEntry: false });
    return st?.isFile() ? { ref, size: st.size, mtimeMs: st.mtimeMs } : ref;
  };
  const images = Object.entries(candidate.images).sort(([a], [b]) => a.localeCompare(b)).map(([component, ref]) => [component, file(ref!)]);
  return { controller: candidate.controller ? file(candidate.controller) : null, images, chart: candidate.chart ? file(candidate.chart) : null };
}
