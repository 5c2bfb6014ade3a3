/**
 * Which scenarios fit a cluster that exists already, and why the others do not: pure functions of the plan and
 * of what discovery found, so every skip reason names both sides.
 */
import { PROBE_NAMESPACE, REVIEWER_NAMESPACE } from '../lib/names.ts';
import type { Plan, VaultEngine } from '../scenarios/types.ts';
import { normalizeVersion, sameAudiences, versionFromImage, type CertManagerFacts } from './claims.ts';

export interface ClusterFit {
  serviceAccountIssuer: string;
  apiAudiences: string[];
  /** The cluster's own cert-manager; undefined when this run installs one (--install-cert-manager). */
  certManager?: CertManagerFacts;
  /** Namespace -> whether it carries app.kubernetes.io/managed-by=cm-vault-e2e. */
  namespaces: ReadonlyMap<string, boolean>;
  /** --vault-image. */
  vaultImage?: string;
}

export const EXTERNAL_SKIP = "needs a Vault both this host and the cluster's pods reach; not supported on --backend existing";

export function skipReason(plan: Plan, fit: ClusterFit): string | undefined {
  if (plan.vault.placement === 'external') return EXTERNAL_SKIP;
  const p = plan.profile;
  if (p.serviceAccountIssuer !== fit.serviceAccountIssuer || !sameAudiences(p.apiAudiences, fit.apiAudiences)) {
    return `profile ${p.name} wants issuer ${p.serviceAccountIssuer} and API audiences ${list(p.apiAudiences)}; the cluster has issuer ${fit.serviceAccountIssuer} and API audiences ${list(fit.apiAudiences)}`;
  }
  const cm = fit.certManager;
  if (cm) {
    if (plan.certManager.upgrade) return `changes cert-manager ${plan.certManager.upgrade.from} -> ${plan.certManager.upgrade.to}; this backend changes cert-manager only when it installed it (--install-cert-manager on a cluster without one)`;
    if (!cm.version) return `written for cert-manager ${plan.certManager.version}; the version of the cluster's cert-manager (${cm.namespace}/${cm.deployment}, image ${cm.image}) is unknown: no version tag, no app.kubernetes.io/version label`;
    if (normalizeVersion(cm.version) !== normalizeVersion(plan.certManager.version)) return `written for cert-manager ${plan.certManager.version}; the cluster runs ${cm.version} (${cm.namespace}/${cm.deployment})`;
    if (plan.issuer.kind === 'ClusterIssuer') return `a ClusterIssuer's ServiceAccount lives in cert-manager's cluster resource namespace ${cm.clusterResourceNamespace}, which this backend does not write to (it does where it installed cert-manager itself)`;
  }
  const foreign = namespacesOf(plan).filter((ns) => fit.namespaces.get(ns) === false);
  if (foreign.length) return `namespace ${foreign.join(', ')} exists and is not this suite's (no app.kubernetes.io/managed-by=cm-vault-e2e label); this backend writes only into its own namespaces`;
  const image = vaultImageFor(plan.vault.engine, plan.vault.version, fit.vaultImage);
  return 'skip' in image ? image.skip : undefined;
}

/** The namespaces a scenario writes into (besides cert-manager's, for a ClusterIssuer). */
export function namespacesOf(plan: Plan): string[] {
  const out = [vaultNamespace(plan.vault.engine, plan.vault.version)];
  if (plan.issuer.kind === 'Issuer') out.push(plan.issuer.namespace!);
  else out.push(PROBE_NAMESPACE);
  if (plan.auth.method === 'kubernetes' && plan.auth.tokenReviewer === 'reviewer-jwt') out.push(REVIEWER_NAMESPACE);
  return out;
}

export function vaultNamespace(engine: VaultEngine, version: string): string {
  return `vault-${engine}-${version.replace(/[^a-zA-Z0-9]+/g, '-')}`.toLowerCase();
}

/**
 * The official images: Vault's and OpenBao's dev servers need only /bin/sh and the program on PATH. By tag: the
 * user's cluster pulls them, through its own registry rules, for a throwaway dev server holding only the run's
 * own root token; a digest per version could not be read where this is maintained (no registry answers there).
 * Whoever pins by digest passes `--vault-image REF@sha256:…` (vaultImageFor reads the engine and version from it).
 */
export function officialVaultImage(engine: VaultEngine, version: string): string {
  const tag = version.replace(/^v/, '');
  return engine === 'vault' ? `hashicorp/vault:${tag}` : `openbao/openbao:${tag}`;
}

/**
 * `--vault-image`: a template with {engine} and {version} serves every Vault; a plain reference serves the
 * engine its name suggests (openbao/bao, else vault) and the version its tag names (any version when the tag is
 * not one). Without it, the official images.
 */
export function vaultImageFor(engine: VaultEngine, version: string, flag?: string): { ref: string } | { skip: string } {
  if (!flag) return { ref: officialVaultImage(engine, version) };
  if (/\{(engine|version)\}/.test(flag)) return { ref: flag.replaceAll('{engine}', engine).replaceAll('{version}', version) };
  const name = flag.split('@')[0]!.replace(/:[^/:]*$/, '');
  const flagEngine: VaultEngine = /openbao|(^|\/)bao$/.test(name) ? 'openbao' : 'vault';
  const flagVersion = versionFromImage(flag);
  if (flagEngine !== engine || (flagVersion && flagVersion !== normalizeVersion(version))) {
    return { skip: `needs ${engine} ${version}; --vault-image ${flag} is ${flagEngine}${flagVersion ? ` ${flagVersion}` : ''} (give a template like REGISTRY/{engine}:{version} to serve every scenario)` };
  }
  return { ref: flag };
}

const list = (xs: readonly string[]) => `[${xs.join(', ')}]`;
