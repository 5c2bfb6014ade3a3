import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../lib/errors.ts';
import { cacheLayout } from './cache.ts';
import { entryKey, readManifest } from './manifest.ts';

/**
 * Where the rest of the suite finds a provisioned program. `artifact` is the recipe name
 * (`kube-control-plane`, `cert-manager-controller`, `vault`, …); `binary` the file in it.
 */
export async function binaryPath(artifact: string, version: string, binary: string, layout = cacheLayout()): Promise<string> {
  const manifest = await readManifest(layout.manifest);
  const entry = manifest.artifacts[entryKey(artifact, version)];
  const found = entry?.binaries.find((b) => b.name === binary);
  if (!found || !existsSync(found.path)) {
    throw new EnvironmentError(
      `${binary} ${version}`,
      'not provisioned on this machine',
      `run \`npx cm-vault-e2e provision --only ${artifact}@${version}\` (or \`npx cm-vault-e2e doctor\` to see everything missing)`,
    );
  }
  return found.path;
}

/** The server binary of a Vault engine at a version. */
export function vaultBinary(engine: 'vault' | 'openbao', version: string, layout = cacheLayout()): Promise<string> {
  return engine === 'vault' ? binaryPath('vault', version, 'vault', layout) : binaryPath('openbao', version, 'bao', layout);
}

/** A file unpacked next to an artifact's binaries (CRDs, charts). */
export async function artifactFile(artifact: string, version: string, file: string, layout = cacheLayout()): Promise<string> {
  const path = join(layout.artifact(artifact, version), file);
  if (!existsSync(path)) {
    throw new EnvironmentError(`${artifact} ${version}`, `${file} is missing from the cache`, `run \`npx cm-vault-e2e provision --only ${artifact}@${version}\``);
  }
  return path;
}
