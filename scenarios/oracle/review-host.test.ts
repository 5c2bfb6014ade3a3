import { describe, expect, it } from 'vitest';
import { loadError, scenarioYaml } from '../testing.ts';
import { predict } from './index.ts';
import { facts, kubernetesAuth, plan } from './fixtures.ts';
import { UNKNOWN_AUTHORITY } from './review-host.ts';

describe('Vault reviews against the wrong API server', () => {
  it('unreachable kubernetes_host: 403 permission denied to the client, the dial error only in Vault\'s DEBUG log', () => {
    const p = plan({ auth: kubernetesAuth({ tokenReviewer: 'reviewer-jwt', reviewHost: 'unreachable' }) });
    const result = predict(p, facts(p));
    expect(result.failure).toBe('review-host');
    expect(result.vault).toMatchObject({ status: 403, errors: ['permission denied'] });
    expect(result.issuer?.message).toContain('Code: 403. Errors:\n\n* permission denied');
    expect(result.vault?.logLine ?? '').toBe(
      'login unauthorized: err="Post \\"https://127.0.0.1:1/apis/authentication.k8s.io/v1/tokenreviews\\": dial tcp 127.0.0.1:1: connect: connection refused"',
    );
    expect(result.apiserver).toBeUndefined();
    expect(result.steps.map((s) => s.step)).toContain('TokenReview call');
  });

  it('wrong kubernetes_ca_cert: the same answer, the x509 error in the log; decided before any audience or RBAC check', () => {
    // a client-jwt review whose token the API server would refuse: the TLS handshake fails first
    const p = plan({ auth: kubernetesAuth({ tokenReviewer: 'client-jwt', reviewHost: 'wrong-ca' }), issuer: { authDelegator: false } });
    const result = predict(p, facts(p));
    expect(result.failure).toBe('review-host');
    expect(result.vault?.logLine).toBe(UNKNOWN_AUTHORITY);
  });

  it('absent: the same reviewer-jwt setup is ready', () => {
    const p = plan({ auth: kubernetesAuth({ tokenReviewer: 'reviewer-jwt' }) });
    expect(predict(p, facts(p)).ready).toBe(true);
  });
});

describe('auth.reviewHost in a scenario', () => {
  it('an unknown value lists the allowed ones', () => {
    const err = loadError(scenarioYaml({ auth: '{method: kubernetes, tokenReviewer: reviewer-jwt, reviewHost: stale}' }));
    expect(err.where).toMatchObject({ field: 'auth.reviewHost' });
    expect(err.problem).toMatch(/`stale`, which is not one of: unreachable, wrong-ca/);
  });

  it('on JWT auth: belongs to Kubernetes auth', () => {
    const err = loadError(scenarioYaml({ auth: '{method: jwt, boundAudiences: [a], reviewHost: unreachable}' }));
    expect(err.where).toMatchObject({ field: 'auth.reviewHost' });
    expect(err.problem).toBe('`reviewHost` belongs to Kubernetes auth');
    expect(err.fix).toMatch(/set `method: kubernetes`/);
  });
});
