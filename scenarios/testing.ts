// Helpers for the unit tests of scenarios/ and cli/: temporary scenario files and captured CLI runs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testTempDir } from '../lib/test-temp.ts';
import { InputError } from '../lib/errors.ts';
import { loadPlans } from './plan.ts';
import type { Plan } from './types.ts';

/** A fresh directory holding `files` (name -> YAML text), removed when the test file ends. */
export function scenarioDir(files: Record<string, string>): string {
  const dir = testTempDir('cm-vault-e2e-scenarios-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Load only `files` (no shipped catalogue). */
export function loadOnly(files: Record<string, string>, versionsFile?: string): Plan[] {
  return loadPlans({ catalogue: false, dirs: [scenarioDir(files)], ...(versionsFile ? { versionsFile } : {}) });
}

/** The InputError loading `yaml` (as bad.yaml) throws; fails when it loads. */
export function loadError(yaml: string, versionsFile?: string): InputError {
  try {
    loadOnly({ 'bad.yaml': yaml }, versionsFile);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError, but the scenarios loaded');
}

/** A valid scenario; `patch` replaces whole top-level lines by key (e.g. {auth: '{method: jwt, boundAudiences: []}'}). */
export function scenarioYaml(patch: Record<string, string | null> = {}): string {
  const fields: Record<string, string> = {
    id: 'test-scenario',
    description: 'a scenario for tests',
    cluster: '{profile: kind}',
    certManager: '{version: v1.16.5}',
    vault: '{engine: vault, placement: external}',
    auth: '{method: kubernetes, tokenReviewer: reviewer-jwt}',
    issuer: '{kind: Issuer, name: vault-issuer, namespace: team-a, serviceAccount: vault-issuer}',
    expect: '{ready: true}',
  };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete fields[k];
    else fields[k] = v;
  }
  return Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n') + '\n';
}
