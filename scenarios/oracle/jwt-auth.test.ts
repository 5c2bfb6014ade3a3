import { describe, expect, it } from 'vitest';
import { predict } from './index.ts';
import { facts, jwtAuth, KIND_AUDIENCE, plan } from './fixtures.ts';

describe('JWT auth: bound_audiences', () => {
  it('bound audiences that meet the token: ready, whatever the API audiences', () => {
    const p = plan({ auth: jwtAuth(['vault://team-a/vault-issuer']) });
    const result = predict(p, facts(p, { apiAudiences: ['https://elsewhere'] }));
    expect(result.ready).toBe(true);
    expect(result.apiserver).toBeUndefined();
    expect(result.issuer?.reason).toBe('VaultVerified');
  });

  it('bound audiences the token lacks: 400 error validating token', () => {
    const p = plan({ auth: jwtAuth([KIND_AUDIENCE]) });
    const result = predict(p, facts(p));
    expect(result.failure).toBe('jwt-bound-audience');
    expect(result.vault).toEqual({
      status: 400,
      errors: ['error validating token: invalid audience (aud) claim: audience claim does not match any expected audience'],
    });
    expect(result.issuer?.message).toBe(
      'Failed to initialize Vault client: while requesting a Vault token using the Kubernetes auth: error calling Vault server: ' +
        'Error making API request.\n\nURL: POST https://127.0.0.1:8200/v1/auth/jwt/login\nCode: 400. Errors:\n\n' +
        '* error validating token: invalid audience (aud) claim: audience claim does not match any expected audience',
    );
    expect(result.apiserver).toBeUndefined();
  });

  it('no bound audiences: the token always has one, so 400', () => {
    const p = plan({ auth: jwtAuth([]) });
    const result = predict(p, facts(p));
    expect(result.failure).toBe('jwt-no-bound-audiences');
    expect(result.vault).toEqual({ status: 400, errors: ['audience claim found in JWT but no audiences bound to the role'] });
  });

  it('bound ${vault.server} works from cert-manager v1.20 only', () => {
    const at = (v: string) => {
      const p = plan({ certManager: v, auth: jwtAuth(['${vault.server}']) });
      return predict(p, facts(p));
    };
    expect(at('v1.19.5').failure).toBe('jwt-bound-audience');
    expect(at('v1.20.3').ready).toBe(true);
  });

  it('needs neither auth-delegator nor a TokenReview', () => {
    const p = plan({ issuer: { authDelegator: false }, auth: jwtAuth(['vault://team-a/vault-issuer']) });
    const result = predict(p, facts(p));
    expect(result.ready).toBe(true);
    expect(result.steps.find((s) => s.step === 'TokenReview caller')?.detail).toMatch(/^None/);
  });

  it('still needs the TokenRequest Role', () => {
    const p = plan({ issuer: { tokenRequestRole: false }, auth: jwtAuth(['vault://team-a/vault-issuer']) });
    expect(predict(p, facts(p)).failure).toBe('token-request-forbidden');
  });
});

describe('JWT auth on OpenBao', () => {
  it('no bound audiences and a one-audience token (a JSON string): OpenBao lets it through', () => {
    const p = plan({ engine: 'openbao', certManager: 'v1.19.5', auth: jwtAuth([]) });
    expect(predict(p, facts(p)).ready).toBe(true);
  });

  it('no bound audiences and several audiences (an array): refused like Vault', () => {
    const p = plan({ engine: 'openbao', certManager: 'v1.20.3', auth: jwtAuth([]) });
    expect(predict(p, facts(p)).failure).toBe('jwt-no-bound-audiences');
  });

  it('bound audiences behave as in Vault', () => {
    const p = plan({ engine: 'openbao', auth: jwtAuth(['nope']) });
    expect(predict(p, facts(p)).failure).toBe('jwt-bound-audience');
  });
});
