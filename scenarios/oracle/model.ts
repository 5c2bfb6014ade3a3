import type { EnvironmentFacts, ExplainStep, FailureClass, Plan } from '../types.ts';
import { resolvePlaceholders } from '../placeholders.ts';
import type { CertManagerVersion } from './version.ts';

/** Everything one evaluation reads: the plan, the facts, and the cert-manager version being evaluated. */
export interface OracleContext {
  plan: Plan;
  facts: EnvironmentFacts;
  certManager: CertManagerVersion;
}

/** Vault's answer to cert-manager's login, with the chain of checks that produced it. */
export interface LoginOutcome {
  status: number;
  errors: string[];
  failure?: FailureClass;
  /** Vault's DEBUG line, when the failure writes one. */
  logLine?: string;
  /** The kube-apiserver error, when the API server rejects the login JWT. */
  apiserverLine?: string;
  steps: ExplainStep[];
}

export function resolve(ctx: OracleContext, value: string): string {
  return resolvePlaceholders(value, ctx.plan, ctx.facts);
}

/** The ServiceAccount namespace: the Issuer's, or the cluster resource namespace for a ClusterIssuer. */
export function resourceNamespace(ctx: OracleContext): string {
  return ctx.plan.issuer.kind === 'Issuer' ? (ctx.plan.issuer.namespace ?? '') : ctx.facts.clusterResourceNamespace;
}

export function intersects(a: readonly string[], b: readonly string[]): boolean {
  return a.some((x) => b.includes(x));
}

export function list(values: readonly string[]): string {
  return values.length ? values.map((v) => `"${v}"`).join(', ') : '(none)';
}
