import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../lib/errors.ts';
import { parseImageFlags } from '../kind/candidate.ts';
import { sourcePolicy, type SourcePolicy } from '../provision/official/policy.ts';
import { MIRROR_ENV } from '../provision/official/sources.ts';
import { DEBIAN_MIRROR_ENV } from '../kind/images/rootfs.ts';
import type { CertManagerCandidate, RunSettings } from '../runner/environment-spec.ts';
import { loadVersions } from '../scenarios/versions.ts';

/** The release-gating flags of `run`. */
export interface CandidateFlags {
  backend: string;
  certManagerController?: string;
  certManagerImage?: string[];
  certManagerChart?: string;
}

const cli = (field: string) => ({ file: 'command line', field });

/** The candidate the flags name, checked (paths exist, images only on kind), or undefined. */
export function candidateOf(flags: CandidateFlags): CertManagerCandidate | undefined {
  const images = flags.certManagerImage ?? [];
  const chart = flags.certManagerChart;
  if (images.length || chart) {
    if (flags.backend !== 'kind') throw new InputError(cli(chart ? '--cert-manager-chart' : '--cert-manager-image'), 'candidate images and charts run in kind clusters', 'add --backend kind (or gate a controller binary with --cert-manager-controller)');
    if (chart && !chart.startsWith('oci://') && !existsSync(chart)) throw new InputError(cli('--cert-manager-chart'), `${chart} does not exist`, 'give a chart directory, a .tgz, or oci://host/path/cert-manager:vX.Y.Z');
  }
  const controller = flags.certManagerController;
  if (controller && !existsSync(controller)) throw new InputError(cli('--cert-manager-controller'), `${controller} does not exist`, 'give the path of a cert-manager controller binary');
  if (!images.length && !chart && !controller) return undefined;
  return {
    images: parseImageFlags(images),
    ...(chart ? { chart: chart.startsWith('oci://') ? chart : resolve(chart) } : {}),
    ...(controller ? { controller: resolve(controller) } : {}),
  };
}

/** Where `provision` and `run` take components from: official releases or builds, and the mirrors standing in. */
export interface SourceSettings {
  source: SourcePolicy;
  /** Base URL standing in for every upstream release host. */
  officialMirror?: string;
  /** The Debian mirror kind's node rootfs is debootstrapped from. */
  debianMirror?: string;
}

export function sourceSettings(env: NodeJS.ProcessEnv = process.env): SourceSettings {
  return {
    source: sourcePolicy(env),
    ...(env[MIRROR_ENV] ? { officialMirror: env[MIRROR_ENV] } : {}),
    ...(env[DEBIAN_MIRROR_ENV] ? { debianMirror: env[DEBIAN_MIRROR_ENV] } : {}),
  };
}

/** The Docker daemon the docker client is pointed at (its own DOCKER_HOST), for doctor's advice. */
export function dockerHost(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.DOCKER_HOST || undefined;
}

/**
 * Everything a run hands down as values: the versions file (`--versions`), the candidate, and the few settings
 * read from the process environment here, at the top, and nowhere below. One more is read where it is used:
 * CM_VAULT_E2E_CACHE, the cache every module finds its artifacts in (provision/cache.ts#cacheRoot), which the e2e
 * suites and scripts set for the CLI processes they start as well.
 */
export function runSettings(o: { versionsFile?: string; candidate?: CertManagerCandidate }, env: NodeJS.ProcessEnv = process.env): RunSettings {
  const { source, officialMirror, debianMirror } = sourceSettings(env);
  return {
    versions: loadVersions(o.versionsFile),
    source,
    ...(officialMirror ? { officialMirror } : {}),
    ...(o.candidate ? { candidate: o.candidate } : {}),
    kind: {
      ...(env.CM_VAULT_E2E_KIND_INSTANCE ? { instance: env.CM_VAULT_E2E_KIND_INSTANCE } : {}),
      keepFailed: !!env.CM_VAULT_E2E_KIND_KEEP_FAILED,
      ...(debianMirror ? { debianMirror } : {}),
    },
    // the older switch for what `run --reuse` does
    ...(env.CM_VAULT_E2E_KIND_KEEP === '1' ? { reuse: true } : {}),
  };
}
