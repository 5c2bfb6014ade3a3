import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../lib/errors.ts';
import { cacheLayout } from './cache.ts';
import { entryKey, readManifest } from './manifest.ts';

/** A pinned artifact this machine lacks: `pin` (`artifact@version`) is what a report lists as missing. */
export class NotProvisionedError extends EnvironmentError {
  constructor(
    component: string,
    problem: string,
    readonly pin: string,
  ) {
    super(component, problem, `run \`npx cm-vault-e2e provision --only ${pin}\` (or \`npx cm-vault-e2e doctor\` to see everything missing)`);
  }
}

/** The pins behind an error (a NotProvisionedError, or several under an AggregateError or `cause`). */
export function missingPins(err: unknown, depth = 0): string[] {
  if (err instanceof NotProvisionedError) return [err.pin];
  if (!err || typeof err !== 'object' || depth > 4) return [];
  const inner = [...(err instanceof AggregateError ? err.errors : []), (err as { cause?: unknown }).cause];
  return [...new Set(inner.flatMap((e) => missingPins(e, depth + 1)))];
}

/**
 * Where the rest of the suite finds a provisioned program. `artifact` is the recipe name
 * (`kube-control-plane`, `cert-manager-controller`, `vault`, …); `binary` the file in it.
 */
export async function binaryPath(artifact: string, version: string, binary: string, layout = cacheLayout()): Promise<string> {
  const manifest = await readManifest(layout.manifest);
  const entry = manifest.artifacts[entryKey(artifact, version)];
  const found = entry?.binaries.find((b) => b.name === binary);
  if (!found || !existsSync(found.path)) {
    throw new NotProvisionedError(`${binary} ${version}`, 'not provisioned on this machine', `${artifact}@${version}`);
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
    throw new NotProvisionedError(`${artifact} ${version}`, `${file} is missing from the cache`, `${artifact}@${version}`);
  }
  return path;
}
