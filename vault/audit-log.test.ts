import { describe, expect, it } from 'vitest';
import { parseAuditLine, scenarioEntries } from './audit-log.ts';

// Shaped like Vault's file audit output: request data HMAC'd, the login response's auth in clear.
const LOGIN_RESPONSE = JSON.stringify({
  time: '2026-11-29T04:00:00Z',
  type: 'response',
  auth: { client_token: 'hmac-sha256:aaaa' },
  request: { id: 'r1', operation: 'update', path: 'auth/kubernetes/login', remote_address: '127.0.0.1', data: { jwt: 'hmac-sha256:bbbb', role: 'hmac-sha256:cccc' } },
  response: { auth: { client_token: 'hmac-sha256:dddd', accessor: 'hmac-sha256:eeee', policies: ['cm-vault-e2e-issuer', 'default'], metadata: { role: 'cm-vault-e2e', service_account_name: 'vault-issuer' } } },
});
const SIGN_DENIED = JSON.stringify({
  time: '2026-11-29T04:00:01Z',
  type: 'response',
  error: '1 error occurred:\n\t* permission denied\n\n',
  request: { operation: 'update', path: 'pki/sign/cm-vault-e2e', remote_address: '127.0.0.1', data: { csr: 'hmac-sha256:ffff' } },
});

describe('audit log lines', () => {
  it('keeps path, remote address, the HMAC\'d role, policies and metadata; never request data', () => {
    const e = parseAuditLine(LOGIN_RESPONSE);
    expect(e).toEqual({
      type: 'response',
      time: '2026-11-29T04:00:00Z',
      path: 'auth/kubernetes/login',
      operation: 'update',
      remoteAddress: '127.0.0.1',
      role: 'hmac-sha256:cccc',
      policies: ['cm-vault-e2e-issuer', 'default'],
      metadata: { role: 'cm-vault-e2e', service_account_name: 'vault-issuer' },
    });
    expect(JSON.stringify(e)).not.toContain('bbbb');
  });

  it('reads the error, and ignores ordinary log lines and a JSON prefix', () => {
    expect(parseAuditLine(`stdout: ${SIGN_DENIED}`)?.error).toBe('1 error occurred:\n\t* permission denied\n\n');
    expect(parseAuditLine('2026-11-29T04:00:00.000Z [INFO]  core: vault is unsealed')).toBeUndefined();
    expect(parseAuditLine('{"not":"audit"}')).toBeUndefined();
  });

  it('a scenario\'s entries: its role\'s logins and the sign path', () => {
    const other = parseAuditLine(LOGIN_RESPONSE.replace('hmac-sha256:cccc', 'hmac-sha256:0000'))!;
    const all = [parseAuditLine(LOGIN_RESPONSE)!, other, parseAuditLine(SIGN_DENIED)!];
    expect(scenarioEntries(all, { roleHmac: 'hmac-sha256:cccc', signPath: 'pki/sign/cm-vault-e2e' }).map((e) => e.path)).toEqual(['auth/kubernetes/login', 'pki/sign/cm-vault-e2e']);
  });
});
