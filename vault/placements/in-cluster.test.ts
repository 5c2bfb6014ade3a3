import { describe, expect, it } from 'vitest';
import { authDelegatorBindingName, inClusterObjects, podLogReader, ROOT_TOKEN_SECRET, VAULT_SERVICE_ACCOUNT } from './in-cluster.ts';
import { devServerScript, SERVER_CONFIG, serverConfig } from './dev-server.ts';

const ROOT_TOKEN = 'f3b0c44298fc1c149afbf4c8996fb924';

describe('in-cluster Vault objects', () => {
  const objs = inClusterObjects({ namespace: 'vault-vault-v1-21-0', image: 'cm-vault-e2e/vault:v1.21.0', engine: 'vault', tls: { 'listener.crt': 'c' }, rootToken: ROOT_TOKEN });
  const byKind = (k: string) => objs.find((o) => o.kind === k) as any;

  it('runs as its own ServiceAccount, bound to system:auth-delegator (what local-token review needs)', () => {
    const pod = byKind('Deployment').spec.template.spec;
    expect(pod.serviceAccountName).toBe(VAULT_SERVICE_ACCOUNT);
    expect(pod.automountServiceAccountToken).not.toBe(false);
    const crb = byKind('ClusterRoleBinding');
    expect(crb.metadata.name).toBe(authDelegatorBindingName('vault-vault-v1-21-0'));
    expect(crb.roleRef.name).toBe('system:auth-delegator');
    expect(crb.subjects).toEqual([{ kind: 'ServiceAccount', name: VAULT_SERVICE_ACCOUNT, namespace: 'vault-vault-v1-21-0' }]);
  });

  it('never pulls, serves TLS on 8200 through a NodePort, probes health over HTTPS', () => {
    const c = byKind('Deployment').spec.template.spec.containers[0];
    expect(c.imagePullPolicy).toBe('Never');
    expect(c.command).toEqual(['/bin/sh', '-c', devServerScript('vault')]);
    expect(c.readinessProbe.httpGet).toMatchObject({ scheme: 'HTTPS', port: 8200 });
    expect(byKind('Service').spec).toMatchObject({ type: 'NodePort', ports: [{ port: 8200 }] });
  });

  it('keeps the root token out of the command and the Deployment: its environment refers to a Secret', () => {
    const deployment = byKind('Deployment');
    expect(JSON.stringify(deployment)).not.toContain(ROOT_TOKEN);
    const c = deployment.spec.template.spec.containers[0];
    expect(c.command.join(' ')).not.toMatch(/root-token|\/token/);
    expect(c.env).toEqual([{ name: 'VAULT_DEV_ROOT_TOKEN_ID', valueFrom: { secretKeyRef: { name: ROOT_TOKEN_SECRET, key: 'token' } } }]);
    const holders = objs.filter((o) => JSON.stringify(o).includes(ROOT_TOKEN));
    expect(holders.map((o) => `${o.kind}/${o.metadata!.name}`)).toEqual([`Secret/${ROOT_TOKEN_SECRET}`]);
    expect(objs.findIndex((o) => o.metadata!.name === ROOT_TOKEN_SECRET)).toBeLessThan(objs.indexOf(deployment));
    const bao = inClusterObjects({ namespace: 'n', image: 'i', engine: 'openbao', tls: {}, rootToken: ROOT_TOKEN }).find((o) => o.kind === 'Deployment') as any;
    expect(bao.spec.template.spec.containers[0].env[0].name).toBe('BAO_DEV_ROOT_TOKEN_ID');
  });

  it('creates the namespace first and the Deployment last (deleted in reverse)', () => {
    expect(objs[0]!.kind).toBe('Namespace');
    expect(objs.at(-1)!.kind).toBe('Deployment');
  });

  it('OpenBao runs bao with a debug log on one stream', () => {
    expect(devServerScript('openbao')).toMatch(/exec bao server -dev .* -log-level=debug 2>&1$/);
  });

  it('the server configuration declares the audit device for OpenBao only (Vault gets it through the API)', () => {
    expect(devServerScript('openbao')).toContain(`-config=/tls/${SERVER_CONFIG}`);
    expect(serverConfig('vault')).toMatch(/^listener "tcp" \{/);
    expect(serverConfig('vault')).not.toContain('audit');
    expect(serverConfig('openbao')).toContain('audit "file" "cm-vault-e2e" {\n  options = {\n    file_path = "stdout"\n  }\n}\n');
  });
});

describe('in-cluster Vault log', () => {
  it('keeps the lines read so far while the pod is the same, redacts the root token, starts over for a new pod', async () => {
    let pod: string | undefined;
    const logs: Record<string, string[]> = { a: ['one', 'token=hvs.ROOTTOKEN'], b: ['fresh'] };
    const read = podLogReader(async () => pod, async (p) => [...logs[p]!], 'hvs.ROOTTOKEN');
    expect(await read()).toEqual([]);
    pod = 'a';
    const first = await read();
    expect(first).toHaveLength(2);
    expect(first[1]).not.toContain('hvs.ROOTTOKEN');
    logs.a!.push('three');
    expect(await read()).toEqual([...first, 'three']);
    pod = 'b';
    expect(await read()).toEqual(['fresh']);
  });

  it('starts over when the same pod answers fewer lines (the API server shows only the running container)', async () => {
    const logs = ['before restart', 'more'];
    const read = podLogReader(async () => 'a', async () => [...logs], 'hvs.ROOTTOKEN');
    expect(await read()).toHaveLength(2);
    logs.splice(0, 2, 'after restart');
    expect(await read()).toEqual(['after restart']);
  });
});
