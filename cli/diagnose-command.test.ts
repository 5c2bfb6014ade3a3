import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliHarness } from './testing.ts';

const DATA = join(import.meta.dirname, '..', 'diagnose', 'testdata');
const dir = mkdtempSync(join(tmpdir(), 'cm-vault-e2e-diagnose-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = cliHarness();

describe('diagnose (offline)', () => {
  it('names the class, prints the fix and writes two scenarios', async () => {
    const outDir = join(dir, 'mount');
    const r = await cli('diagnose', '--issuer-file', join(DATA, 'vault-mount-path', 'issuer.yaml'), '--vault-auth-list', join(DATA, 'vault-mount-path', 'auth-list.json'), '--out', outDir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Diagnosis: vault-mount-path (certain');
    expect(r.stdout).toContain('"mountPath":"/v1/auth/kubernetes"');
    expect(readFileSync(join(outDir, 'failure.yaml'), 'utf8')).toContain('failure: vault-mount-path');
    expect(readFileSync(join(outDir, 'fix.yaml'), 'utf8')).toContain('ready: true');
  });

  it('--json carries the class, the fix and the scenario paths', async () => {
    const r = await cli('diagnose', '--issuer-file', join(DATA, 'token-request-forbidden', 'issuer.yaml'), '--out', join(dir, 'tr'), '--json');
    const json = JSON.parse(r.stdout) as { outcome: string; confidence: string; fixes: Array<{ fix: { title: string } }>; scenarios: { ids: string[] } };
    expect(json.outcome).toBe('token-request-forbidden');
    expect(json.confidence).toBe('certain');
    expect(json.fixes[0]!.fix.title).toMatch(/Role \+ RoleBinding/);
    expect(json.scenarios.ids).toHaveLength(2);
  });

  it('bad input: one error naming the file, the field and the fix; exit 2; nothing written', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata: {name: x, namespace: y}\nspec: {vault: {server: s, auth: {kubernetes: {serviceAccountRef: {name: sa}}}}}\n');
    const r = await cli('diagnose', '--issuer-file', bad, '--out', join(dir, 'never'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: ${bad} (spec.vault.auth.kubernetes.role): is missing\n  fix: set spec.vault.auth.kubernetes.role to the Vault role\n`);
    expect(() => readFileSync(join(dir, 'never', 'failure.yaml'))).toThrow();
  });

  it('live and offline options do not mix; nothing to diagnose is bad input', async () => {
    const mixed = await cli('diagnose', '--issuer-file', join(DATA, 'vault-mount-path', 'issuer.yaml'), '--vault-token-file', 'x');
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('(--vault-token-file): is an option of live diagnose');
    expect((await cli('diagnose')).code).toBe(2);
  });

  it('an unreachable cluster is one clear error and exit 2', async () => {
    const kc = join(dir, 'kubeconfig');
    writeFileSync(kc, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n');
    const r = await cli('diagnose', '--kubeconfig', kc, '--issuer', 'team-a/vault-issuer');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*kubeconfig \(--kubeconfig\): the API server https:\/\/127\.0\.0\.1:1 cannot be reached: /);
  });
});
