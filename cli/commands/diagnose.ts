import type { Command } from 'commander';
import { resolve } from 'node:path';
import { diagnose, writeScenarios } from '../../diagnose/diagnose.ts';
import { liveFacts, type LiveOptions } from '../../diagnose/live.ts';
import { offlineFacts, type OfflineOptions } from '../../diagnose/offline.ts';
import { renderDiagnosis } from '../../diagnose/render.ts';
import { InputError } from '../../lib/errors.ts';
import type { GlobalOptions } from '../../scenarios/plan.ts';
import { loadProfiles } from '../../scenarios/profiles.ts';
import { loadVersions, VERSIONS_FILE } from '../../scenarios/versions.ts';

/** Every option of both modes; `gather` refuses the ones of the other mode. */
type DiagnoseOptions = Partial<OfflineOptions> & Partial<LiveOptions> & { out: string; json?: boolean };

const CLI = 'command line';
const LIVE_ONLY = ['issuer', 'clusterIssuer', 'vaultAddr', 'vaultTokenFile', 'vaultCa', 'vaultInsecureHttp', 'certManagerNamespace'] as const;
const OFFLINE_ONLY = ['vaultRole', 'vaultAuthConfig', 'vaultAuthList', 'profile', 'serviceAccountIssuer', 'apiAudiences', 'vaultInCluster'] as const;
const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export function registerDiagnose(program: Command): void {
  program
    .command('diagnose')
    .description("from a failing Vault Issuer to its cause, the smallest fix and two scenarios reproducing it (offline from pasted files, or live: changes nothing; creates only SubjectAccessReviews and TokenRequests, which the API server does not store)")
    .option('--issuer-file <file>', '`kubectl get issuer NAME -n NS -o yaml` output (live: the Issuer the API server refused, with --message)')
    .option('--vault-role <file>', 'offline: `vault read -format=json auth/<mount>/role/<role>`')
    .option('--vault-auth-config <file>', 'offline: `vault read -format=json auth/<mount>/config`')
    .option('--vault-auth-list <file>', 'offline: `vault auth list -format=json`')
    .option('--profile <name>', 'offline: the cluster is like this profile (scenarios/profiles)')
    .option('--service-account-issuer <url>', "offline: the cluster's ServiceAccount issuer")
    .option('--api-audiences <a,b>', "offline: the API server's audiences, in order (default: the issuer)")
    .option('--cert-manager-version <vX.Y.Z>', "cert-manager's version (its controller image tag; live: when no Deployment says it)")
    .option('--vault-in-cluster', 'offline: Vault runs as a pod of this cluster')
    .option('--message <text>', 'the error to explain, when not in the Issuer (e.g. the API server refusing the Issuer)')
    .option('--cluster-resource-namespace <ns>', "cert-manager's --cluster-resource-namespace (default cert-manager)")
    .option('--kubeconfig <file>', 'live: the cluster (its current context)')
    .option('--issuer <ns/name>', 'live: the Issuer to diagnose')
    .option('--cluster-issuer <name>', 'live: the ClusterIssuer to diagnose')
    .option('--vault-addr <url>', "live: Vault's address as you reach it (else VAULT_ADDR); the token goes nowhere else, never to the Issuer's spec.vault.server; without one Vault is not read")
    .option('--vault-token-file <file>', 'live: a Vault token that may read sys/auth and the auth mount (else VAULT_TOKEN); never pass it on the command line')
    .option('--vault-ca <file>', "live: the CA of Vault's listener (default: the system's CAs; the Issuer's caBundle is not trusted with your token)")
    .option('--vault-insecure-http', 'live: allow an http:// Vault address (a dev Vault, a port-forward on this machine): the token travels in clear')
    .option('--cert-manager-namespace <ns>', "live: where cert-manager runs (default cert-manager)")
    .option('--out <dir>', 'where to write the two scenario files', 'diagnosis')
    .option('--json', 'machine-readable output')
    .action(async (opts: DiagnoseOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as GlobalOptions;
      const versionsFile = globals.versions ?? VERSIONS_FILE;
      const versions = loadVersions(versionsFile);
      const profiles = loadProfiles();
      const facts = await gather(opts, profiles);
      const d = diagnose({ facts, versions, profiles });
      const written = writeScenarios(d, resolve(opts.out), versionsFile);
      if (opts.json) {
        process.stdout.write(
          JSON.stringify(
            {
              issuer: facts.issuer,
              facts: { ...facts, issuer: undefined },
              outcome: d.chosen?.outcome ?? 'unexplained',
              confidence: d.confidence,
              findings: facts.vault.readAt?.mismatch ? [facts.vault.readAt.mismatch] : [],
              exactText: d.exactText,
              assumptions: d.chosen?.assumptions ?? [],
              alternatives: d.alternatives,
              prediction: d.chosen?.prediction,
              fixes: d.fixes?.steps.map((s) => ({ failure: s.failure, fix: { title: s.fix.title, change: s.fix.change, tradeoff: s.fix.tradeoff }, alternatives: s.alternatives.map((a) => ({ title: a.title, change: a.change, tradeoff: a.tradeoff })) })),
              scenarios: written ?? null,
            },
            null,
            2,
          ) + '\n',
        );
      } else {
        process.stdout.write(renderDiagnosis(d, written) + '\n');
      }
      if (!d.chosen) process.exitCode = 1;
    });
}

async function gather(opts: DiagnoseOptions, profiles: ReturnType<typeof loadProfiles>) {
  if (opts.issuerFile && !opts.kubeconfig) {
    const live = LIVE_ONLY.find((k) => opts[k] !== undefined);
    if (live) throw new InputError({ file: CLI, field: flag(live) }, 'is an option of live diagnose', `drop it, or diagnose live: --kubeconfig FILE ${live === 'clusterIssuer' ? '--cluster-issuer NAME' : '--issuer NS/NAME'}`);
    return offlineFacts({ ...opts, issuerFile: opts.issuerFile }, profiles);
  }
  if (opts.kubeconfig) {
    const offline = OFFLINE_ONLY.find((k) => opts[k] !== undefined);
    if (offline) throw new InputError({ file: CLI, field: flag(offline) }, 'is an option of offline diagnose (live reads it from the cluster or Vault)', 'drop it');
    // With --issuer-file, the Issuer is one the API server refused (it does not exist): the rest is read live.
    return liveFacts({ ...opts, kubeconfig: opts.kubeconfig }, { vaultToken: process.env.VAULT_TOKEN, vaultAddr: process.env.VAULT_ADDR });
  }
  throw new InputError({ file: CLI, field: '--issuer-file' }, 'nothing to diagnose', 'offline: --issuer-file issuer.yaml [--vault-role role.json …]; live: --kubeconfig FILE --issuer NS/NAME [--vault-token-file FILE]');
}
