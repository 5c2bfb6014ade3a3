import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../lib/errors.ts';
import { parseImageFlags } from '../kind/candidate.ts';
import { sourcePolicy } from '../provision/official/policy.ts';
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

/**
 * Everything a run hands down as values: the versions file (`--versions`), the candidate, and the few settings
 * read from the process environment here, at the top, and nowhere below.
 */
export function runSettings(o: { versionsFile?: string; candidate?: CertManagerCandidate }, env: NodeJS.ProcessEnv = process.env): RunSettings {
  return {
    versions: loadVersions(o.versionsFile),
    source: sourcePolicy(env),
    ...(o.candidate ? { candidate: o.candidate } : {}),
    kind: {
      ...(env.CM_VAULT_E2E_KIND_INSTANCE ? { instance: env.CM_VAULT_E2E_KIND_INSTANCE } : {}),
      keepFailed: !!env.CM_VAULT_E2E_KIND_KEEP_FAILED,
    },
    // the older switch for what `run --reuse` does
    ...(env.CM_VAULT_E2E_KIND_KEEP === '1' ? { reuse: true } : {}),
  };
}
