// diagnose's text output: what was read, the class and how sure, the chain as `explain` prints it, the fix.
import { renderExplanation } from '../scenarios/oracle/index.ts';
import type { Diagnosis } from './diagnose.ts';
import { reviewerOf } from './model.ts';

/** What would settle each class when it is one of several: the fact to read, and where. */
const DECIDE: Record<string, (d: Diagnosis) => string> = {
  'apiserver-audience': (d) => `the kube-apiserver log shows "token audiences […] is invalid for the target audiences […]"; \`vault read auth/${d.facts.issuer.mount}/config\` has token_reviewer_jwt_set=false`,
  'reviewer-forbidden': (d) => `\`kubectl auth can-i create tokenreviews --as=system:serviceaccount:${d.facts.issuer.namespace ?? d.facts.clusterResourceNamespace}:${d.facts.issuer.serviceAccount}\` answers no`,
  'vault-mount-path': (d) => `\`vault auth list\` has no ${d.facts.issuer.mount}/`,
  'vault-role-audience': (d) => `\`vault read auth/${d.facts.issuer.mount}/role/${d.facts.issuer.role}\` shows an audience the token lacks`,
  'role-bound-service-account': (d) => `\`vault read auth/${d.facts.issuer.mount}/role/${d.facts.issuer.role}\` is bound to other ServiceAccount names or namespaces`,
  'token-request-forbidden': (d) => `\`kubectl auth can-i create serviceaccounts/token --as=system:serviceaccount:cert-manager:cert-manager -n ${d.facts.issuer.namespace ?? d.facts.clusterResourceNamespace}\` answers no`,
  'jwt-bound-audience': (d) => `\`vault read auth/${d.facts.issuer.mount}/role/${d.facts.issuer.role}\` has bound_audiences the token lacks`,
  'jwt-no-bound-audiences': (d) => `\`vault read auth/${d.facts.issuer.mount}/role/${d.facts.issuer.role}\` has no bound_audiences`,
  'crd-unknown-field': () => 'cert-manager is older than v1.15',
  ready: () => 'the Issuer becomes Ready',
};

function indent(text: string, prefix = '    '): string {
  return text.split('\n').map((l) => prefix + l).join('\n');
}

export function renderDiagnosis(d: Diagnosis, written?: { failure: string; fix?: string; ids: string[] }): string {
  const f = d.facts;
  const i = f.issuer;
  const who = `${i.kind} ${i.namespace ? `${i.namespace}/` : ''}${i.name}`;
  const out: string[] = [`${who}: ${i.ready ? `Ready=${i.ready.status} ${i.ready.reason}` : 'no Ready condition'}`];
  if (d.message !== undefined) out.push(indent(d.message.replaceAll('\\n', '\n')));
  out.push('', 'Facts:');
  out.push(`  Issuer: server ${i.server}, mount auth/${i.mount}, role ${i.role}, ServiceAccount ${i.serviceAccount}, audiences ${i.audiences ? JSON.stringify(i.audiences) : '(not set)'}`);
  out.push(`  cert-manager: ${f.certManager ? `${f.certManager.version} (${f.certManager.source})` : 'unknown'}`);
  out.push(`  cluster: ${f.cluster ? `issuer ${f.cluster.serviceAccountIssuer}, API audiences ${JSON.stringify(f.cluster.apiAudiences)} (${f.cluster.source})` : 'unknown'}`);
  const rb = f.rbac;
  out.push(`  RBAC: cert-manager may create tokens for the ServiceAccount: ${rb.tokenRequest === undefined ? 'unknown' : rb.tokenRequest ? 'yes' : 'NO'}; the ServiceAccount may create tokenreviews: ${rb.authDelegator === undefined ? 'unknown' : rb.authDelegator ? 'yes' : 'NO'}`);
  const v = f.vault;
  const vaultParts: string[] = [];
  if (v.mounts) vaultParts.push(`auth mounts ${Object.entries(v.mounts).map(([m, t]) => `${m}/ (${t})`).join(', ')}`);
  if (v.config?.type === 'kubernetes') vaultParts.push(`config: token_reviewer_jwt ${v.config.tokenReviewerJwtSet ? 'set' : 'not set'}, disable_local_ca_jwt=${v.config.disableLocalCaJwt} (reviewer: ${reviewerOf(v.config)})${v.config.kubernetesHost ? `, kubernetes_host ${v.config.kubernetesHost}` : ''}`);
  if (v.role?.type === 'kubernetes') vaultParts.push(`role: audience ${v.role.audience ? `"${v.role.audience}"` : '(none)'}, bound names ${JSON.stringify(v.role.boundServiceAccountNames)}, namespaces ${JSON.stringify(v.role.boundServiceAccountNamespaces)}, policies ${JSON.stringify(v.role.policies)}`);
  if (v.role?.type === 'jwt') vaultParts.push(`JWT role: bound_audiences ${JSON.stringify(v.role.boundAudiences)}${v.role.boundSubject ? `, bound_subject ${v.role.boundSubject}` : ''}`);
  if (v.inCluster !== undefined) vaultParts.push(v.inCluster ? 'runs in the cluster' : 'runs outside the cluster');
  out.push(`  Vault: ${vaultParts.length ? vaultParts.join('; ') : 'not read (no access): inferred from the message'}`);
  if (v.readAt) out.push(`  Vault read at ${v.readAt.address} (${v.readAt.from}); the Issuer's server is ${v.readAt.issuerServer}`);
  for (const n of f.notes) out.push(`  note: ${n}`);
  out.push('');
  // Beside the diagnosis, whatever it is: cert-manager talks to the Issuer's Vault, diagnose read another one.
  if (v.readAt?.mismatch) out.push(`Finding: ${v.readAt.mismatch}`, '');
  for (const finding of f.findings ?? []) out.push(`Finding: ${finding}`, '');

  const c = d.chosen;
  if (!c) {
    out.push(
      'Diagnosis: unexplained — no setup the oracle knows produces this message.',
      '  It is not one of the audience or permission failures diagnose knows (TLS, DNS, an unreachable or sealed Vault, a missing role or policy look different);',
      '  the message itself names the component that refused.',
      // a review-host mismatch answers the client exactly like an audience refusal: the finding is the lead
      ...(f.findings?.length ? ['  The Finding above fails every login this way whatever else is set: fix it first.'] : []),
    );
    return out.join('\n');
  }
  const sure = {
    certain: 'certain: every setup consistent with the facts fails this way',
    likely: 'likely: the most ordinary of the setups consistent with the facts',
    ambiguous: 'ambiguous: other setups consistent with the facts are as ordinary',
    unexplained: '',
  }[d.confidence];
  out.push(`Diagnosis: ${c.outcome} (${sure})`);
  if (d.message !== undefined) out.push(`  the oracle's text ${d.exactText ? 'equals the message exactly' : 'says the same refusal (the same component, code and error)'}`);
  if (c.assumptions.length) out.push('  assumed (not read):', ...c.assumptions.map((a) => `    - ${a}`));
  if (d.alternatives.length) {
    out.push('  also consistent with the facts:');
    for (const a of d.alternatives) {
      const differs = a.assumptions.filter((x) => !c.assumptions.includes(x));
      out.push(`    - ${a.outcome}${differs.length ? ` if ${differs.join('; ')}` : ''} — settle it: ${DECIDE[a.outcome]?.(d) ?? 'read the missing facts'}`);
    }
  }
  out.push('', 'Chain (the oracle, with these facts):', '');
  const labelled = { ...c.plan, id: who, description: 'as diagnosed' };
  out.push(renderExplanation(labelled, c.prediction));

  if (d.fixes) {
    out.push('');
    d.fixes.steps.forEach((s, k) => {
      out.push(`${k === 0 ? 'Smallest fix' : `Then (${s.failure} comes next)`}: ${s.fix.title}`, indent(s.fix.change), `  trade-off: ${s.fix.tradeoff}`);
      for (const a of s.alternatives) out.push(`  or: ${a.title}`, indent(a.change, '      '), `      trade-off: ${a.tradeoff}`);
    });
    out.push(d.fixes.ready ? `  after ${d.fixes.steps.length === 1 ? 'it' : 'them'} the oracle predicts: ready` : '  the oracle still does not predict Ready after these fixes: more than diagnose can repair');
  }
  if (written) {
    out.push('', 'Scenarios (load with the catalogue schema, agree with the oracle):', `  ${written.failure}${written.fix ? `\n  ${written.fix}` : ''}`, `  prove them: npx cm-vault-e2e run --scenarios ${written.failure.replace(/\/[^/]+$/, '')} --filter 'id=${written.ids.join('|')}'`);
  }
  return out.join('\n');
}
