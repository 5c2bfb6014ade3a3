import { nominalFacts } from '../facts.ts';
import type { Plan, Prediction } from '../types.ts';
import { goQuoteSlice } from './messages.ts';

export interface ExplanationOptions {
  /** The prediction used nominal facts: say so, and show them. */
  nominal?: boolean;
}

/** The chain behind a prediction, one numbered step per check, each with its upstream source. */
export function renderExplanation(plan: Plan, prediction: Prediction, opts: ExplanationOptions = {}): string {
  const out: string[] = [`${plan.id}: ${plan.description}`, `  ${setup(plan)}`];
  if (opts.nominal) {
    const f = nominalFacts(plan);
    out.push(
      '  Facts are nominal (no running environment): ' +
        `spec.vault.server ${f.vaultServer}, cluster resource namespace ${f.clusterResourceNamespace}, ` +
        `API audiences ${goQuoteSlice(f.apiAudiences)}, ServiceAccount issuer ${f.serviceAccountIssuer}.`,
    );
  }
  out.push('');
  prediction.steps.forEach((s, i) => {
    out.push(`${i + 1}. ${s.step}`, indent(s.detail, '   '), `   source: ${s.source}`);
  });
  out.push('', ...outcome(prediction));
  return out.join('\n');
}

function setup(plan: Plan): string {
  const issuer = plan.issuer.kind === 'Issuer' ? `Issuer ${plan.issuer.namespace}/${plan.issuer.name}` : `ClusterIssuer ${plan.issuer.name}`;
  const cm = plan.certManager.upgrade
    ? `cert-manager ${plan.certManager.upgrade.from} -> ${plan.certManager.upgrade.to}`
    : `cert-manager ${plan.certManager.version}`;
  const auth =
    plan.auth.method === 'kubernetes' ? `kubernetes auth at auth/${plan.auth.mount} (${plan.auth.tokenReviewer})` : `jwt auth at auth/${plan.auth.mount}`;
  return `${cm}, ${plan.vault.engine} ${plan.vault.version} (${plan.vault.placement}), ${issuer} with ServiceAccount ${plan.issuer.serviceAccount}, ${auth}, profile ${plan.profile.name}`;
}

function outcome(p: Prediction): string[] {
  const lines = [`Outcome: ${p.ready ? 'ready' : `not ready (${p.failure ?? 'unknown'})`}`];
  if (p.rejection) lines.push('  rejected by the API server:', indent(p.rejection.message, '    '));
  if (p.issuer) lines.push(`  Issuer Ready=${p.issuer.status}, reason ${p.issuer.reason}, message:`, indent(p.issuer.message, '    '));
  if (p.vault) {
    lines.push(`  Vault answers ${p.vault.status}${p.vault.errors.length ? `: ${p.vault.errors.join('; ')}` : ''}`);
    if (p.vault.logLine) lines.push(`  Vault DEBUG log: ${p.vault.logLine}`);
  }
  if (p.apiserver) lines.push(`  kube-apiserver log: ${p.apiserver.line}`);
  if (p.sign) {
    const cr = p.sign.certificateRequest;
    lines.push(`  CertificateRequest Ready=${cr.status}, reason ${cr.reason}, message:`, indent(cr.message, '    '));
  }
  return lines;
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}
