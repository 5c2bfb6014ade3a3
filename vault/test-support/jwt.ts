import { generateKeyPairSync, sign } from 'node:crypto';

// One key per process: tests only need a well-formed RS256 token (kubernetes auth configured without
// pem_keys does not verify the signature, path_login.go DontVerifySignature).
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** For JWT auth's `jwt_validation_pubkeys`. */
export const testJwtPublicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

export function signedTestJwt(claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode({ alg: 'RS256', typ: 'JWT', ...header })}.${encode(claims)}`;
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), privateKey).toString('base64url')}`;
}

/** Claims shaped like a projected ServiceAccount token. */
export function serviceAccountClaims(options: {
  namespace: string;
  serviceAccount: string;
  audiences: string[];
  issuer?: string;
}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    aud: options.audiences,
    exp: now + 600,
    iat: now,
    nbf: now,
    iss: options.issuer ?? 'https://kubernetes.default.svc.cluster.local',
    sub: `system:serviceaccount:${options.namespace}:${options.serviceAccount}`,
    'kubernetes.io': {
      namespace: options.namespace,
      serviceaccount: { name: options.serviceAccount, uid: '00000000-0000-4000-8000-000000000001' },
    },
  };
}
