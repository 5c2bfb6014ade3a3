import type { Recipe } from '../recipe.ts';
import { goInstallRecipe } from './go-install.ts';

// Vault replaces api, api/auth/* and sdk with ./ paths; the wrapper drops those and builds against published
// versions, keeping its other (non-local) replaces. Where the sdk its go.mod names does not match the tag's own
// copy (v1.21.4 names sdk v0.21.0, whose ActivationFunc gained an argument), versions.yaml pins a replacement.
export const vaultRecipe = (version: string, pinnedReplaces: Record<string, string> = {}): Recipe =>
  goInstallRecipe({
    name: 'vault',
    module: 'github.com/hashicorp/vault',
    version,
    sets: ['local', 'kind'],
    pinnedReplaces,
    // The checksum database this machine reaches lacks some of Vault's plugin modules (404); the proxy serves them.
    env: { GONOSUMDB: 'github.com/hashicorp/vault-plugin-*' },
    binaries: [{ name: 'vault', pkg: 'github.com/hashicorp/vault', versionArgs: ['version'], versionContains: version }],
  });

// OpenBao tags v2.x without a /v2 module path; only pseudo-versions could name them, and this machine's Go module
// proxy serves none of them (every request answers 403).
export const openbaoRecipe = (version: string): Recipe => ({
  kind: 'unavailable',
  name: 'openbao',
  version,
  sets: ['local', 'kind'],
  binaries: [{ name: 'bao', pkg: 'github.com/openbao/openbao', versionArgs: ['version'], versionContains: version }],
  reason: 'the Go module proxy serves no version of github.com/openbao/openbao (its v2 tags lack a /v2 module path)',
  advice: `put an official OpenBao ${version} \`bao\` binary on PATH (or set CM_VAULT_E2E_BAO=/path/to/bao); OpenBao scenarios are skipped until then`,
});
