import { dirname } from 'node:path';
import { binaryPath, vaultBinary } from '../provision/artifacts.ts';
import { cacheLayout } from '../provision/cache.ts';
import type { Plan, VaultEngine } from '../scenarios/types.ts';
import type { HeldObjects } from './environment.ts';
import { VAULT_ROLE } from './vault-setup.ts';

/** What `plan` (as it ran: the isolated plan where it was isolated) left in place. */
export function heldObjects(plan: Plan): HeldObjects {
  const { kind, name, namespace } = plan.issuer;
  return {
    scenario: plan.id,
    issuer: { kind, name, ...(kind === 'Issuer' && namespace ? { namespace } : {}) },
    mount: plan.auth.mount,
    role: VAULT_ROLE,
    engine: plan.vault.engine,
    version: plan.vault.version,
  };
}

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
  /** The cluster's Kubernetes version where the suite pinned it (not on an existing cluster). */
  kubernetes?: string;
  /** Lines that read cert-manager's and the API server's side on this backend. */
  inspect: string[];
  vaults: ReproVault[];
  /** How to remove it afterwards. */
  done: string;
  /** The scenario whose objects are still in place, if any. */
  held?: HeldObjects;
}

/**
 * The lines that make the printed `kubectl` commands run as pasted: the process cluster needs no kubectl, so none
 * may be on PATH. The provisioned one of the cluster's version goes first on PATH (kind's node set holds it); where
 * it is not provisioned, a line that fetches it only when the shell has no kubectl of its own.
 */
export async function kubectlLines(kubernetes: string | undefined, layout = cacheLayout()): Promise<string[]> {
  if (!kubernetes) return [];
  const provisioned = await binaryPath('kube-node', kubernetes, 'kubectl', layout).catch(() => undefined);
  if (provisioned) return [`export PATH=${dirname(provisioned)}:$PATH   # kubectl ${kubernetes}, as provisioned`];
  return [`command -v kubectl >/dev/null || { npx cm-vault-e2e provision --only kube-node@${kubernetes} && export PATH=${layout.artifact('kube-node', kubernetes)}:$PATH; }`];
}

/**
 * A log search that exits 0 whether or not it finds anything: "nothing yet" is an answer, not a failed command.
 * `source` is a command whose output is searched, or a file.
 */
export function searchLog(source: { command: string } | { file: string }, pattern: string): string {
  const grep = `grep -n '${pattern}'`;
  return 'file' in source ? `${grep} ${source.file} || echo 'no match in ${source.file}'` : `${source.command} 2>&1 | ${grep} || echo 'no match'`;
}

/**
 * The shell lines that point kubectl and the Vault CLI at a kept environment: paths that run as pasted (the
 * provisioned vault/bao binary, not a bare `vault` that may not be on PATH), secrets only in 0600 files.
 */
export async function reproLines(
  r: Repro,
  cliOf: (engine: VaultEngine, version: string) => Promise<string> = vaultBinary,
  kubectlOf: (kubernetes: string | undefined) => Promise<string[]> = kubectlLines,
): Promise<string[]> {
  const h = r.held;
  const issuer = h ? (h.issuer.namespace ? `kubectl -n ${h.issuer.namespace} describe issuer ${h.issuer.name}` : `kubectl describe clusterissuer ${h.issuer.name}`) : undefined;
  const lines = [
    `# environment ${r.name} (${r.what})`,
    `export KUBECONFIG=${r.kubeconfig}`,
    ...(await kubectlOf(r.kubernetes)),
    'kubectl get issuers,clusterissuers -A -o wide',
    ...(h ? [`# ${h.scenario}: its objects are in place, under the names it ran with`, issuer!] : []),
    ...r.inspect,
  ];
  for (const v of r.vaults) {
    const cli = await cliOf(v.engine, v.version).catch(() => (v.engine === 'vault' ? 'vault' : 'bao'));
    const env = (prefix: string) => `${prefix}_ADDR=${v.address} ${prefix}_CACERT=${v.caFile} ${prefix}_TOKEN=$(cat ${v.tokenFile})`;
    // the held scenario's mount and role, in the Vault it ran against; every other Vault lists its mounts
    const mine = h && h.engine === v.engine && h.version === v.version;
    lines.push(
      `# ${v.engine} ${v.version} (${v.where})`,
      ...(v.reach ?? []),
      `export ${env('VAULT')}${v.engine === 'openbao' ? ` ${env('BAO')}` : ''}`,
      mine ? `${cli} auth list && ${cli} read auth/${h.mount}/config && ${cli} read auth/${h.mount}/role/${h.role}` : `${cli} auth list`,
      searchLog({ command: v.logCommand }, 'login unauthorized'),
    );
  }
  lines.push(`# when done: ${r.done}`);
  return lines;
}
