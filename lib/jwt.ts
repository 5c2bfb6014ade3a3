/** A compact JWS (a ServiceAccount token) read without verifying it: the API server and Vault are what verify. */

type JsonObject = Record<string, unknown>;

function segment(s: string | undefined): JsonObject | undefined {
  if (!s) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

/** Header and claims, or undefined when either is not a base64url JSON object. */
export function decodeJwt(token: string): { header: JsonObject; claims: JsonObject } | undefined {
  const [h, c] = token.split('.');
  const header = segment(h);
  const claims = segment(c);
  return header && claims ? { header, claims } : undefined;
}

/** The `aud` claim as a list (RFC 7519 allows a single string). */
export function audiencesOf(claims: JsonObject): string[] {
  const aud = claims.aud;
  return Array.isArray(aud) ? aud.map(String) : typeof aud === 'string' ? [aud] : [];
}
