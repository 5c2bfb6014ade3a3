import type { RawScenario } from './schema.ts';
import type { PkiRoleSpec } from './types.ts';

/**
 * The role every environment writes once and every scenario without `vault.pkiRole` signs with: any name, no CN
 * required, names taken from the CSR (Vault's defaults for the last two). vault/configure/pki.ts#pkiRoleBody
 * writes it; a scenario's `vault.pkiRole` changes only the fields it names.
 */
export const DEFAULT_PKI_ROLE_SPEC: Readonly<PkiRoleSpec> = Object.freeze({
  allowedDomains: [],
  allowSubdomains: false,
  allowBareDomains: false,
  allowAnyName: true,
  enforceHostnames: false,
  requireCn: false,
  useCsrSans: true,
  useCsrCommonName: true,
});

/** The scenario's role with every field resolved; `allowAnyName` follows whether it lists domains, unless set. */
export function resolvePkiRole(raw: NonNullable<RawScenario['vault']['pkiRole']>): PkiRoleSpec {
  const d = DEFAULT_PKI_ROLE_SPEC;
  return {
    allowedDomains: raw.allowedDomains ?? [],
    allowSubdomains: raw.allowSubdomains ?? d.allowSubdomains,
    allowBareDomains: raw.allowBareDomains ?? d.allowBareDomains,
    allowAnyName: raw.allowAnyName ?? raw.allowedDomains === undefined,
    enforceHostnames: raw.enforceHostnames ?? d.enforceHostnames,
    requireCn: raw.requireCn ?? d.requireCn,
    useCsrSans: raw.useCsrSans ?? d.useCsrSans,
    useCsrCommonName: raw.useCsrCommonName ?? d.useCsrCommonName,
  };
}
