// The vault/ module's public API: placements, configuration through node-vault, log reading, redaction.
export type { RunningVault, VaultPlacement } from './placements/placement.ts';
export { LocalVault, type LocalRunningVault } from './placements/local-process.ts';
export { cleanLocalVaults, readStateFiles, type LocalVaultState } from './placements/local-state.ts';
export { createVaultClient, type VaultClient, type VaultClientOptions } from './client.ts';
export { enablePki, DEFAULT_PKI_ROLE, type PkiOptions } from './configure/pki.ts';
export { writeIssuerPolicy, issuerPolicyHcl, type IssuerPolicyOptions } from './configure/policy.ts';
export {
  configureKubernetesAuth,
  writeKubernetesRole,
  type KubernetesAuthOptions,
  type KubernetesRoleOptions,
} from './configure/kubernetes-auth.ts';
export { configureJwtAuth, writeJwtRole, type JwtAuthOptions, type JwtRoleOptions } from './configure/jwt-auth.ts';
export { login, type LoginOptions, type LoginResult } from './configure/login.ts';
export {
  parseVaultLog,
  parseVaultLogLine,
  findAuthLines,
  authFailureReason,
  type VaultLogEntry,
  type VaultLogLevel,
} from './log.ts';
export { redact, redactLines, type Secret } from './redact.ts';
export * as vaultTexts from './texts.ts';
