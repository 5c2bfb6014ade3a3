import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { certManagerFacts, clusterResourceNamespaceOf, controllerDeployment, sameAudiences, signingKeyPem, tokenFacts, versionFromImage } from './claims.ts';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (header: object, claims: object) => `${b64(header)}.${b64(claims)}.c2ln`;

describe('token claims', () => {
  it('reads iss, aud (list or single string) and the signing key id, never the signature', () => {
    expect(tokenFacts(jwt({ alg: 'RS256', kid: 'k1' }, { iss: 'https://kubernetes.default.svc.cluster.local', aud: ['a', 'b'] }))).toEqual({ iss: 'https://kubernetes.default.svc.cluster.local', aud: ['a', 'b'], kid: 'k1' });
    expect(tokenFacts(jwt({ alg: 'RS256' }, { iss: 'i', aud: 'only' }))).toEqual({ iss: 'i', aud: ['only'] });
  });

  it('refuses what is not a JWT, or one without iss', () => {
    expect(() => tokenFacts('not-a-jwt')).toThrow(/not a JWT/);
    expect(() => tokenFacts(jwt({}, { aud: ['a'] }))).toThrow(/no iss/);
  });

  it('compares audiences as sets', () => {
    expect(sameAudiences(['https://a', '"b"', 'https://c'], ['https://c', 'https://a', '"b"'])).toBe(true);
    expect(sameAudiences(['https://a'], ['https://a', 'https://b'])).toBe(false);
    expect(sameAudiences(['https://a/'], ['https://a'])).toBe(false);
  });
});

describe('signing key from the JWKS', () => {
  const pair = (kid: string) => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return { jwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }, pem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  };
  const a = pair('old');
  const b = pair('new');

  it('picks the key the token names and exports it as SPKI PEM', () => {
    const pem = signingKeyPem({ keys: [a.jwk, b.jwk] }, 'new');
    expect(pem).toBe(b.pem);
    expect(createPublicKey(pem).asymmetricKeyType).toBe('rsa');
  });

  it('takes the only key when the token names none; refuses to guess among several', () => {
    expect(signingKeyPem({ keys: [a.jwk] }, undefined)).toBe(a.pem);
    expect(() => signingKeyPem({ keys: [a.jwk, b.jwk] }, undefined)).toThrow(/2 keys/);
    expect(() => signingKeyPem({ keys: [a.jwk] }, 'other')).toThrow(/no key with kid other/);
  });
});

describe("the cluster's cert-manager", () => {
  const deployment = (o: { name?: string; labels?: Record<string, string>; image: string; args?: string[]; sa?: string; available?: number }): V1Deployment => ({
    metadata: { name: o.name ?? 'cert-manager', namespace: 'cert-manager', labels: o.labels ?? {} },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/component': 'controller' } },
      template: { spec: { ...(o.sa ? { serviceAccountName: o.sa } : {}), containers: [{ name: 'cert-manager-controller', image: o.image, args: o.args ?? [] }] } },
    },
    status: { availableReplicas: o.available ?? 1 },
  });

  it('reads the version from the image tag (digest or not), else from app.kubernetes.io/version', () => {
    expect(versionFromImage('quay.io/jetstack/cert-manager-controller:v1.16.5')).toBe('v1.16.5');
    expect(versionFromImage('quay.io/jetstack/cert-manager-controller:v1.16.5@sha256:abc')).toBe('v1.16.5');
    expect(versionFromImage('registry:5000/jetstack/cert-manager-controller:1.21.1')).toBe('v1.21.1');
    expect(versionFromImage('registry:5000/cert-manager-controller@sha256:abc')).toBeUndefined();
    expect(versionFromImage('cert-manager-controller:latest')).toBeUndefined();
    const byLabel = certManagerFacts(deployment({ image: 'mirror/cm@sha256:abc', labels: { 'app.kubernetes.io/version': 'v1.19.5' } }));
    expect(byLabel.version).toBe('v1.19.5');
    expect(certManagerFacts(deployment({ image: 'mirror/cm:main' })).version).toBeUndefined();
  });

  it('finds the controller among the chart’s Deployments by its labels', () => {
    const webhook = deployment({ name: 'cert-manager-webhook', labels: { 'app.kubernetes.io/name': 'webhook', 'app.kubernetes.io/component': 'webhook' }, image: 'quay.io/jetstack/cert-manager-webhook:v1.16.5' });
    const controller = deployment({ labels: { 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/component': 'controller' }, image: 'quay.io/jetstack/cert-manager-controller:v1.16.5' });
    expect(controllerDeployment([webhook, controller])).toBe(controller);
    expect(controllerDeployment([webhook])).toBeUndefined();
  });

  it('ServiceAccount, cluster resource namespace ($(POD_NAMESPACE) or unset = its own) and pod selector', () => {
    const f = certManagerFacts(deployment({ image: 'quay.io/jetstack/cert-manager-controller:v1.16.5', sa: 'cm-sa', args: ['--v=2', '--cluster-resource-namespace=$(POD_NAMESPACE)'], available: 0 }));
    expect(f).toMatchObject({ serviceAccount: 'cm-sa', clusterResourceNamespace: 'cert-manager', podSelector: 'app.kubernetes.io/name=cert-manager,app.kubernetes.io/component=controller', available: false });
    expect(clusterResourceNamespaceOf(['--cluster-resource-namespace', 'issuers'], 'cert-manager')).toBe('issuers');
    expect(clusterResourceNamespaceOf(['--cluster-resource-namespace=issuers'], 'cert-manager')).toBe('issuers');
    expect(clusterResourceNamespaceOf([], 'cm')).toBe('cm');
    expect(certManagerFacts(deployment({ image: 'x:v1.16.5' })).serviceAccount).toBe('default');
  });
});
