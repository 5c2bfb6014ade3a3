import { cacheLayout } from './cache.ts';
import { dockerStatus, hostCgroupVersion, type DockerStatus } from './docker/docker.ts';
import { duration } from './estimates.ts';
import { footprint, formatFootprint, type Footprint } from './footprint.ts';
import { goVersion } from './go.ts';
import { missingHostPackages } from './host-packages.ts';
import { estimateSeconds, recipeCached } from './provision.ts';
import { entryKey, readManifest, sourceOf, type ArtifactSource } from './manifest.ts';
import type { Recipe } from './recipe.ts';

/** One pinned Kubernetes as the kind backend judges it on this host. */
export interface KubernetesOnHost {
  version: string;
  /** The pinned kind can make a node of it and its kubelet is configured to start on this host. */
  runs: boolean;
  /** Why not, or what makes it run (empty when nothing special). */
  note: string;
}

/**
 * The pinned Kubernetes the kind backend can run on a host of this cgroup version, newest among those it runs: the
 * caller passes kind/host.ts kindSupport, since provisioning sits below the backends and imports none of them.
 */
export type KindSupport = (cgroup: 'v1' | 'v2') => { versions: KubernetesOnHost[]; newest?: string };

export interface ComponentReport {
  name: string;
  version: string;
  present: boolean;
  /** Where the cached binaries came from (the manifest's record), when present. */
  source?: ArtifactSource;
  /** What was downloaded, for an official release. */
  urls?: string[];
  binaries: Array<{ name: string; path?: string; versionOutput?: string }>;
  howToGet: string;
}

export interface DoctorReport {
  cache: string;
  go: string | null;
  components: ComponentReport[];
  docker: DockerStatus | { error: string };
  /** Debian packages the backends need and the host lacks. */
  hostPackages: Array<{ name: string; why: string }>;
  /** The one command that gets everything missing, with its estimate; absent when nothing is. */
  getMissing?: { command: string; seconds: number };
  /** What the suite keeps on disk. */
  footprint: Footprint;
  /** The pinned Kubernetes the kind backend can run here (pinned kind, this host's cgroup version), newest last. */
  kind: { kindVersion: string | null; cgroup: 'v1' | 'v2'; kubernetes: KubernetesOnHost[]; newest: string | null };
}

/** What is on this machine, and exactly how to get what is not. */
export async function doctor(recipes: Recipe[], opts: { docker?: boolean; dockerHost?: string; kind?: { version?: string; support: KindSupport } } = {}): Promise<DoctorReport> {
  const layout = cacheLayout();
  const manifest = await readManifest(layout.manifest);
  const components: ComponentReport[] = [];
  for (const r of recipes) {
    const entry = manifest.artifacts[entryKey(r.name, r.version)];
    const present = await recipeCached(r, entry);
    const howToGet = r.kind === 'unavailable' ? r.advice : `npx cm-vault-e2e provision --only ${entryKey(r.name, r.version)}`;
    components.push({
      name: r.name,
      version: r.version,
      present: r.kind === 'unavailable' ? false : present,
      ...(entry && present ? { source: sourceOf(entry), ...(entry.urls ? { urls: entry.urls } : {}) } : {}),
      binaries: r.binaries.map((b) => {
        const built = entry?.binaries.find((x) => x.name === b.name);
        return { name: b.name, ...(built ? { path: built.path, versionOutput: built.versionOutput.split('\n')[0] } : {}) };
      }),
      howToGet: present ? 'present' : howToGet,
    });
  }
  const go = await goVersion().catch(() => null);
  const docker = opts.docker === false ? { error: 'not checked' } : await dockerStatus(opts.dockerHost ? { dockerHost: opts.dockerHost } : {}).catch((e: Error) => ({ error: e.message }));
  const hostPackages = missingHostPackages(['local', 'kind']).map((p) => ({ name: p.name, why: p.why }));
  const missing = recipes.filter((r) => r.kind !== 'unavailable' && !components.find((c) => c.name === r.name && c.version === r.version)?.present);
  const getMissing = missing.length || hostPackages.length ? { command: 'npx cm-vault-e2e provision --for local,kind', seconds: await estimateSeconds(missing, undefined, layout) } : undefined;
  const cgroup = hostCgroupVersion();
  const support = opts.kind?.support(cgroup) ?? { versions: [] };
  const kind = { kindVersion: opts.kind?.version ?? null, cgroup, kubernetes: support.versions, newest: support.newest ?? null };
  return { cache: layout.root, go, components, docker, hostPackages, ...(getMissing ? { getMissing } : {}), footprint: await footprint(layout), kind };
}

export function formatDoctor(r: DoctorReport): string {
  const lines = [`cache: ${r.cache}`, `go: ${r.go ?? 'MISSING — install Go ≥ 1.24 and put it on PATH'}`, ''];
  for (const c of r.components) {
    const mark = c.present ? 'ok ' : '-- ';
    const detail = c.present ? c.binaries.map((b) => `${b.name}: ${b.versionOutput ?? ''}`).join('; ') : c.howToGet;
    lines.push(`${mark} ${c.name.padEnd(26)} ${c.version.padEnd(9)} ${(c.source ?? '').padEnd(8)} ${detail}`);
  }
  lines.push('');
  for (const p of r.hostPackages) lines.push(`-- host package ${p.name}: ${p.why}`);
  if (r.getMissing) lines.push(`missing: ${r.components.filter((c) => !c.present).length} components${r.hostPackages.length ? ` and ${r.hostPackages.length} host packages` : ''}; one command gets them all (about ${duration(r.getMissing.seconds)}): ${r.getMissing.command}`, '  (`npx cm-vault-e2e run ID…` gets only what those scenarios need)');
  else lines.push('missing: nothing');
  lines.push(`disk: ${formatFootprint(r.footprint)}; \`npx cm-vault-e2e clean --cache\` frees it`, '');
  lines.push(`kind ${r.kind.kindVersion ?? '(unpinned)'} on this cgroup ${r.kind.cgroup} host: newest pinned Kubernetes it runs ${r.kind.newest ?? 'none'}`);
  for (const k of r.kind.kubernetes) if (k.note) lines.push(`  ${k.runs ? 'runs' : 'NOT  '} ${k.version}: ${k.note}`);
  if ('error' in r.docker) lines.push(`docker: ${r.docker.error}`);
  else {
    const d = r.docker;
    lines.push(`docker: client ${d.client.present ? d.client.version : 'missing'}; daemon ${d.daemon.answers ? `answers (${d.daemon.version}, runtime ${d.daemon.runtime})` : 'does not answer'}; privileged containers ${d.privileged.ok ? 'start' : `FAIL (${d.privileged.error})`}; cgroup ${d.cgroup}`);
    for (const a of d.advice) lines.push(`  do: ${a}`);
  }
  return lines.join('\n');
}
