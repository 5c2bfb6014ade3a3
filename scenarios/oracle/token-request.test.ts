import { describe, expect, it } from 'vitest';
import { predict } from './index.ts';
import { facts, plan } from './fixtures.ts';

const PREFIX = 'Failed to initialize Vault client: while requesting a Vault token using the Kubernetes auth: ';

describe('TokenRequest RBAC', () => {
  it('without the Role, an Issuer fails with the Forbidden text for its own namespace', () => {
    const p = plan({ issuer: { tokenRequestRole: false, serviceAccount: 'vault-sa' } });
    const result = predict(p, facts(p));
    expect(result.ready).toBe(false);
    expect(result.failure).toBe('token-request-forbidden');
    expect(result.tokenAudiences).toEqual(['vault://team-a/vault-issuer']);
    expect(result.issuer).toEqual({
      status: 'False',
      reason: 'VaultError',
      message:
        PREFIX +
        'while requesting a token for the service account team-a/vault-sa: serviceaccounts "vault-sa" is forbidden: ' +
        'User "system:serviceaccount:cert-manager:cert-manager" cannot create resource "serviceaccounts/token" in API group "" in the namespace "team-a"',
    });
  });

  it('a ClusterIssuer prints an empty namespace but is refused in the cluster resource namespace', () => {
    const p = plan({ issuer: { kind: 'ClusterIssuer', tokenRequestRole: false, serviceAccount: 'vault-sa' } });
    const result = predict(p, facts(p, { clusterResourceNamespace: 'cm-resources' }));
    expect(result.issuer?.message).toBe(
      PREFIX +
        'while requesting a token for the service account /vault-sa: serviceaccounts "vault-sa" is forbidden: ' +
        'User "system:serviceaccount:cert-manager:cert-manager" cannot create resource "serviceaccounts/token" in API group "" in the namespace "cm-resources"',
    );
  });

  it('with the Role the TokenRequest goes through to Vault', () => {
    const p = plan({ issuer: { tokenRequestRole: true } });
    const result = predict(p, facts(p));
    expect(result.failure).not.toBe('token-request-forbidden');
    expect(result.vault).toBeDefined();
  });

  it.each(['v1.16.5', 'v1.19.5', 'v1.20.3'])('%s: the chart lets the controller request tokens for its own ServiceAccount', (v) => {
    const p = plan({ certManager: v, issuer: { kind: 'ClusterIssuer', serviceAccount: 'cert-manager', tokenRequestRole: false } });
    expect(predict(p, facts(p)).failure).not.toBe('token-request-forbidden');
  });

  it.each(['v1.15.5', 'v1.21.1'])('%s: the chart grants no tokenrequest Role', (v) => {
    const p = plan({ certManager: v, issuer: { kind: 'ClusterIssuer', serviceAccount: 'cert-manager', tokenRequestRole: false } });
    expect(predict(p, facts(p)).failure).toBe('token-request-forbidden');
  });

  it('the chart grant covers only the cert-manager namespace', () => {
    const p = plan({ certManager: 'v1.16.5', issuer: { kind: 'Issuer', namespace: 'team-a', serviceAccount: 'cert-manager', tokenRequestRole: false } });
    expect(predict(p, facts(p)).failure).toBe('token-request-forbidden');
  });
});
