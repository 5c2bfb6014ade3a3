import { describe, expect, it } from 'vitest';
import { predict, renderExplanation } from './index.ts';
import { facts, jwtAuth, kubernetesAuth, plan } from './fixtures.ts';

const CITATION = /^[\w.-]+\/[\w.-]+@[\w./-]+ \S+#\S/;

describe('renderExplanation', () => {
  const p = plan({ id: 'kind-no-audiences', auth: kubernetesAuth({ tokenReviewer: 'client-jwt' }) });
  const prediction = predict(p, facts(p));

  it('walks token audiences -> role check -> reviewer -> API audiences -> Vault -> Issuer, in order', () => {
    const text = renderExplanation(p, prediction);
    const order = ['token audiences', 'role audience check', 'TokenReview caller', 'API server audiences', 'Vault answer', 'Issuer condition'].map((s) =>
      text.indexOf(`. ${s}\n`),
    );
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('shows a source under every step', () => {
    const text = renderExplanation(p, prediction);
    expect(text.match(/^\d+\. /gm)).toHaveLength(prediction.steps.length);
    expect(text.match(/^ {3}source: /gm)).toHaveLength(prediction.steps.length);
  });

  it('shows the outcome with the exact texts', () => {
    const text = renderExplanation(p, prediction);
    expect(text).toContain('Outcome: not ready (apiserver-audience)');
    expect(text).toContain('    * permission denied');
    expect(text).toContain('kube-apiserver log: token audiences ["vault://team-a/vault-issuer"] is invalid');
    expect(text).toContain('Vault DEBUG log: login unauthorized: err="lookup failed:');
  });

  it('says when facts are nominal, and which', () => {
    expect(renderExplanation(p, prediction)).not.toMatch(/nominal/);
    const text = renderExplanation(p, prediction, { nominal: true });
    expect(text).toMatch(/Facts are nominal \(no running environment\)/);
    expect(text).toContain('spec.vault.server https://127.0.0.1:8200');
  });

  it('renders a CRD rejection', () => {
    const q = plan({ certManager: 'v1.14.7', issuer: { audiences: ['a'] } });
    const text = renderExplanation(q, predict(q, facts(q)));
    expect(text).toContain('rejected by the API server:');
    expect(text).not.toContain('Issuer Ready=');
  });

  it('renders a ready JWT scenario', () => {
    const q = plan({ auth: jwtAuth(['vault://team-a/vault-issuer']) });
    const text = renderExplanation(q, predict(q, facts(q)));
    expect(text).toContain('jwt auth at auth/jwt');
    expect(text).toContain('Outcome: ready');
    expect(text).toContain('Issuer Ready=True, reason VaultVerified');
  });
});

describe('citations', () => {
  const plans = [
    plan(),
    plan({ issuer: { audiences: ['https://kubernetes.default.svc.cluster.local'], authDelegator: false } }),
    plan({ certManager: 'v1.14.7', issuer: { audiences: ['a'] } }),
    plan({ issuer: { kind: 'ClusterIssuer', tokenRequestRole: false } }),
    plan({ placement: 'in-cluster', auth: kubernetesAuth({ tokenReviewer: 'local-token', roleAudience: 'vault://team-a/vault-issuer' }) }),
    plan({ auth: kubernetesAuth({ tokenReviewer: 'reviewer-jwt', roleAudience: 'x' }) }),
    plan({ auth: jwtAuth([]) }),
    plan({ auth: jwtAuth(['x']) }),
    plan({ engine: 'openbao', certManager: 'v1.19.5', auth: jwtAuth([]) }),
  ];

  it.each(plans.map((q, i) => [i, q] as const))('every step of plan %i cites repo@tag path#symbol', (_, q) => {
    for (const step of predict(q, facts(q)).steps) {
      for (const source of step.source.split('; ')) expect(source).toMatch(CITATION);
    }
  });

  it('cites the cert-manager tag that is evaluated', () => {
    const q = plan({ certManager: 'v1.21.1' });
    const tokenStep = predict(q, facts(q)).steps.find((s) => s.step === 'token audiences');
    expect(tokenStep?.source).toBe('cert-manager/cert-manager@v1.21.1 internal/vault/vault.go#requestTokenWithKubernetesAuth');
  });
});
