// Exact texts the components print, built the way their Go code builds them (sources in ./sources.ts).

/** cert-manager's pkg/issuer/vault/setup.go constants. */
export const READY_CONDITION = { status: 'True', reason: 'VaultVerified', message: 'Vault verified' } as const;
export const VAULT_ERROR_REASON = 'VaultError';

/** The controller's identity: the chart's ServiceAccount `cert-manager` in namespace `cert-manager` (certmanager/local-controller.ts runs as it). */
export const CERT_MANAGER_CONTROLLER = { namespace: 'cert-manager', name: 'cert-manager' } as const;

export const PERMISSION_DENIED = 'permission denied';
export const INVALID_AUDIENCE = 'invalid audience (aud) claim: audience claim does not match any expected audience';
export const JWT_BOUND_AUDIENCE_ERROR = `error validating token: ${INVALID_AUDIENCE}`;
export const SERVICE_ACCOUNT_NAME_NOT_AUTHORIZED = 'service account name not authorized';
export const NAMESPACE_NOT_AUTHORIZED = 'namespace not authorized';
export const JWT_NO_BOUND_AUDIENCES_ERROR = 'audience claim found in JWT but no audiences bound to the role';
export const LOOKUP_FAILED_UNAUTHORIZED =
  'lookup failed: service account unauthorized; this could mean it has been deleted or recreated with a new token';
export const LOGIN_UNAUTHORIZED = 'login unauthorized';

export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** Go's strconv.Quote for the characters these texts can hold. */
export function goQuote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** fmt's %q on a []string: each element quoted, space-separated, in brackets: `["a" "b"]`. */
export function goQuoteSlice(values: readonly string[]): string {
  return `[${values.map(goQuote).join(' ')}]`;
}

/** One `key=value` pair as hclog's standard format writes it (every value here has a space, so it is quoted). */
export function hclogField(key: string, value: string): string {
  return `${key}="${value.replaceAll('"', '\\"')}"`;
}

/** Vault's DEBUG line when a kubernetes login fails after the JWT was parsed, without timestamp and logger name. */
export function loginUnauthorizedLine(error: string): string {
  return `${LOGIN_UNAUTHORIZED}: ${hclogField('err', error)}`;
}

/** The Vault client's error for a non-2xx answer (single-error form: errors are concatenated without separator). */
export function vaultApiError(method: string, url: string, status: number, errors: readonly string[]): string {
  return `Error making API request.\n\nURL: ${method} ${url}\nCode: ${status}. Errors:\n\n${errors.map((e) => `* ${e}`).join('')}`;
}

export function loginUrl(server: string, mount: string): string {
  return `${server.replace(/\/+$/, '')}/v1/auth/${mount}/login`;
}

/** The Issuer's Ready message for a Kubernetes-auth failure as releases up to v1.21.1 print it (the whole chain). */
export function kubernetesAuthFailure(cause: string): string {
  return `Failed to initialize Vault client: ${kubernetesAuthChain(cause)}`;
}

/** The error chain out of vault.New when the Kubernetes auth fails (vault.go#setToken); issuer-message.ts makes the Issuer's message of it. */
export function kubernetesAuthChain(cause: string): string {
  return `while requesting a Vault token using the Kubernetes auth: ${cause}`;
}

export function tokenRequestFailure(issuerNamespace: string, serviceAccount: string, error: string): string {
  return `while requesting a token for the service account ${issuerNamespace}/${serviceAccount}: ${error}`;
}

export function vaultCallFailure(apiError: string): string {
  return `error calling Vault server: ${apiError}`;
}

export interface ForbiddenRequest {
  user: string;
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  /** Object name; empty for a create without a name (tokenreviews). */
  name: string;
  /** Absent = cluster scope. */
  namespace?: string;
}

/** apimachinery NewForbidden around apiserver forbiddenMessage (RBAC adds no reason when no rule matches). */
export function forbiddenMessage(r: ForbiddenRequest): string {
  const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  const scope = r.namespace ? `in the namespace ${goQuote(r.namespace)}` : 'at the cluster scope';
  const what = `User ${goQuote(r.user)} cannot ${r.verb} resource ${goQuote(resource)} in API group ${goQuote(r.group)} ${scope}`;
  const qualified = r.group ? `${r.resource}.${r.group}` : r.resource;
  return r.name ? `${qualified} ${goQuote(r.name)} is forbidden: ${what}` : `${qualified} is forbidden: ${what}`;
}

/** The body of the apiserver's 403 as the kubernetes plugin keeps it (metav1.Status, JSON, trimmed). */
export function forbiddenStatusJson(r: ForbiddenRequest): string {
  const details: Record<string, string> = {};
  if (r.name) details.name = r.name;
  if (r.group) details.group = r.group;
  details.kind = r.resource;
  return goJson({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: forbiddenMessage(r),
    reason: 'Forbidden',
    details,
    code: 403,
  });
}

/** encoding/json escapes HTML characters and the JS line separators that JSON.stringify leaves alone. */
function goJson(value: unknown): string {
  const escapes: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => escapes[ch]!);
}

/** pkg/serviceaccount/jwt.go: the error the apiserver logs under "Unable to authenticate the request" (klog escapes its quotes). */
export function apiserverAudienceLine(tokenAudiences: readonly string[], targetAudiences: readonly string[]): string {
  return `token audiences ${goQuoteSlice(tokenAudiences)} is invalid for the target audiences ${goQuoteSlice(targetAudiences)}`;
}

/** A create/update with strict field validation on a custom resource (transformDecodeError around the strict decoding error). */
export function strictDecodingRejection(kind: string, version: string, unknownFields: readonly string[]): string {
  const fields = unknownFields.map((f) => `unknown field ${goQuote(f)}`).join(', ');
  return `${kind} in version ${goQuote(version)} cannot be handled as a ${kind}: strict decoding error: ${fields}`;
}
