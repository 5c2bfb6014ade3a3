import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../lib/package-root.ts';
import { repoFiles } from '../lib/repo-files.ts';
import { dockerHost, runSettings, sourceSettings } from './run-settings.ts';

describe('settings read from the environment', () => {
  it('where components come from: the source policy and the two mirrors', () => {
    const env = { CM_VAULT_E2E_SOURCE: 'build', CM_VAULT_E2E_OFFICIAL_MIRROR: 'http://127.0.0.1:8080/m', CM_VAULT_E2E_DEBIAN_MIRROR: 'http://deb.example/debian' };
    expect(sourceSettings(env)).toEqual({ source: 'build', officialMirror: 'http://127.0.0.1:8080/m', debianMirror: 'http://deb.example/debian' });
    expect(sourceSettings({})).toEqual({ source: 'auto' });
    const run = runSettings({}, env);
    expect(run).toMatchObject({ source: 'build', officialMirror: 'http://127.0.0.1:8080/m', kind: { debianMirror: 'http://deb.example/debian' } });
    expect(runSettings({}, {}).kind).toEqual({ keepFailed: false });
  });

  it("Docker's own DOCKER_HOST, for doctor", () => {
    expect(dockerHost({ DOCKER_HOST: 'tcp://10.0.0.2:2375' })).toBe('tcp://10.0.0.2:2375');
    expect(dockerHost({ DOCKER_HOST: '' })).toBeUndefined();
  });
});

/**
 * Modules below the CLI that touch process.env, each for a reason other than a setting of ours; anything else
 * takes its settings as values from cli/run-settings.ts. Tests, e2e suites, scripts and vitest's config are entry
 * points themselves.
 */
const ENV_TOUCHED_BELOW_THE_CLI: Record<string, string> = {
  'cli/run-settings.ts': 'the one reader of our settings',
  'cli/commands/diagnose.ts': 'VAULT_TOKEN: a secret the CLI takes from its environment, never from argv',
  'provision/cache.ts': "CM_VAULT_E2E_CACHE: every cacheLayout()'s default root, for the CLI and the e2e suites and scripts alike",
  'provision/go.ts': "GOPROXY, the go command's own, named in an error",
  'provision/host-packages.ts': 'PATH, where the commands it looks for are found',
  'lib/process.ts': 'children inherit the environment',
  'vault/placements/local-process.ts': "the Vault server's environment, inherited",
  'vault/placements/container.ts': 'writes TESTCONTAINERS_RYUK_DISABLED: testcontainers takes its settings from the environment only',
};

function sourcesTouchingEnv(root: string): string[] {
  return repoFiles(root).filter(
    (f) => f.endsWith('.ts') && !/\.(test|e2e)\.ts$/.test(f) && !/^(e2e|bench)\//.test(f) && f !== 'vitest.config.ts' && /\bprocess\.env\b/.test(readFileSync(join(root, f), 'utf8')),
  );
}

describe('the process environment below the CLI', () => {
  it('is read only where ENV_TOUCHED_BELOW_THE_CLI says why', () => {
    expect(sourcesTouchingEnv(PACKAGE_ROOT)).toEqual(Object.keys(ENV_TOUCHED_BELOW_THE_CLI).sort());
  });
});
