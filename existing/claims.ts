/** Pure readings of what an existing cluster tells about itself: token claims, JWKS keys, cert-manager's Deployment. */
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { V1Deployment } from '@kubernetes/client-node';
import { audiencesOf, decodeJwt } from '../lib/jwt.ts';

export interface TokenFacts {
  iss: string;
  aud: string[];
  /** The signing key's id (JWS header), to pick that key from the JWKS. */
  kid?: string;
}

/** iss, aud (always a list) and the header's kid of a ServiceAccount token; the signature is not checked. */
export function tokenFacts(token: string): TokenFacts {
  const jwt = decodeJwt(token);
  if (!jwt) throw new Error('the TokenRequest answered something that is not a JWT');
  const { header, claims } = jwt;
  if (typeof claims.iss !== 'string') throw new Error('the token has no iss claim');
  return { iss: claims.iss, aud: audiencesOf(claims), ...(typeof header.kid === 'string' ? { kid: header.kid } : {}) };
}

/** Same members, whatever the order (the API server's audience check is membership). */
export function sameAudiences(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

export interface Jwks {
  keys: Array<JsonWebKey & { kid?: string; use?: string }>;
}

/** The JWKS key that signed tokens now (by kid; the only key when there is one), as an SPKI PEM for Vault. */
export function signingKeyPem(jwks: Jwks, kid: string | undefined): string {
  const keys = (jwks.keys ?? []).filter((k) => !k.use || k.use === 'sig');
  const key = kid ? keys.find((k) => k.kid === kid) : keys.length === 1 ? keys[0] : undefined;
  if (!key) throw new Error(kid ? `no key with kid ${kid} among ${keys.length} in the JWKS` : `${keys.length} keys in the JWKS and the token names none`);
  return createPublicKey({ key, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
}

const VERSION = /^v?(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?)$/;

/** `v1.16.5` from an image reference's tag (`…/cert-manager-controller:v1.16.5[@sha256:…]`), else undefined. */
export function versionFromImage(image: string): string | undefined {
  const noDigest = image.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  if (colon <= slash) return undefined;
  const m = VERSION.exec(noDigest.slice(colon + 1));
  return m ? `v${m[1]}` : undefined;
}

export function normalizeVersion(v: string): string {
  return v.startsWith('v') ? v : `v${v}`;
}

export interface CertManagerFacts {
  namespace: string;
  deployment: string;
  image: string;
  /** undefined when neither the image tag nor the app.kubernetes.io/version label names one. */
  version?: string;
  serviceAccount: string;
  clusterResourceNamespace: string;
  /** labelSelector of its pods. */
  podSelector: string;
  available: boolean;
}

/** The controller among a namespace's Deployments: the chart's labels, else the image name, else the name. */
export function controllerDeployment(deployments: V1Deployment[]): V1Deployment | undefined {
  const labels = (d: V1Deployment) => d.metadata?.labels ?? {};
  const image = (d: V1Deployment) => d.spec?.template.spec?.containers?.[0]?.image ?? '';
  return (
    deployments.find((d) => labels(d)['app.kubernetes.io/component'] === 'controller' && /cert-manager/.test(labels(d)['app.kubernetes.io/name'] ?? labels(d)['app'] ?? '')) ??
    deployments.find((d) => /cert-manager-controller/.test(image(d))) ??
    deployments.find((d) => d.metadata?.name === 'cert-manager')
  );
}

export function certManagerFacts(d: V1Deployment): CertManagerFacts {
  const namespace = d.metadata!.namespace!;
  const container = d.spec?.template.spec?.containers?.[0];
  const image = container?.image ?? '';
  const label = d.metadata?.labels?.['app.kubernetes.io/version'] ?? d.spec?.template.metadata?.labels?.['app.kubernetes.io/version'];
  const version = versionFromImage(image) ?? (label && VERSION.test(label) ? normalizeVersion(label) : undefined);
  const selector = d.spec?.selector?.matchLabels ?? {};
  return {
    namespace,
    deployment: d.metadata!.name!,
    image,
    ...(version ? { version } : {}),
    serviceAccount: d.spec?.template.spec?.serviceAccountName || 'default',
    clusterResourceNamespace: clusterResourceNamespaceOf(container?.args ?? [], namespace),
    podSelector: Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(','),
    available: (d.status?.availableReplicas ?? 0) > 0,
  };
}

/** --cluster-resource-namespace from the controller's args; cert-manager defaults it to its own namespace. */
export function clusterResourceNamespaceOf(args: string[], ownNamespace: string): string {
  let value: string | undefined;
  for (const [i, a] of args.entries()) {
    const m = /^--cluster-resource-namespace(?:=(.*))?$/.exec(a);
    if (m) value = m[1] ?? args[i + 1];
  }
  return !value || value.includes('$(POD_NAMESPACE)') ? ownNamespace : value;
}
