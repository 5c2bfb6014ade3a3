import { describe, expect, it } from 'vitest';
import { predict } from './index.ts';
import { facts, jwtAuth, kubernetesAuth, plan } from './fixtures.ts';

describe('the Issuer names an auth mount that does not exist', () => {
  it('kubernetes auth at auth/kubernetes, Issuer at auth/k8s: 403 permission denied before any plugin runs', () => {
    const p = plan({ issuer: { mount: 'k8s' } });
    const result = predict(p, facts(p));
    expect(result.failure).toBe('vault-mount-path');
    expect(result.vault).toEqual({ status: 403, errors: ['permission denied'] });
    expect(result.apiserver).toBeUndefined();
    expect(result.issuer?.message).toContain('URL: POST https://127.0.0.1:8200/v1/auth/k8s/login\nCode: 403. Errors:\n\n* permission denied');
    expect(result.steps.map((s) => s.step)).toContain('auth mount');
  });

  it('decides before the role: a role audience mismatch behind a wrong mount is never reached', () => {
    const p = plan({ issuer: { mount: 'elsewhere' }, auth: kubernetesAuth({ roleAudience: 'vault://team-a/other' }) });
    expect(predict(p, facts(p)).failure).toBe('vault-mount-path');
  });

  it('JWT auth too; the same mount written out is not a mismatch', () => {
    const wrong = plan({ issuer: { mount: 'kubernetes' }, auth: jwtAuth(['vault://team-a/vault-issuer']) });
    expect(predict(wrong, facts(wrong)).failure).toBe('vault-mount-path');
    const same = plan({ issuer: { mount: 'jwt' }, auth: jwtAuth(['vault://team-a/vault-issuer']) });
    expect(predict(same, facts(same)).ready).toBe(true);
  });
});
