// Where each rule comes from, as `repo@tag path#symbol`. Every tag below is one the rules were read at.
import type { VaultEngine } from '../types.ts';
import type { CertManagerVersion } from './version.ts';

/**
 * versions.yaml's default Kubernetes, where the apiserver texts were read (pkg/serviceaccount/jwt.go's
 * `token audiences %q is invalid for the target audiences %q` among them); a unit test keeps the two together.
 */
export const KUBERNETES_TAG = 'v1.36.5';
/** The Vault release whose code the rules were read at: versions.yaml's default Vault. */
export const VAULT_TAG = 'v1.21.0';
/**
 * The modules Vault v1.21.0 builds in, at the versions its go.mod requires (what provisioning builds; a unit test
 * reads them from that go.mod). The audience rules are unchanged since kubernetes plugin v0.18 / jwt v0.20.
 */
export const VAULT_MODULES = {
  'github.com/hashicorp/vault-plugin-auth-kubernetes': 'v0.23.0',
  'github.com/hashicorp/vault-plugin-auth-jwt': 'v0.25.0',
  'github.com/hashicorp/cap': 'v0.11.0',
  'github.com/hashicorp/vault/api': 'v1.22.0',
  'github.com/hashicorp/vault/sdk': 'v0.20.0',
  'github.com/hashicorp/go-hclog': 'v1.6.3',
} as const;
const VAULT_KUBERNETES_PLUGIN = `hashicorp/vault-plugin-auth-kubernetes@${VAULT_MODULES['github.com/hashicorp/vault-plugin-auth-kubernetes']}`;
const VAULT_JWT_PLUGIN = `hashicorp/vault-plugin-auth-jwt@${VAULT_MODULES['github.com/hashicorp/vault-plugin-auth-jwt']}`;
/** OpenBao carries both plugins in-tree. */
const OPENBAO = 'openbao/openbao@v2.6.2';

export function certManager(version: CertManagerVersion, path: string, symbol: string): string {
  return `cert-manager/cert-manager@${version.tag} ${path}#${symbol}`;
}

export function kubernetes(path: string, symbol: string): string {
  return `kubernetes/kubernetes@${KUBERNETES_TAG} ${path}#${symbol}`;
}

/** `file` is relative to the plugin's root (e.g. `path_login.go`). */
export function kubernetesAuthPlugin(engine: VaultEngine, file: string, symbol: string): string {
  return engine === 'openbao'
    ? `${OPENBAO} builtin/credential/kubernetes/${file}#${symbol}`
    : `${VAULT_KUBERNETES_PLUGIN} ${file}#${symbol}`;
}

export function jwtAuthPlugin(engine: VaultEngine, file: string, symbol: string): string {
  return engine === 'openbao' ? `${OPENBAO} builtin/credential/jwt/${file}#${symbol}` : `${VAULT_JWT_PLUGIN} ${file}#${symbol}`;
}

/** Vault's core (request routing, token checks), at the release the suite runs by default. */
export function vaultCore(path: string, symbol: string): string {
  return `hashicorp/vault@${VAULT_TAG} ${path}#${symbol}`;
}

/** OpenBao's core, where it has moved or changed Vault's (e.g. the ACL lives in vault/policy/acl.go). */
export function openbaoCore(path: string, symbol: string): string {
  return `${OPENBAO} ${path}#${symbol}`;
}

/** The audience comparison both plugins delegate to. */
export const CAP_VALIDATE_AUDIENCE = `hashicorp/cap@${VAULT_MODULES['github.com/hashicorp/cap']} jwt/jwt.go#validateAudience`;
/** How cert-manager's Vault client prints a non-2xx answer (the format is the same from api v1.10.0 to v1.23.0). */
export const VAULT_API_RESPONSE_ERROR = `hashicorp/vault@api/${VAULT_MODULES['github.com/hashicorp/vault/api']} api/response.go#ResponseError.Error`;
/** How Vault turns a plugin's answer into an HTTP status: coded errors keep their code, error responses are 400. */
export const VAULT_SDK_RESPOND_ERROR = `hashicorp/vault@sdk/${VAULT_MODULES['github.com/hashicorp/vault/sdk']} sdk/logical/response_util.go#RespondErrorCommon,AdjustErrorStatusCode`;
/** How Vault writes a `key=value` pair in its standard log format. */
export const HCLOG_PLAIN = `hashicorp/go-hclog@${VAULT_MODULES['github.com/hashicorp/go-hclog']} intlogger.go#logPlain`;

export function all(...sources: string[]): string {
  return sources.join('; ');
}
