/**
 * A real kind cluster per profile, from the node image `provision --for kind` built (root, Docker with the runc
 * wrapper). CM_VAULT_E2E_KIND_PROFILES=kind,aks-like picks the profiles (default kind); CM_VAULT_E2E_KIND_KEEP=1
 * leaves them running (the next run reaps them).
 *
 *   npx vitest run --project e2e kind/kind.e2e.ts
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KindCluster, removeKindNetworkIfUnused } from './cluster.ts';
import { buildKindImages, debianMirrorOf } from './images/build.ts';
import { sourceSettings } from '../cli/run-settings.ts';
import { processLedger } from '../runner/environment-spec.ts';
import { profileByName, proveCluster, VAULT_AUDIENCE, type ProofResult } from './prove.ts';

const profiles = (process.env.CM_VAULT_E2E_KIND_PROFILES ?? 'kind').split(',').map((s) => s.trim()).filter(Boolean);
describe('kind backend', () => {
  beforeAll(async () => {
    const { source, debianMirror } = sourceSettings();
    await buildKindImages({ sources: { policy: source }, ...debianMirrorOf({ debianMirror }) });
  }, 30 * 60_000);

  afterAll(async () => {
    await removeKindNetworkIfUnused(processLedger());
  }, 60_000);

  describe.each(profiles)('profile %s', (name) => {
    const profile = profileByName(name);
    let cluster: KindCluster;
    let proof: ProofResult;

    beforeAll(async () => {
      cluster = await KindCluster.ensure({ profile, ledger: processLedger() });
      proof = await proveCluster(cluster);
    }, 15 * 60_000);

    afterAll(async () => {
      if (cluster && process.env.CM_VAULT_E2E_KIND_KEEP !== '1') await cluster.delete();
    }, 120_000);

    it('runs every control-plane pod and CoreDNS, Ready', () => {
      for (const component of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'coredns']) {
        const pods = proof.controlPlane.filter((p) => p.name.startsWith(component));
        expect(pods.length, component).toBeGreaterThan(0);
        for (const p of pods) expect(p, p.name).toMatchObject({ phase: 'Running', ready: true });
      }
    });

    it('runs a pod from a locally built image that resolves through CoreDNS and reaches the API server Service', () => {
      expect(proof.pod.phase).toBe('Running');
      expect(proof.pod.dnsLog).toContain('Name:\tkubernetes.default.svc.cluster.local');
      expect(proof.pod.dnsLog.some((l) => /^connected to 10\.96\.0\.1:443$/.test(l))).toBe(true);
    });

    it('mints TokenRequest tokens whose iss and aud are the profile’s', () => {
      expect(proof.defaultToken.iss).toBe(profile.serviceAccountIssuer);
      expect(proof.defaultToken.aud).toEqual(profile.apiAudiences);
      expect(proof.defaultToken.sub).toBe('system:serviceaccount:cmve-proof:prover');
    });

    it('accepts a bearer token for each API audience and rejects vault://team-a/vault-issuer, naming it in its log', () => {
      for (const a of proof.accepted) expect(a, a.audience).toMatchObject({ status: 201, username: 'system:serviceaccount:cmve-proof:prover' });
      expect(proof.accepted.map((a) => a.audience)).toEqual(profile.apiAudiences);
      expect(proof.rejected.status).toBe(401);
      expect(proof.rejected.apiserverLine).toContain(`token audiences [\\"${VAULT_AUDIENCE}\\"] is invalid for the target audiences`);
    });
  });
});
