// Which provisioned artifact holds a Helm release and where its binary is: provisioning's knowledge (the recipe
// names the artifact, recipes/tools.ts), used by whoever installs with Helm (certmanager/, local/).
import { binaryPath } from './artifacts.ts';

/** The provisioned artifact holding a Helm release: `helm` for Helm 3, `helm4` for Helm 4 (both ship a `helm` binary). */
export function helmArtifact(version: string): string {
  return /^v4\./.test(version) ? 'helm4' : 'helm';
}

export function isHelm4(version: string): boolean {
  return helmArtifact(version) === 'helm4';
}

/** Path of the provisioned `helm` of this version. */
export function helmBinary(version: string): Promise<string> {
  return binaryPath(helmArtifact(version), version, 'helm');
}
