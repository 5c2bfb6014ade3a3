// Texts Vault (and OpenBao, whose built-in copies use the same strings) produces on a failed login,
// copied from the sources Vault 1.21.4 builds with. Each constant names where it comes from.

/** hashicorp/cap@v0.11.0 jwt/jwt.go:171 wraps jwt/jwt.go:301. */
export const INVALID_AUDIENCE = 'invalid audience (aud) claim: audience claim does not match any expected audience';

/**
 * Kubernetes auth, role `audience` not in the token's `aud`: HTTP 403 with this text as the only error.
 * vault-plugin-auth-kubernetes@v0.23.1 path_login.go:377 `logical.CodedError(http.StatusForbidden, err.Error())`.
 */
export const KUBERNETES_ROLE_AUDIENCE_ERROR = INVALID_AUDIENCE;

/** vault-plugin-auth-kubernetes@v0.23.1 path_login.go:168 and :182, logged at DEBUG; the client sees only `permission denied`. */
export const KUBERNETES_LOGIN_UNAUTHORIZED = 'login unauthorized';

/** Vault's logical.ErrPermissionDenied as the HTTP body shows it (403). */
export const PERMISSION_DENIED = 'permission denied';

/** vault-plugin-auth-kubernetes@v0.23.1 token_review.go:90-127: the `err` of a `login unauthorized` line after a TokenReview. */
export const LOOKUP_FAILED_PREFIX = 'lookup failed: ';

/** token_review.go:115 — the API server accepted the token, but not for the audience Vault asked for. */
export function lookupFailedAudience(tokenAudiences: readonly string[], wanted: readonly string[]): string {
  return `lookup failed: service account jwt valid for audience(s) ${goSlice(tokenAudiences)}, but wanted ${goSlice(wanted)}`;
}

/** token_review.go:100 — TokenReview answered authenticated=false without an error text. */
export const LOOKUP_FAILED_NOT_VALID = 'lookup failed: service account jwt not valid';

/** token_review.go:90 — the TokenReview call itself was answered 401. */
export const LOOKUP_FAILED_UNAUTHORIZED =
  'lookup failed: service account unauthorized; this could mean it has been deleted or recreated with a new token';

/** JWT auth, `bound_audiences` not matched: HTTP 400. vault-plugin-auth-jwt@v0.25.0 path_login.go:161. */
export const JWT_BOUND_AUDIENCE_ERROR = `error validating token: ${INVALID_AUDIENCE}`;

/** JWT auth, role without `bound_audiences` but token with `aud`: HTTP 400. vault-plugin-auth-jwt@v0.25.0 path_login.go:173,177. */
export const JWT_NO_BOUND_AUDIENCES_ERROR = 'audience claim found in JWT but no audiences bound to the role';

/** How Go's `%v` prints a []string: `[a b]`. */
export function goSlice(values: readonly string[]): string {
  return `[${values.join(' ')}]`;
}
