import { describe, expect, it } from 'vitest';
import { predict, predictStages } from './index.ts';
import { facts, jwtAuth, KIND_AUDIENCE, plan } from './fixtures.ts';

describe('upgrades', () => {
  it('predict evaluates the version after the upgrade', () => {
    const p = plan({ upgrade: { from: 'v1.19.5', to: 'v1.20.3' }, auth: jwtAuth(['${vault.server}']) });
    expect(p.certManager.version).toBe('v1.20.3');
    expect(predict(p, facts(p)).ready).toBe(true);
  });

  it('predictStages evaluates from, then to: v1.20 starts sending spec.vault.server', () => {
    const p = plan({ upgrade: { from: 'v1.19.5', to: 'v1.20.3' }, auth: jwtAuth(['${vault.server}']) });
    const [before, after] = predictStages(p, facts(p));
    expect(before?.stage).toBe('before');
    expect(before?.prediction.failure).toBe('jwt-bound-audience');
    expect(before?.prediction.tokenAudiences).toEqual(['vault://team-a/vault-issuer']);
    expect(before?.prediction.steps[0]?.source).toContain('cert-manager/cert-manager@v1.19.5 ');
    expect(after?.stage).toBe('after');
    expect(after?.prediction.ready).toBe(true);
    expect(after?.prediction.tokenAudiences).toEqual(['vault://team-a/vault-issuer', 'https://127.0.0.1:8200']);
  });

  it('an upgrade out of v1.14 with audiences: refused before, ready after', () => {
    const p = plan({ upgrade: { from: 'v1.14.7', to: 'v1.15.5' }, issuer: { audiences: [KIND_AUDIENCE] } });
    const stages = predictStages(p, facts(p));
    expect(stages.map((s) => s.prediction.failure)).toEqual(['crd-unknown-field', undefined]);
    expect(stages[1]?.prediction.ready).toBe(true);
  });

  it('a lenient client on v1.14: audiences pruned, the audience error before, and still after the upgrade', () => {
    const p = plan({ upgrade: { from: 'v1.14.7', to: 'v1.15.5' }, issuer: { audiences: [KIND_AUDIENCE], fieldValidation: 'warn' } });
    const [before, after] = predictStages(p, facts(p));
    expect(before?.prediction.rejection).toBeUndefined();
    expect(before?.prediction.failure).toBe('apiserver-audience');
    expect(before?.prediction.steps[0]?.detail).toMatch(/pruned/);
    expect(after?.prediction.failure).toBe('apiserver-audience');
    expect(after?.prediction.tokenAudiences).toEqual(['vault://team-a/vault-issuer']);
    // the same Issuer created strictly after the upgrade keeps its audiences and is ready
    const strict = plan({ certManager: 'v1.15.5', issuer: { audiences: [KIND_AUDIENCE], fieldValidation: 'warn' } });
    expect(predictStages(strict, facts(strict))[0]?.prediction.ready).toBe(true);
  });

  it('an upgrade that changes nothing predicts the same outcome twice', () => {
    const p = plan({ upgrade: { from: 'v1.16.5', to: 'v1.19.5' } });
    const stages = predictStages(p, facts(p));
    expect(stages.map((s) => s.prediction.failure)).toEqual(['apiserver-audience', 'apiserver-audience']);
  });

  it('without an upgrade there is one stage, the plan itself', () => {
    const p = plan({ certManager: 'v1.21.1' });
    const stages = predictStages(p, facts(p));
    expect(stages).toHaveLength(1);
    expect(stages[0]).toEqual({ stage: 'after', prediction: predict(p, facts(p)) });
  });

  it('refuses a malformed version', () => {
    const p = plan({ certManager: '1.16' });
    expect(() => predict(p, facts(p))).toThrow(/vMAJOR.MINOR.PATCH/);
  });
});
