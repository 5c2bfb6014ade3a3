import { describe, expect, it } from 'vitest';
import { loadPlans } from '../scenarios/plan.ts';
import type { Plan } from '../scenarios/types.ts';
import type { CertManagerFacts } from './claims.ts';
import { EXTERNAL_SKIP, namespacesOf, skipReason, vaultImageFor, vaultNamespace, type ClusterFit } from './fit.ts';

const plans = loadPlans();
const byId = (id: string): Plan => plans.find((p) => p.id === id)!;
const KIND = 'https://kubernetes.default.svc.cluster.local';
const cm = (version: string | undefined): CertManagerFacts => ({
  namespace: 'cert-manager',
  deployment: 'cert-manager',
  image: `quay.io/jetstack/cert-manager-controller:${version ?? 'main'}`,
  ...(version ? { version } : {}),
  serviceAccount: 'cert-manager',
  clusterResourceNamespace: 'cert-manager',
  podSelector: 'app.kubernetes.io/component=controller',
  available: true,
});
const kindCluster = (o: Partial<ClusterFit> = {}): ClusterFit => ({ serviceAccountIssuer: KIND, apiAudiences: [KIND], certManager: cm('v1.19.5'), namespaces: new Map(), ...o });
const fitting = (fit: ClusterFit) => plans.filter((p) => !skipReason(p, fit)).map((p) => p.id);

describe('which scenarios fit an existing cluster', () => {
  it('a kind-like cluster with cert-manager v1.19.5 runs exactly the kind profile’s in-cluster v1.19.5 scenarios', () => {
    const expected = plans.filter((p) => p.profile.name === 'kind' && p.vault.placement === 'in-cluster' && p.certManager.version === 'v1.19.5' && !p.certManager.upgrade).map((p) => p.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(fitting(kindCluster())).toEqual(expected);
  });

  it('external Vaults are skipped with the stated reason', () => {
    expect(skipReason(byId('k8s-client-jwt-default-audience-refused'), kindCluster())).toBe(EXTERNAL_SKIP);
  });

  it('names both sides when the profile does not match, and ignores audience order', () => {
    const reason = skipReason(byId('k8s-aks-like-local-token-aud-unset'), kindCluster())!;
    expect(reason).toMatch(/^profile aks-like wants issuer https:\/\/westeurope\.oic\.prod-aks\.azure\.com\/.* and API audiences \[.*\]; the cluster has issuer https:\/\/kubernetes\.default\.svc\.cluster\.local and API audiences \[https:\/\/kubernetes\.default\.svc\.cluster\.local\]$/);
    const aks = byId('k8s-aks-like-local-token-aud-unset').profile;
    expect(skipReason(byId('k8s-aks-like-local-token-aud-unset'), kindCluster({ serviceAccountIssuer: aks.serviceAccountIssuer, apiAudiences: [...aks.apiAudiences].reverse() }))).toBeUndefined();
  });

  it('skips another cert-manager version, an unknown one, upgrades and ClusterIssuers against the cluster’s own cert-manager', () => {
    const plan = byId('k8s-kind-local-token-aud-unset');
    expect(skipReason(plan, kindCluster({ certManager: cm('v1.21.1') }))).toBe('written for cert-manager v1.19.5; the cluster runs v1.21.1 (cert-manager/cert-manager)');
    expect(skipReason(plan, kindCluster({ certManager: cm(undefined) }))).toMatch(/version of the cluster's cert-manager .* is unknown/);
    const upgrade = plans.find((p) => p.certManager.upgrade)!;
    const inCluster = { ...upgrade, vault: { ...upgrade.vault, placement: 'in-cluster' as const } };
    expect(skipReason(inCluster, kindCluster())).toMatch(/^changes cert-manager .* only when it installed it/);
    const ci = byId('k8s-cluster-issuer-reviewer-jwt-default-role-aud');
    expect(skipReason({ ...ci, vault: { ...ci.vault, placement: 'in-cluster' } }, kindCluster())).toMatch(/ClusterIssuer's ServiceAccount lives in cert-manager's cluster resource namespace cert-manager/);
  });

  it('where this run installs cert-manager, any version fits', () => {
    const plan = byId('engine-vault-v1.19.0-local-token-role-aud-default');
    const { certManager: _, ...installing } = kindCluster();
    expect(skipReason(plan, installing)).toBeUndefined();
    expect(skipReason(plan, kindCluster())).toMatch(/cert-manager v1\.21\.2; the cluster runs v1\.19\.5/);
  });

  it('never writes into a namespace that exists without the suite’s label', () => {
    const plan = byId('k8s-kind-reviewer-jwt-aud-api');
    expect(namespacesOf(plan)).toEqual(expect.arrayContaining([vaultNamespace('vault', 'v1.21.0'), 'vault-system', plan.issuer.namespace!]));
    expect(skipReason(plan, kindCluster({ namespaces: new Map([['vault-system', false]]) }))).toMatch(/^namespace vault-system exists and is not this suite's/);
    expect(skipReason(plan, kindCluster({ namespaces: new Map([['vault-system', true]]) }))).toBeUndefined();
  });
});

describe('the Vault image', () => {
  it('defaults to the official images', () => {
    expect(vaultImageFor('vault', 'v1.21.0')).toEqual({ ref: 'hashicorp/vault:1.21.0' });
    expect(vaultImageFor('openbao', 'v2.6.2')).toEqual({ ref: 'openbao/openbao:2.6.2' });
  });

  it('a plain --vault-image serves its engine and version only; a template serves all', () => {
    expect(vaultImageFor('vault', 'v1.21.0', 'cm-vault-e2e/vault:v1.21.0')).toEqual({ ref: 'cm-vault-e2e/vault:v1.21.0' });
    expect(vaultImageFor('vault', 'v1.19.0', 'cm-vault-e2e/vault:v1.21.0')).toEqual({ skip: expect.stringMatching(/^needs vault v1\.19\.0; --vault-image cm-vault-e2e\/vault:v1\.21\.0 is vault v1\.21\.0/) });
    expect(vaultImageFor('openbao', 'v2.6.2', 'cm-vault-e2e/vault:v1.21.0')).toHaveProperty('skip');
    expect(vaultImageFor('openbao', 'v2.6.2', 'mirror/openbao:dev')).toEqual({ ref: 'mirror/openbao:dev' });
    expect(vaultImageFor('openbao', 'v2.6.2', 'mirror/{engine}:{version}')).toEqual({ ref: 'mirror/openbao:v2.6.2' });
  });
});
