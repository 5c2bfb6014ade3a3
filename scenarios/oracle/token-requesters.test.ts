import { describe, expect, it } from 'vitest';
import { predict, predictStages } from './index.ts';
import { facts, KIND_AUDIENCE, plan } from './fixtures.ts';

const CM = 'system:serviceaccount:cert-manager:cert-manager';

describe('who may request tokens', () => {
  it('an upgrade asks at each stage: v1.21 drops the chart Role for the controller\'s own ServiceAccount, the user\'s Role stays', () => {
    const p = plan({ upgrade: { from: 'v1.20.3', to: 'v1.21.2' }, issuer: { tokenRequestRole: true } });
    const [before, after] = predictStages(p, facts(p)).map((s) => s.prediction.exposure?.requesters);
    expect(before).toEqual([
      { subject: CM, namespace: 'team-a', serviceAccount: 'vault-issuer', allowed: true, why: "the scenario's Role in team-a (issuer.tokenRequestRole)" },
      { subject: CM, namespace: 'cert-manager', serviceAccount: 'cert-manager', allowed: true, why: "the v1.20.3 chart's tokenrequest Role" },
    ]);
    expect(after?.map((r) => r.allowed)).toEqual([true, false]);
    expect(after?.[1]?.why).toMatch(/v1\.21 dropped it/);
  });

  it('an upgrade whose old CRD refuses the Issuer still asks, and uses no token before', () => {
    const p = plan({ upgrade: { from: 'v1.14.7', to: 'v1.15.5' }, issuer: { audiences: [KIND_AUDIENCE], tokenRequestRole: true } });
    const [before, after] = predictStages(p, facts(p)).map((s) => s.prediction.exposure);
    expect(before?.apiAudience).toBeUndefined();
    // v1.14 charts have no tokenrequest Role yet
    expect(before?.requesters?.map((r) => r.allowed)).toEqual([true, false]);
    expect(after?.apiAudience).toBe(true);
  });

  it('a scenario without an upgrade asks only where the token is measured', () => {
    const plain = plan({ certManager: 'v1.16.5' });
    expect(predict(plain, facts(plain)).exposure).toBeUndefined();
    const api = plan({ certManager: 'v1.16.5', issuer: { audiences: [KIND_AUDIENCE], tokenRequestRole: true } });
    const exposure = predict(api, facts(api)).exposure;
    expect(exposure?.apiAudience).toBe(true);
    expect(exposure?.requesters?.map((r) => `${r.namespace}/${r.serviceAccount}=${r.allowed}`)).toEqual(['team-a/vault-issuer=true', 'cert-manager/cert-manager=true']);
    expect(predict(api, facts(api)).steps.at(-1)).toMatchObject({ step: 'who may request tokens', source: expect.stringContaining('cert-manager/cert-manager@v1.16.5 deploy/charts/cert-manager/templates/rbac.yaml#cert-manager-tokenrequest') });
  });

  it('the controller\'s own ServiceAccount as the issuer\'s is asked once', () => {
    const p = plan({ certManager: 'v1.16.5', issuer: { namespace: 'cert-manager', serviceAccount: 'cert-manager', audiences: [KIND_AUDIENCE] } });
    expect(predict(p, facts(p)).exposure?.requesters).toHaveLength(1);
  });
});
