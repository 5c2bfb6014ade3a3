import { describe, expect, it } from 'vitest';
import { authFailureReason, authMethodOf, findAuthLines, parseFieldList, parseVaultLog, parseVaultLogLine } from './log.ts';

const K8S = 'auth.kubernetes.auth_kubernetes_1a2b3c4d';
const lookupLine = `2026-11-28T15:30:00.123Z [DEBUG] ${K8S}: login unauthorized: err="lookup failed: service account jwt valid for audience(s) [b], but wanted [a]"`;

describe('parseVaultLogLine', () => {
  it('reads an hclog standard line with a quoted field', () => {
    expect(parseVaultLogLine(lookupLine)).toEqual({
      time: '2026-11-28T15:30:00.123Z',
      level: 'debug',
      module: K8S,
      message: 'login unauthorized',
      fields: { err: 'lookup failed: service account jwt valid for audience(s) [b], but wanted [a]' },
      raw: lookupLine,
    });
  });

  it('reads INFO lines (padded level), unquoted fields and messages containing colons', () => {
    const line = '2026-11-28T15:30:00.000Z [INFO]  core: successful mount: namespace="" path=kubernetes/ type=kubernetes version=""';
    expect(parseVaultLogLine(line)).toMatchObject({
      level: 'info',
      module: 'core',
      message: 'successful mount',
      fields: { namespace: '', path: 'kubernetes/', type: 'kubernetes', version: '' },
    });
    const colons = '2026-11-28T15:30:00.000Z [ERROR] core: failed: dial tcp: lookup x: no such host';
    expect(parseVaultLogLine(colons)).toMatchObject({ module: 'core', message: 'failed: dial tcp: lookup x: no such host', fields: {} });
  });

  it('reads a line captured from OpenBao 2.7.2 (escaped quotes inside the err)', () => {
    const line =
      '2026-11-28T15:29:05.931Z [DEBUG] auth.kubernetes.auth_kubernetes_c334d996: login unauthorized: err="Post \\"https://127.0.0.1:44675/apis/authentication.k8s.io/v1/tokenreviews\\": dial tcp 127.0.0.1:44675: connect: connection refused"';
    const entry = parseVaultLogLine(line)!;
    expect(entry.module).toBe('auth.kubernetes.auth_kubernetes_c334d996');
    expect(entry.message).toBe('login unauthorized');
    expect(authFailureReason(entry)).toBe(
      'Post "https://127.0.0.1:44675/apis/authentication.k8s.io/v1/tokenreviews": dial tcp 127.0.0.1:44675: connect: connection refused',
    );
  });

  it('reads lines without a logger name', () => {
    expect(parseVaultLogLine('2026-11-28T15:29:46.686Z [INFO]  proxy environment: http_proxy="" https_proxy=""')).toMatchObject({
      module: '',
      message: 'proxy environment',
      fields: { http_proxy: '', https_proxy: '' },
    });
  });

  it('unescapes quotes inside quoted values', () => {
    expect(parseFieldList(' err="Post \\"https://x/apis\\": refused" n=1')).toEqual({
      err: 'Post "https://x/apis": refused',
      n: '1',
    });
    expect(parseFieldList('no leading space=1')).toBeUndefined();
  });

  it('reads the JSON log format', () => {
    const line = JSON.stringify({
      '@level': 'debug',
      '@message': 'login unauthorized',
      '@module': K8S,
      '@timestamp': '2026-11-28T15:30:00.123456Z',
      err: 'lookup failed: service account jwt not valid',
    });
    expect(parseVaultLogLine(line)).toMatchObject({
      level: 'debug',
      module: K8S,
      message: 'login unauthorized',
      fields: { err: 'lookup failed: service account jwt not valid' },
    });
  });

  it('skips lines that are not log entries', () => {
    expect(parseVaultLogLine('==> Vault server configuration:')).toBeUndefined();
    expect(parseVaultLogLine('')).toBeUndefined();
    expect(parseVaultLogLine('{not json')).toBeUndefined();
  });
});

describe('parseVaultLog', () => {
  it('folds multi-line values into their entry', () => {
    const entries = parseVaultLog([
      '2026-11-28T15:30:00.000Z [ERROR] core: request failed:',
      '  err=',
      '  | first',
      '  | second',
      '  ',
      lookupLine,
    ]);
    expect(entries).toHaveLength(2);
    expect(entries[0]!.fields['err']).toBe('first\nsecond');
    expect(entries[1]!.message).toBe('login unauthorized');
  });
});

describe('findAuthLines', () => {
  const entries = parseVaultLog([
    '2026-11-28T15:29:00.000Z [DEBUG] auth.kubernetes.auth_kubernetes_00: login unauthorized: err="lookup failed: old"',
    '2026-11-28T15:30:00.000Z [INFO]  core: successful mount: path=kubernetes/ type=kubernetes',
    lookupLine,
    '2026-11-28T15:30:01.000Z [DEBUG] auth.jwt.auth_jwt_9f: login unauthorized: err="invalid audience (aud) claim"',
    '2026-11-28T15:30:02.000Z [DEBUG] auth.kubernetes.auth_kubernetes_1a2b3c4d: something routine',
  ]);

  it('keeps refused-login lines of auth plugins only', () => {
    expect(findAuthLines(entries).map((e) => e.module)).toEqual([
      'auth.kubernetes.auth_kubernetes_00',
      K8S,
      'auth.jwt.auth_jwt_9f',
    ]);
  });

  it('filters by auth type and time', () => {
    const found = findAuthLines(entries, { method: 'kubernetes', since: new Date('2026-11-28T15:30:00.000Z') });
    expect(found.map(authFailureReason)).toEqual([
      'lookup failed: service account jwt valid for audience(s) [b], but wanted [a]',
    ]);
  });

  it('names the auth type of a logger', () => {
    expect(authMethodOf(K8S)).toBe('kubernetes');
    expect(authMethodOf('core')).toBeUndefined();
  });
});
