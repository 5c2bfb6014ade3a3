import { execa } from 'execa';
import { statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HELM_TARGET_ENV, helmEnv, helmTargetArgs } from '../certmanager/helm-target.ts';
import { useTempDir } from '../lib/test-support/temp-dir.ts';
import { pinKubeconfig, pinnedKubeconfigText } from './pinned-kubeconfig.ts';

const dir = useTempDir('existing-pinned');
const kubeconfig = (current: string) => `apiVersion: v1
kind: Config
clusters:
  - { name: test, cluster: { server: 'https://test.example:6443/', certificate-authority: certs/ca.pem } }
  - { name: prod, cluster: { server: 'https://prod.example:6443' } }
users:
  - { name: tester, user: { client-certificate: certs/me.pem, client-key: /abs/me-key.pem, exec: { apiVersion: client.authentication.k8s.io/v1, command: ./bin/login, args: [--x] } } }
  - { name: admin, user: { token: not-a-real-one } }
contexts:
  - { name: test, context: { cluster: test, user: tester, namespace: team-a } }
  - { name: prod, context: { cluster: prod, user: admin } }
current-context: ${current}
`;

describe('the run pins the context current at its start (issue 29 finding 2)', () => {
  it("writes a 0600 copy holding only that context, its cluster and user, which a later use-context in the user's file does not move", async () => {
    const file = join(dir(), 'config');
    await writeFile(file, kubeconfig('test'));
    const { kc, pinned } = await pinKubeconfig(file, dir());
    // someone switches the user's kubeconfig to production while the run goes on
    await writeFile(file, kubeconfig('prod'));

    expect(pinned).toMatchObject({ kubeContext: 'test', server: 'https://test.example:6443', source: file });
    expect(statSync(pinned.kubeconfigPath).mode & 0o777).toBe(0o600);
    const copy = parse(await readFile(pinned.kubeconfigPath, 'utf8'));
    expect(copy['current-context']).toBe('test');
    expect(copy.contexts.map((c: { name: string }) => c.name)).toEqual(['test']);
    expect(copy.clusters.map((c: { name: string }) => c.name)).toEqual(['test']);
    expect(copy.users.map((u: { name: string }) => u.name)).toEqual(['tester']);
    expect(JSON.stringify(copy)).not.toContain('prod.example');
    expect(kc.getCurrentContext()).toBe('test');
    expect(kc.getCurrentCluster()?.server).toBe('https://test.example:6443');

    // every helm of the run goes to that copy and that context, by name
    expect(helmTargetArgs(pinned)).toEqual(['--kubeconfig', pinned.kubeconfigPath, '--kube-context', 'test']);
  });

  it('resolves relative paths against the kubeconfig\'s directory, as kubectl does', () => {
    const { text } = pinnedKubeconfigText(kubeconfig('test'), '/home/me/.kube/config');
    const copy = parse(text);
    expect(copy.clusters[0].cluster['certificate-authority']).toBe('/home/me/.kube/certs/ca.pem');
    expect(copy.users[0].user['client-certificate']).toBe('/home/me/.kube/certs/me.pem');
    expect(copy.users[0].user['client-key']).toBe('/abs/me-key.pem');
    expect(copy.users[0].user.exec).toEqual({ apiVersion: 'client.authentication.k8s.io/v1', command: '/home/me/.kube/bin/login', args: ['--x'] });
    expect(copy.contexts[0].context.namespace).toBe('team-a');
  });

  it('refuses a kubeconfig without a usable current context, naming the file and the fix', () => {
    expect(() => pinnedKubeconfigText(kubeconfig('staging'), '/k/config')).toThrow(/\/k\/config \(--kubeconfig\): its current context staging names no cluster/);
    expect(() => pinnedKubeconfigText('apiVersion: v1\nkind: Config\n', '/k/config')).toThrow(/has no current context/);
  });
});

describe("helm's environment (issue 29 finding 2)", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of HELM_TARGET_ENV) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it('does not pass on HELM_KUBECONTEXT, HELM_KUBEAPISERVER, KUBECONFIG or the rest of what picks another cluster', async () => {
    process.env.HELM_KUBECONTEXT = 'prod';
    process.env.HELM_KUBEAPISERVER = 'https://prod.example:6443';
    process.env.HELM_KUBETOKEN = 'not-a-real-one';
    process.env.KUBECONFIG = '/somewhere/else';
    process.env.HELM_DRIVER = 'sql';
    // a child as helm is started: execa merges the env option over this process's environment
    const seen = await execa(process.execPath, ['-e', `process.stdout.write(JSON.stringify(Object.keys(process.env).filter((k) => ${JSON.stringify(HELM_TARGET_ENV)}.includes(k))))`], { env: helmEnv({ HELM_PLUGINS: '/p' }) });
    expect(JSON.parse(seen.stdout)).toEqual([]);
    const plugins = await execa(process.execPath, ['-e', 'process.stdout.write(process.env.HELM_PLUGINS ?? "")'], { env: helmEnv({ HELM_PLUGINS: '/p' }) });
    expect(plugins.stdout).toBe('/p');
  });
});
