import { describe, expect, it } from 'vitest';
import { inputErrorOf as error } from '../lib/test-support/input-error.ts';
import { parseAuthConfig, parseAuthList, parseIssuer, parseRole } from './inputs.ts';
import { signatureOf } from './message.ts';

const ISSUER = `apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: vault}
spec:
  vault:
    server: https://vault.example.com
    path: pki/sign/x
    auth:
      kubernetes:
        role: r
        serviceAccountRef: {name: sa, audiences: [a, b]}
`;

describe('pasted inputs', () => {
  it('a ClusterIssuer from YAML; mountPath defaults to kubernetes', () => {
    expect(parseIssuer(ISSUER, 'x.yaml')).toEqual({ kind: 'ClusterIssuer', name: 'vault', server: 'https://vault.example.com', mount: 'kubernetes', role: 'r', serviceAccount: 'sa', audiences: ['a', 'b'] });
  });

  it('the same from `kubectl get -o json` inside a List', () => {
    const json = JSON.stringify({ kind: 'List', items: [{ apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'i', namespace: 'n' }, spec: { vault: { server: 's', auth: { kubernetes: { role: 'r', mountPath: '/v1/auth/k8s/prod', serviceAccountRef: { name: 'sa' } } } } } }] });
    expect(parseIssuer(json, 'x.json')).toMatchObject({ kind: 'Issuer', namespace: 'n', mount: 'k8s/prod' });
  });

  it('bad inputs name the file, the field and the fix', () => {
    const missing = error(() => parseIssuer(ISSUER.replace('role: r', ''), 'x.yaml'));
    expect(missing.format()).toMatch(/^error: x.yaml \(spec.vault.auth.kubernetes.role\): is missing\n  fix: /);
    expect(error(() => parseIssuer(ISSUER.replace('kubernetes:', 'appRole:'), 'x.yaml')).where.field).toBe('spec.vault.auth.kubernetes');
    expect(error(() => parseIssuer(ISSUER.replace('role: r', 'role: r\n        mountPath: /auth/k8s'), 'x.yaml')).where.field).toBe('spec.vault.auth.kubernetes.mountPath');
    expect(error(() => parseIssuer('kind: Certificate', 'x.yaml')).where.field).toBe('kind');
    expect(error(() => parseRole('{"data": {"ttl": 1}}', 'r.json')).format()).toContain('fix: pass `vault read -format=json auth/<mount>/role/<role>`');
    expect(error(() => parseRole('not json', 'r.json')).where).toEqual({ file: 'r.json', field: '--vault-role' });
  });

  it('a pasted token_reviewer_jwt is refused, never echoed', () => {
    const e = error(() => parseAuthConfig('{"kubernetes_host": "h", "token_reviewer_jwt": "eyJhbGciOi.eyJzdWIi.c2ln"}', 'c.json'));
    expect(e.where.field).toBe('token_reviewer_jwt');
    expect(e.format()).not.toContain('eyJ');
  });

  it('vault read output with and without the data wrapper reads the same', () => {
    const role = { bound_service_account_names: ['sa'], bound_service_account_namespaces: ['n'], audience: '', token_policies: ['p'] };
    expect(parseRole(JSON.stringify(role), 'r')).toEqual(parseRole(JSON.stringify({ request_id: 'x', data: role }), 'r'));
    expect(parseRole(JSON.stringify(role), 'r')).toEqual({ type: 'kubernetes', boundServiceAccountNames: ['sa'], boundServiceAccountNamespaces: ['n'], policies: ['p'] });
    expect(parseAuthList('{"kubernetes/": {"type": "kubernetes"}, "token/": {"type": "token"}}', 'l')).toEqual({ kubernetes: 'kubernetes', token: 'token' });
  });

  it('messages: literal \\n from JSON, the URL names the mount', () => {
    const s = signatureOf('Failed: Error making API request.\\n\\nURL: POST https://v:8200/v1/auth/a/b/login\\nCode: 403. Errors:\\n\\n* permission denied');
    expect(s).toEqual({ kind: 'vault', status: 403, errors: 'permission denied', url: 'https://v:8200/v1/auth/a/b/login', mount: 'a/b' });
  });
});
