import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../lib/errors.ts';
import { scenarioDir } from './testing.ts';
import { compareVersions, engineVersions, loadVersions } from './versions.ts';

const VALID = `kubernetes:
  default: v1.34.4
  versions:
    v1.34.4: {}
certManager:
  default: v1.21.1
  versions:
    v1.21.1: { commit: abc }
    v1.16.5: { commit: def }
vault:
  default: v1.21.0
  versions:
    v1.21.0:
      replace: { github.com/hashicorp/vault/sdk: v0.20.0 }
    v1.19.5: {}
openbao:
  default: v2.6.2
  versions:
    v2.6.2: { pseudo: v0.0.0-1 }
kind: { version: v0.30.0, module: sigs.k8s.io/kind }
`;

function versionsFile(text: string): string {
  const file = join(scenarioDir({}), 'versions.yaml');
  writeFileSync(file, text);
  return file;
}

function errorOf(text: string): InputError {
  try {
    loadVersions(versionsFile(text));
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('loadVersions', () => {
  it('loads the shipped versions.yaml', () => {
    const v = loadVersions();
    expect(v.kubernetes.default).toBe('v1.36.5');
    expect(v.certManager.versions).toEqual(['v1.14.7', 'v1.15.5', 'v1.16.5', 'v1.17.4', 'v1.18.6', 'v1.19.5', 'v1.20.3', 'v1.21.1', 'v1.21.2']);
    expect(v.vault.versions).toEqual(['v1.18.0', 'v1.19.0', 'v1.21.0', 'v1.21.1']);
    expect(v.openbao.default).toBe('v2.6.2');
    expect(v.file).toBe('versions.yaml');
  });

  it('sorts versions oldest first and keeps entries, pinned components and extra fields', () => {
    const v = loadVersions(versionsFile(VALID));
    expect(v.certManager.versions).toEqual(['v1.16.5', 'v1.21.1']);
    expect(v.certManager.entries['v1.21.1']?.commit).toBe('abc');
    expect(v.vault.entries['v1.21.0']?.replace).toEqual({ 'github.com/hashicorp/vault/sdk': 'v0.20.0' });
    expect(v.vault.entries['v1.19.5']).toEqual({});
    expect(v.pinned.kind).toEqual({ version: 'v0.30.0', module: 'sigs.k8s.io/kind' });
    expect(engineVersions(v, 'openbao').versions).toEqual(['v2.6.2']);
  });

  it('names the file, line, field and fix when a default is not pinned', () => {
    const err = errorOf(VALID.replace('default: v1.21.1', 'default: v1.22.0'));
    expect(err.where).toMatchObject({ line: 6, field: 'certManager.default' });
    expect(err.where.file).toMatch(/versions\.yaml$/);
    expect(err.format()).toMatch(/v1\.22\.0 is not listed under certManager\.versions\n  fix: add v1\.22\.0/);
  });

  it('CI builds the default plus the listed `ci` versions; an unpinned `ci` version names its line and the fix', () => {
    expect(loadVersions(versionsFile(VALID)).certManager.ci).toEqual(['v1.21.1']);
    const withCi = loadVersions(versionsFile(VALID.replace('  default: v1.21.1\n', '  default: v1.21.1\n  ci: [v1.16.5]\n')));
    expect(withCi.certManager.ci).toEqual(['v1.16.5', 'v1.21.1']);
    expect(withCi.vault.ci).toEqual(['v1.21.0']);
    const err = errorOf(VALID.replace('  default: v1.21.1\n', '  default: v1.21.1\n  ci: [v1.16.5, v1.17.4]\n'));
    expect(err.where).toMatchObject({ line: 7, field: 'certManager.ci[1]' });
    expect(err.format()).toMatch(/v1\.17\.4 is not listed under certManager\.versions\n  fix: pin it under certManager\.versions/);
  });

  it('rejects a malformed version, a missing section and malformed YAML', () => {
    expect(errorOf(VALID.replace('v1.16.5: { commit: def }', '1.16: { commit: def }')).problem).toMatch(/v1\.16\.5/);
    const missing = errorOf(VALID.replace(/openbao:[\s\S]*?pseudo: v0\.0\.0-1 }\n/, ''));
    expect(missing.where.field).toBe('openbao');
    expect(missing.problem).toMatch(/missing required field `openbao`/);
    const yaml = errorOf(VALID.replace('kubernetes:\n', 'kubernetes: [\n'));
    expect(yaml.problem).toMatch(/malformed YAML/);
    expect(yaml.where.line).toBeGreaterThan(0);
  });

  it('compares versions numerically', () => {
    expect(compareVersions('v1.9.0', 'v1.15.0')).toBeLessThan(0);
    expect(compareVersions('v1.21.1', 'v1.20.3')).toBeGreaterThan(0);
    expect(compareVersions('v1.16.5', 'v1.16.5')).toBe(0);
  });

  it('orders a pre-release before its release, not as NaN', () => {
    expect(compareVersions('v1.21.0-alpha.1', 'v1.21.0')).toBeLessThan(0);
    expect(compareVersions('v1.21.0-rc.1', 'v1.21.0-beta.2')).toBeGreaterThan(0);
    expect(['v1.21.0', 'v1.21.0-rc.1', 'v1.20.3'].sort(compareVersions)).toEqual(['v1.20.3', 'v1.21.0-rc.1', 'v1.21.0']);
  });
});
