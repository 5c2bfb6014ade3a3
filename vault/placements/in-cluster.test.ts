import { describe, expect, it } from 'vitest';
import { authDelegatorBindingName, inClusterObjects, podLogReader, VAULT_SERVICE_ACCOUNT } from './in-cluster.ts';
import { devServerScript, SERVER_CONFIG, serverConfig } from './dev-server.ts';

describe('in-cluster Vault objects', () => {
  const objs = inClusterObjects({ namespace: 'vault-vault-v1-21-0', image: 'cm-vault-e2e/vault:v1.21.0', engine: 'vault', tls: { token: 't' } });
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
