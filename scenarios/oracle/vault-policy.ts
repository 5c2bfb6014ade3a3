import type { ExplainStep, HardenedVaultPolicy, SignPrediction, VaultEngine } from '../types.ts';
import { compareVersions } from '../versions.ts';
import { vaultApiError } from './messages.ts';
import type { OracleContext } from './model.ts';
import { all, certManager, openbaoCore, VAULT_API_RESPONSE_ERROR, VAULT_SDK_RESPOND_ERROR, vaultCore } from './sources.ts';
import { pkiRoleDecision, pkiRoleSource } from './pki-role.ts';
import { DEFAULT_PKI_ROLE_SPEC } from '../pki-role.ts';

/**
 * The sign step: cert-manager posts the CSR to `spec.vault.path` with the token the login gave it, and Vault's
 * ACL decides before the PKI backend sees the request. The role's policy is the scenario's `vault.policy`.
 */

/** The PKI role runner/vault-handle.ts prepares in every Vault, which scenarios without `vault.pkiRole` sign with. */
const SHARED_PKI_ROLE = 'cm-vault-e2e';

/** The role a scenario signs with: the shared one, or its own (runner/vault-policy.ts writes it) when it sets `vault.pkiRole`. */
export function pkiRoleName(plan: { id: string; vault: { pkiRole?: unknown } }): string {
  return plan.vault.pkiRole ? `${SHARED_PKI_ROLE}-${plan.id}` : SHARED_PKI_ROLE;
}

/** Where the scenario's Issuer signs, on the PKI mount every Vault of the suite has. */
export function pkiSignPath(plan: { id: string; vault: { pkiRole?: unknown } }): string {
  return `pki/sign/${pkiRoleName(plan)}`;
}
/** The probe Certificate's `spec.duration` (runner/manifests.ts#certificateObject), as Go's Duration.String prints it. */
export const PROBE_TTL = '1h0m0s';
/** A stand-in for the PEM cert-manager sends: only a glob on its first or last characters can be predicted. */
const CSR_STAND_IN = '-----BEGIN CERTIFICATE REQUEST-----\n…\n-----END CERTIFICATE REQUEST-----\n';

/** Vault's 403 for an ACL refusal: CheckToken's multierror, returned as the error response's text. */
export const ACL_PERMISSION_DENIED = '1 error occurred:\n\t* permission denied\n\n';

const GLOB = 'hashicorp/go-secure-stdlib@strutil/v0.1.2 strutil/strutil.go#GlobbedStringsMatch';
const COMMA_LIST = 'hashicorp/go-secure-stdlib@parseutil/v0.2.0 parseutil/parseutil.go#ParseCommaStringSlice';
/**
 * Where each engine's ACL rules live. OpenBao forked before Vault 1.21 and moved the ACL to vault/policy/acl.go;
 * its valueInSlice matches the whole value only (openbao/openbao@v2.6.2), like Vault before 1.21.
 */
const ACL_SOURCES: Record<VaultEngine, { allow: string; values: string; checkToken: string }> = {
  vault: {
    allow: vaultCore('vault/acl.go', 'ACL.AllowOperation'),
    values: vaultCore('vault/acl.go', 'valueInAllowedParameterList,valueInParameterList'),
    checkToken: vaultCore('vault/request_handling.go', 'Core.CheckToken,Core.handleRequest'),
  },
  openbao: {
    allow: openbaoCore('vault/policy/acl.go', 'ACL.AllowOperation'),
    values: openbaoCore('vault/policy/acl.go', 'valueInParameterList,valueInSlice'),
    checkToken: openbaoCore('vault/request_handling.go', 'Core.CheckToken,Core.handleRequest'),
  },
};
/** Since Vault 1.21 a string value is also read as a comma-separated list, every element of which must be allowed. */
const LIST_MATCHING_SINCE = 'v1.21.0';

/** Whether the engine's ACL also reads a string value as a comma-separated list (Vault ≥ 1.21; no OpenBao release). */
export function aclListMatching(vault: { engine: VaultEngine; version: string }): boolean {
  return vault.engine === 'vault' && compareVersions(vault.version, LIST_MATCHING_SINCE) >= 0;
}

/** The JSON body of cert-manager's sign request, keys in the order its Go map literal lists them. */
export function signParameters(ctx: OracleContext, csr = CSR_STAND_IN): Array<[string, string]> {
  const names = ctx.plan.certificate;
  return [
    ['common_name', names?.commonName ?? ''],
    ['alt_names', (names?.dnsNames ?? []).join(',')],
    ['ip_sans', (names?.ipAddresses ?? []).join(',')],
    ['uri_sans', (names?.uriSANs ?? []).join(',')],
    ['ttl', PROBE_TTL],
    ['csr', csr],
    ['exclude_cn_from_sans', 'true'],
  ];
}

/** GlobbedStringsMatch: one leading and/or trailing `*`; a pattern shorter than two characters matches only itself. */
export function globMatches(pattern: string, value: string): boolean {
  if (pattern.length < 2) return value === pattern;
  const prefix = pattern.startsWith('*');
  const suffix = pattern.endsWith('*');
  if (prefix && suffix) return value.includes(pattern.slice(1, -1));
  if (prefix) return value.endsWith(pattern.slice(1));
  if (suffix) return value.startsWith(pattern.slice(0, -1));
  return value === pattern;
}

/** Whether Vault accepts `value` for a parameter whose allowed values are `patterns` (empty = any). */
export function valueAllowed(patterns: readonly string[], value: string, listMatching: boolean): boolean {
  if (patterns.length === 0) return true;
  if (patterns.some((p) => globMatches(p, value))) return true;
  if (!listMatching) return false;
  // "" parses as an empty list, so it passes any constraint; otherwise every trimmed element must match.
  const elements = value === '' ? [] : value.split(',').map((e) => e.trim());
  return elements.every((e) => patterns.some((p) => globMatches(p, e)));
}

/**
 * Whether a value is denied (valueInDeniedParameterList): `[]` denies any value; a glob match of the whole value
 * denies; since Vault 1.21 any element of the comma-split value matching denies too. A pattern shorter than two
 * characters matches only itself, so `""` denies exactly the empty value, on every engine.
 */
export function valueDenied(patterns: readonly string[], value: string, listMatching: boolean): boolean {
  if (patterns.length === 0) return true;
  if (patterns.some((p) => globMatches(p, value))) return true;
  if (!listMatching || value === '') return false;
  return value.split(',').some((e) => patterns.some((p) => globMatches(p, e.trim())));
}

/** The first parameter denied_parameters refuses, as the reason; else undefined. */
function deniedParameter(denied: Record<string, string[]>, params: ReadonlyArray<[string, string]>, listMatching: boolean): string | undefined {
  const rules = new Map(Object.entries(denied).map(([k, v]) => [k.toLowerCase(), v] as const));
  // A "*" key denies the request whatever its values list (AllowOperation checks the key only).
  if (rules.has('*')) return 'denied_parameters has a "*" entry: every request is denied';
  for (const [key, value] of params) {
    const patterns = rules.get(key);
    if (patterns && valueDenied(patterns, value, listMatching)) return `denied_parameters refuses "${key}" = ${JSON.stringify(value)} (${JSON.stringify(patterns)})`;
  }
  return undefined;
}

interface AclDecision {
  allowed: boolean;
  why: string;
}

export function aclDecision(policy: HardenedVaultPolicy, params: ReadonlyArray<[string, string]>, listMatching: boolean, signPath = pkiSignPath({ id: '', vault: {} })): AclDecision {
  if (!policy.paths.includes('sign')) {
    return { allowed: false, why: `the policy grants ${policy.paths.map((p) => `pki/${p}/…`).join(', ')} only: no capability on ${signPath}` };
  }
  const sent = new Set(params.map(([k]) => k));
  const missing = policy.requiredParameters.find((p) => !sent.has(p.toLowerCase()));
  if (missing) return { allowed: false, why: `required parameter "${missing}" is not in the request (cert-manager sends ${[...sent].join(', ')})` };
  const denial = deniedParameter(policy.deniedParameters, params, listMatching);
  if (denial) return { allowed: false, why: denial };
  const allowed = new Map(Object.entries(policy.allowedParameters).map(([k, v]) => [k.toLowerCase(), v] as const));
  if (allowed.size === 0) return { allowed: true, why: 'no allowed_parameters: any parameter, any value' };
  const anyOther = allowed.has('*');
  if (allowed.size === 1 && anyOther) return { allowed: true, why: 'allowed_parameters is only "*": any parameter, any value' };
  for (const [key, value] of params) {
    const patterns = allowed.get(key);
    if (!patterns && !anyOther) {
      return { allowed: false, why: `cert-manager sends "${key}", which allowed_parameters does not list (and there is no "*" entry)` };
    }
    if (patterns && !valueAllowed(patterns, value, listMatching)) {
      return { allowed: false, why: `"${key}" = ${JSON.stringify(value)} matches none of ${JSON.stringify(patterns)}` };
    }
  }
  return { allowed: true, why: 'every parameter cert-manager sends is listed and its value matches' };
}

export interface SignOutcome {
  sign: SignPrediction;
  /** Who refused: the ACL (403) or the PKI role (400). */
  failure?: 'vault-policy-denied' | 'pki-role-denied';
  /** The audit entry's error when refused. */
  error?: string;
  steps: ExplainStep[];
}

/** The sign request and Vault's ACL answer, as the CertificateRequest's Ready condition ends up. */
export function signRequest(ctx: OracleContext): SignOutcome {
  const { plan, facts } = ctx;
  const url = `${facts.vaultServer.replace(/\/+$/, '')}/v1/${pkiSignPath(plan)}`;
  const sendSource = certManager(ctx.certManager, 'internal/vault/vault.go', 'Vault.Sign');
  const params = signParameters(ctx);
  const steps: ExplainStep[] = [
    {
      step: 'sign request',
      detail: `cert-manager sends POST ${url} with ${params.map(([k, v]) => (k === 'csr' ? 'csr=<PEM>' : `${k}=${JSON.stringify(v)}`)).join(', ')}.`,
      source: sendSource,
    },
  ];
  const policy = plan.vault.policy;
  const listMatching = aclListMatching(plan.vault);
  const acl = ACL_SOURCES[plan.vault.engine];
  const decision: AclDecision = policy
    ? aclDecision(policy, params, listMatching, pkiSignPath(plan))
    : { allowed: true, why: 'the default policy: create/update on pki/sign/<role> and pki/issue/<role>, no parameter constraints' };
  steps.push({
    step: 'Vault policy',
    detail:
      `${policy ? `hardened policy (${describePolicy(policy)})` : 'default policy'}: ${decision.why}` +
      (policy && !listMatching ? ` (${plan.vault.engine === 'openbao' ? 'OpenBao' : 'Vault'} ${plan.vault.version} matches each value whole; Vault 1.21 added per-element matching of comma lists)` : '') +
      (decision.allowed ? ': allowed.' : ': Vault answers 403.'),
    source: policy ? all(acl.allow, acl.values, GLOB, ...(listMatching ? [COMMA_LIST] : []), ...(decision.allowed ? [] : [acl.checkToken])) : acl.allow,
  });
  const crSource = all(certManager(ctx.certManager, 'pkg/controller/certificaterequests/vault/vault.go', 'Vault.Sign'), certManager(ctx.certManager, 'pkg/controller/certificaterequests/util/reporter.go', 'Reporter.Failed'));
  const failedDetail = (code: number) =>
    `cert-manager marks the request failed (no retry until the Certificate is re-issued): Ready=False, reason Failed, message "Vault failed to sign certificate: failed to sign certificate by vault: " followed by the Vault client's error (Code: ${code}).`;
  const failed = (code: number, error: string): SignPrediction => ({
    allowed: false,
    certificateRequest: { status: 'False', reason: 'Failed', message: `Vault failed to sign certificate: failed to sign certificate by vault: ${vaultApiError('POST', url, code, [error])}` },
  });
  if (!decision.allowed) {
    steps.push({ step: 'CertificateRequest', detail: failedDetail(403), source: all(crSource, sendSource, VAULT_API_RESPONSE_ERROR) });
    return { sign: failed(403, ACL_PERMISSION_DENIED), failure: 'vault-policy-denied', error: ACL_PERMISSION_DENIED, steps };
  }
  // Past the ACL, the PKI role judges the names (scenarios/oracle/pki-role.ts). The shared role allows any name.
  const role = plan.vault.pkiRole ?? DEFAULT_PKI_ROLE_SPEC;
  const names = plan.certificate;
  const pki = names ? pkiRoleDecision(role, names) : { allowed: true, why: 'the probe asks for its own name, which the shared role (allow_any_name) allows' };
  steps.push({
    step: 'PKI role',
    detail: `role ${pkiRoleName(plan)}: ${pki.why}` + (pki.allowed ? (pki.signed ? `: signed with subject CN ${pki.signed.commonName ? JSON.stringify(pki.signed.commonName) : '(none)'}, SANs ${pki.signed.sans.join(', ') || '(none)'}.` : ': signed.') : `: Vault answers 400 "${pki.error}".`),
    source: pki.allowed ? pkiRoleSource(plan.vault.engine) : all(pkiRoleSource(plan.vault.engine), VAULT_SDK_RESPOND_ERROR),
  });
  if (!pki.allowed) {
    steps.push({ step: 'CertificateRequest', detail: failedDetail(400), source: all(crSource, sendSource, VAULT_API_RESPONSE_ERROR) });
    return { sign: failed(400, pki.error!), failure: 'pki-role-denied', steps };
  }
  const certificateRequest = { status: 'True' as const, reason: 'Issued', message: 'Certificate fetched from issuer successfully' };
  steps.push({ step: 'CertificateRequest', detail: `Vault signs; the CertificateRequest becomes Ready=True, reason Issued.`, source: crSource });
  return { sign: { allowed: true, certificateRequest, ...('signed' in pki && pki.signed ? { signed: pki.signed } : {}) }, steps };
}

export function describePolicy(p: HardenedVaultPolicy): string {
  const allowed = Object.entries(p.allowedParameters).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return [
    `paths ${p.paths.join('+')}`,
    p.requiredParameters.length ? `required_parameters ${JSON.stringify(p.requiredParameters)}` : '',
    allowed.length ? `allowed_parameters {${allowed.join(', ')}}` : '',
    Object.keys(p.deniedParameters).length ? `denied_parameters {${Object.entries(p.deniedParameters).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/** The policy every Vault of the suite holds for issuers (runner/vault-handle.ts writes it). */
export const DEFAULT_ISSUER_POLICY = 'cm-vault-e2e-issuer';

/**
 * The policy the scenario's role hands out: the shared default, or the scenario's own — its hardened one, or the
 * default shape on its own PKI role's paths (the shared policy names the shared role only).
 */
export function issuerPolicyName(plan: { id: string; vault: { policy?: HardenedVaultPolicy; pkiRole?: unknown } }): string {
  return plan.vault.policy || plan.vault.pkiRole ? `cm-vault-e2e-${plan.id}` : DEFAULT_ISSUER_POLICY;
}
