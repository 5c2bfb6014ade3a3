import { describe, expect, it } from 'vitest';
import { authDelegatorBindingName, inClusterObjects, VAULT_SERVICE_ACCOUNT } from './in-cluster.ts';
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
