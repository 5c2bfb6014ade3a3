import { UNREACHABLE_KUBERNETES_HOST } from '../../scenarios/oracle/review-host.ts';
import type { ReviewHost } from '../../scenarios/types.ts';

/**
 * What a scenario's `auth.reviewHost` writes into auth/<mount>/config instead of the API server Vault reaches:
 * - `unreachable`: a stale `kubernetes_host`, the oracle's UNREACHABLE_KUBERNETES_HOST;
 * - `wrong-ca`: the right host, but a `kubernetes_ca_cert` that signs no API server (this CA's key was discarded
 *   when it was made: it signs nothing, anywhere).
 */
export const FOREIGN_CA_PEM = `-----BEGIN CERTIFICATE-----
MIIB1jCCAX2gAwIBAgIUdu0QvrOzBwWRGLx1BR+OSl9uinQwCgYIKoZIzj0EAwIw
ODE2MDQGA1UEAwwtY20tdmF1bHQtZTJlIGZvcmVpZ24gQ0EgKHNpZ25zIG5vIEFQ
SSBzZXJ2ZXIpMCAXDTI2MTIwODAyMjkxNloYDzIxMjYxMTE0MDIyOTE2WjA4MTYw
NAYDVQQDDC1jbS12YXVsdC1lMmUgZm9yZWlnbiBDQSAoc2lnbnMgbm8gQVBJIHNl
cnZlcikwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARywAK6oRd1OtpVh01lgqaQ
1oR8DSt1X0Nk8nAgJehuqR7FVkOHE/waMysu7XWk7mFJd8OTLpCDrnsu+M6Us7xM
o2MwYTAdBgNVHQ4EFgQUBPWfIltcR+aRqojuSz/Q3O3D3E4wHwYDVR0jBBgwFoAU
BPWfIltcR+aRqojuSz/Q3O3D3E4wDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8E
BAMCAQYwCgYIKoZIzj0EAwIDRwAwRAIgFluBncRpGGsZ/6UyWFkxpXOv7yv+HywM
0bxC0yV8664CIGGwWO9fhQj3PpzCFuWad+eTmcqdfneSkco1dyC73xpL
-----END CERTIFICATE-----
`;

/** The host and CA Vault is configured with, given the ones that reach the environment's API server. */
export function reviewTarget(reviewHost: ReviewHost | undefined, actual: { host: string; caPem: string }): { host: string; caPem: string } {
  switch (reviewHost) {
    case 'unreachable':
      return { host: UNREACHABLE_KUBERNETES_HOST, caPem: actual.caPem };
    case 'wrong-ca':
      return { host: actual.host, caPem: FOREIGN_CA_PEM };
    default:
      return actual;
  }
}
