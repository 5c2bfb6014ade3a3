/**
 * What a cluster does with ServiceAccount tokens: mint one (TokenRequest), read its claims, and present it as a
 * bearer token to the API server (SelfSubjectReview), which accepts it only if an audience matches --api-audiences.
 */
import { AuthenticationV1Api } from '@kubernetes/client-node';
import { audiencesOf, decodeJwt } from '../lib/jwt.ts';
import { kubeConfigFor, statusCode, apiMessage, type ClusterAccess, type Kube } from '../lib/kube.ts';

export interface JwtClaims {
  iss: string;
  aud: string[];
  sub: string;
  exp: number;
  iat: number;
  [k: string]: unknown;
}

/** The payload of a JWT, unverified (the API server is what verifies it). `aud` is always a list. */
export function jwtClaims(token: string): JwtClaims {
  const jwt = decodeJwt(token);
  if (!jwt) throw new Error('not a JWT');
  return { ...jwt.claims, aud: audiencesOf(jwt.claims) } as JwtClaims;
}

export interface BearerResult {
  /** HTTP status of the SelfSubjectReview. */
  status: number;
  /** The identity the API server saw (on success). */
  username?: string;
  message?: string;
}

/** Presents `token` to the API server; 201 with the ServiceAccount's username, or 401 when the audience is wrong. */
export async function presentBearer(access: ClusterAccess, token: string): Promise<BearerResult> {
  const api = kubeConfigFor({ server: access.server, caPem: access.caPem, token, user: 'bearer' }).makeApiClient(AuthenticationV1Api);
  try {
    const r = await api.createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    return { status: 201, username: r.status?.userInfo?.username };
  } catch (err) {
    const text = apiMessage(err);
    return { status: statusCode(err) ?? 0, message: /^Message: (.*)$/m.exec(text)?.[1] ?? text.split('\n')[0] };
  }
}

/** Makes a namespace and ServiceAccount (idempotent) and mints a token for the given audiences. */
export async function mintToken(kube: Kube, opts: { namespace: string; serviceAccount: string; audiences?: string[]; expirationSeconds?: number }): Promise<string> {
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: opts.namespace } });
  await kube.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: opts.serviceAccount, namespace: opts.namespace } });
  return kube.tokenRequest(opts.namespace, opts.serviceAccount, { audiences: opts.audiences ?? [], expirationSeconds: opts.expirationSeconds ?? 600 });
}

/** The kube-apiserver line naming an audience mismatch for `audience` (pkg/serviceaccount/jwt.go). */
export function audienceMismatchLine(lines: string[], audience: string): string | undefined {
  const needle = `token audiences [${JSON.stringify(audience)}] is invalid for the target audiences`;
  const escaped = `token audiences [\\${JSON.stringify(audience).slice(0, -1)}\\"] is invalid for the target audiences`;
  return lines.find((l) => l.includes(needle) || l.includes(escaped));
}
