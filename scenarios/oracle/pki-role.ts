import { DEFAULT_PKI_ROLE_SPEC } from '../pki-role.ts';
import type { CertificateSpec, PkiRoleSpec, SignedNames, VaultEngine } from '../types.ts';
import { openbaoCore, vaultCore } from './sources.ts';

/**
 * The PKI backend's own checks on `pki/sign/<role>`, after the ACL let the request through. The role, not the ACL,
 * judges the CSR: the ACL only sees the request's parameters, the role sees the names it is about to sign.
 *
 * Vault (builtin/logical/pki/issuing/issue_common.go#GenerateCreationBundle, ValidateNames) and OpenBao (forked
 * before the move into issuing/: builtin/logical/pki/cert_util.go#generateCreationBundle, validateNames) agree on
 * everything modelled here:
 * - the CN is the CSR subject's when `use_csr_common_name`, else (or when that is empty) the `common_name`
 *   parameter; an empty CN under `require_cn` is refused with REQUIRE_CN_ERROR;
 * - the DNS SANs are the CSR's when `use_csr_sans`, else `alt_names`; cert-manager sends
 *   `exclude_cn_from_sans=true`, so the CN is not added to them;
 * - a CN is checked (when not empty) before the SANs, the first name the role refuses is named in the error;
 * - a name passes `allow_any_name` (then only `enforce_hostnames` applies), `localhost` (allow_localhost, default
 *   true), an equal `allowed_domains` entry with `allow_bare_domains`, or one of its subdomains with
 *   `allow_subdomains`. Glob domains and wildcard names are not modelled: no scenario asks for them.
 * - URI SANs need `allowed_uri_sans`, which the suite's roles never set, so any URI is refused.
 * cert-manager sends the CSR's own names as parameters (internal/vault/vault.go#Vault.Sign), so CSR and
 * parameters agree for every request the suite makes.
 */

export const REQUIRE_CN_ERROR = 'the common_name field is required, or must be provided in a CSR with "use_csr_common_name" set to true, unless "require_cn" is set to false';

/** Where each engine's role checks live, for `explain`. */
export function pkiRoleSource(engine: VaultEngine): string {
  return engine === 'openbao'
    ? openbaoCore('builtin/logical/pki/cert_util.go', 'generateCreationBundle,validateNames')
    : vaultCore('builtin/logical/pki/issuing/issue_common.go', 'GenerateCreationBundle,ValidateNames');
}

export interface PkiRoleDecision {
  allowed: boolean;
  /** The backend's error (HTTP 400) when refused. */
  error?: string;
  /** What is signed when allowed: the subject CN ('' = none) and the SANs, as `DNS:`/`IP Address:`/`URI:` entries. */
  signed?: SignedNames;
  why: string;
}

const HOSTNAME = /^(([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$/i;
const LOCALHOST = new Set(['localhost', 'localhost.localdomain']);

/** Whether the role lets `name` into a certificate (ValidateNames, for the cases above). */
export function nameAllowed(role: PkiRoleSpec, name: string): boolean {
  if (role.enforceHostnames && !HOSTNAME.test(name)) return false;
  if (role.allowAnyName) return true;
  if (LOCALHOST.has(name)) return true;
  return role.allowedDomains.some((d) => (role.allowBareDomains && name === d) || (role.allowSubdomains && name.endsWith(`.${d}`)));
}

/** The role's answer to cert-manager's sign request for `names` (the probe Certificate's). */
export function pkiRoleDecision(role: PkiRoleSpec = DEFAULT_PKI_ROLE_SPEC, names: CertificateSpec): PkiRoleDecision {
  // CSR subject and `common_name` carry the same CN in cert-manager's request, so either source gives it.
  const cn = names.commonName ?? '';
  if (cn === '' && role.requireCn) return { allowed: false, error: REQUIRE_CN_ERROR, why: 'the CSR has no CN, cert-manager sends common_name="", and the role sets require_cn' };
  if (cn !== '' && !nameAllowed(role, cn)) return { allowed: false, error: `common name ${cn} not allowed by this role`, why: `the role does not allow the CN ${cn} (${describeRole(role)})` };
  const bad = names.dnsNames.find((d) => !nameAllowed(role, d));
  if (bad !== undefined) return { allowed: false, error: `subject alternate name ${bad} not allowed by this role`, why: `the role does not allow the DNS name ${bad} (${describeRole(role)})` };
  if (names.uriSANs.length) {
    const error = `URI Subject Alternative Names are not allowed in this role, but were provided ${role.useCsrSans ? 'via CSR' : 'via the API'}`;
    return { allowed: false, error, why: 'the role sets no allowed_uri_sans' };
  }
  // Vault dedups and sorts the DNS names (strutil.RemoveDuplicates); compared sorted, the order does not matter.
  const sans = [...names.dnsNames.map((d) => `DNS:${d}`), ...names.ipAddresses.map((ip) => `IP Address:${ip}`)].sort();
  return { allowed: true, signed: { commonName: cn, sans }, why: `the role allows every name (${describeRole(role)})` };
}

export function describeRole(r: PkiRoleSpec): string {
  if (r.allowAnyName) return `allow_any_name${r.enforceHostnames ? ', enforce_hostnames' : ''}, require_cn=${r.requireCn}`;
  const how = [r.allowBareDomains ? 'allow_bare_domains' : '', r.allowSubdomains ? 'allow_subdomains' : ''].filter(Boolean).join(', ');
  return `allowed_domains=${r.allowedDomains.join(',') || '(none)'}${how ? `, ${how}` : ''}, require_cn=${r.requireCn}`;
}
