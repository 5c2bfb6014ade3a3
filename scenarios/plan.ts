import { createHash } from 'node:crypto';
import type { ClusterProfile, Plan, Scenario } from './types.ts';
import { loadScenarios, scenarioFiles } from './load.ts';
import { CATALOGUE_DIR } from './paths.ts';
import { CUSTOM_PROFILE, customProfile, loadProfiles } from './profiles.ts';
import { loadVersions, VERSIONS_FILE, type Versions } from './versions.ts';

export { filterPlans, FILTER_HELP, FILTER_KEYS } from './filter.ts';

export interface LoadOptions {
  /** Extra scenario directories (or files), added to the shipped catalogue. */
  dirs?: string[];
  /** Load only these files, without the shipped catalogue (for `explain FILE`). */
  files?: string[];
  versionsFile?: string;
  /** Cluster profiles directory (default: scenarios/profiles). */
  profilesDir?: string;
  /** Leave out the shipped catalogue (tests). */
  catalogue?: boolean;
}

/** Load the shipped catalogue plus `dirs`, validated, defaults filled, profiles resolved. */
export function loadPlans(options: LoadOptions = {}): Plan[] {
  const versions = loadVersions(options.versionsFile ?? VERSIONS_FILE);
  const profiles = loadProfiles(options.profilesDir);
  const files = options.files ?? [...(options.catalogue === false ? [] : scenarioFiles(CATALOGUE_DIR)), ...(options.dirs ?? []).flatMap(scenarioFiles)];
  return loadScenarios(files, { versions, profiles }).map((s) => toPlan(s, profiles, versions));
}

export function toPlan(scenario: Scenario, profiles: ReadonlyMap<string, ClusterProfile>, versions: Versions): Plan {
  const c = scenario.cluster;
  const profile = c.profile === CUSTOM_PROFILE ? customProfile(c.serviceAccountIssuer ?? '', c.apiAudiences) : profiles.get(c.profile);
  if (!profile) throw new Error(`profile ${c.profile} vanished after validation`);
  return { ...scenario, profile, environmentKey: environmentKey(scenario, profile), ci: inCiScope(scenario, versions) };
}

/** The pinned version of each versioned component a scenario runs (an upgrade needs both of its versions). */
export function versionsNeeded(s: Pick<Scenario, 'cluster' | 'certManager' | 'vault'>): { kubernetes: string[]; certManager: string[]; vault: string[]; openbao: string[] } {
  const cm = s.certManager.upgrade ? [s.certManager.upgrade.from, s.certManager.upgrade.to] : [s.certManager.version];
  return {
    kubernetes: [s.cluster.kubernetes],
    certManager: [...new Set(cm)],
    vault: s.vault.engine === 'vault' ? [s.vault.version] : [],
    openbao: s.vault.engine === 'openbao' ? [s.vault.version] : [],
  };
}

/**
 * In CI's set: every version it needs is in its component's `ci` list, and cert-manager is installed by the default
 * installer (versions.yaml certManager.installer): the other Helm is another build a cold CI would pay for.
 */
function inCiScope(s: Scenario, versions: Versions): boolean {
  const needed = versionsNeeded(s);
  if (s.certManager.installer !== versions.certManagerInstaller) return false;
  return (Object.keys(needed) as Array<keyof typeof needed>).every((c) => needed[c].every((v) => versions[c].ci.includes(v)));
}

/**
 * The partition key: scenarios with the same key share one environment — a cluster (profile and its audiences,
 * Kubernetes) with one cert-manager; Vault engines, versions and placements differ freely inside it (each Vault
 * starts once beside the cluster). An upgrade changes its cluster, so each upgrade scenario has its own.
 * Short and readable, as `matrix`, `--filter env=`, `--shard`, JUnit, reports and kind instance names show it.
 */
export function environmentKey(s: Scenario, profile: ClusterProfile): string {
  const audiences = createHash('sha256').update(JSON.stringify([profile.serviceAccountIssuer, profile.apiAudiences])).digest('hex').slice(0, 8);
  // another installer is another environment; keys name it only when it is not Helm 4, the shipped default
  const installer = s.certManager.installer === 'helm4' ? '' : `-${s.certManager.installer}`;
  const cm = s.certManager.upgrade ? `cm-${s.certManager.upgrade.from}-to-${s.certManager.upgrade.to}${installer}/${s.id}` : `cm-${s.certManager.version}${installer}`;
  return [`${profile.name}@${audiences}`, `k8s-${s.cluster.kubernetes}`, cm].join('/');
}

/**
 * The cluster part of an environment key (profile with its audiences, Kubernetes): a run's environments that share
 * it run on one cluster, handed on from one to the next (runner/cluster-handoff.ts).
 */
export const clusterOfEnvironment = (environmentKey: string): string => environmentKey.split('/').slice(0, 2).join('/');

/** Plans by environment key, in first-seen order. */
export function groupByEnvironment(plans: Plan[]): Array<{ key: string; plans: Plan[] }> {
  const groups = new Map<string, Plan[]>();
  for (const p of plans) groups.set(p.environmentKey, [...(groups.get(p.environmentKey) ?? []), p]);
  return [...groups].map(([key, ps]) => ({ key, plans: ps }));
}

/** The root program's `--scenarios` and `--versions`, as every command reads them. */
export interface GlobalOptions {
  scenarios?: string[];
  versions?: string;
}

export function loadPlansFor(globals: GlobalOptions): Plan[] {
  return loadPlans({ dirs: globals.scenarios ?? [], ...(globals.versions ? { versionsFile: globals.versions } : {}) });
}
