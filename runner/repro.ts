import { vaultBinary } from '../provision/artifacts.ts';
import type { VaultEngine } from '../scenarios/types.ts';
import { VAULT_ROLE } from './vault-setup.ts';

/** One Vault of a kept environment, as `--keep` and `--pause-on-failure` show it. */
export interface ReproVault {
  engine: VaultEngine;
  version: string;
  /** Where it runs, in a few words. */
  where: string;
  /** Its address from this host, once `reach` has run. */
  address: string;
  tokenFile: string;
  caFile: string;
  /** A shell command printing its log. */
  logCommand: string;
  /** Lines to run first to reach it (a port-forward). */
  reach?: string[];
}

export interface Repro {
  /** The environment's key (short and readable) and what it is. */
  name: string;
  what: string;
  kubeconfig: string;
  /** Lines that read cert-manager's and the API server's side on this backend. */
  inspect: string[];
  vaults: ReproVault[];
  /** How to remove it afterwards. */
  done: string;
}

/**
 * The shell lines that point kubectl and the Vault CLI at a kept environment: paths that run as pasted (the
 * provisioned vault/bao binary, not a bare `vault` that may not be on PATH), secrets only in 0600 files.
 */
export async function reproLines(r: Repro, cliOf: (engine: VaultEngine, version: string) => Promise<string> = vaultBinary): Promise<string[]> {
  const lines = [`# environment ${r.name} (${r.what})`, `export KUBECONFIG=${r.kubeconfig}`, 'kubectl get issuers,clusterissuers -A -o wide', ...r.inspect];
  for (const v of r.vaults) {
    const cli = await cliOf(v.engine, v.version).catch(() => (v.engine === 'vault' ? 'vault' : 'bao'));
    const env = (prefix: string) => `${prefix}_ADDR=${v.address} ${prefix}_CACERT=${v.caFile} ${prefix}_TOKEN=$(cat ${v.tokenFile})`;
    lines.push(
      `# ${v.engine} ${v.version} (${v.where})`,
      ...(v.reach ?? []),
      `export ${env('VAULT')}${v.engine === 'openbao' ? ` ${env('BAO')}` : ''}`,
      `${cli} auth list && ${cli} read auth/kubernetes/config && ${cli} read auth/kubernetes/role/${VAULT_ROLE}`,
      `${v.logCommand} 2>&1 | grep -n 'login unauthorized'`,
    );
  }
  lines.push(`# when done: ${r.done}`);
  return lines;
}
