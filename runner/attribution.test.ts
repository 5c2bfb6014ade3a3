import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../scenarios/types.ts';
import { accessorMarker, attributeAudit, completeLines, attributeLines, audienceMarker, nameMarker, Neighbourhood, NO_MARKERS } from './attribution.ts';

// Shapes as the components write them (kube-apiserver's klog line, Vault's hclog line).
const apiLine = (aud: string) =>
  `E1129 07:11:21.278931   31389 authentication.go:75] "Unable to authenticate the request" err="[invalid bearer token, token audiences [\\"${aud}\\"] is invalid for the target audiences [\\"https://kubernetes.default.svc.cluster.local\\"]]"`;
const vaultLine = (accessor: string) => `2026-11-29T07:11:21.280Z [DEBUG] auth.kubernetes.${accessor}: login unauthorized: err="lookup failed: service account unauthorized"`;

describe('markers', () => {
  it('find the audience line of a token in the klog-escaped and the plain form', () => {
    const m = audienceMarker(['vault://team-a-1/vault-issuer-1']);
    expect(m.test(apiLine('vault://team-a-1/vault-issuer-1'))).toBe(true);
    expect(m.test('token audiences ["vault://team-a-1/vault-issuer-1"] is invalid for the target audiences ["x"]')).toBe(true);
    expect(m.test(apiLine('vault://team-a-2/vault-issuer-2'))).toBe(false);
    // A list is matched whole: a token with one more audience is another token.
    expect(m.test('token audiences ["vault://team-a-1/vault-issuer-1" "https://v:8200"] is invalid')).toBe(false);
  });

  it("find a Vault plugin line by its mount's accessor", () => {
    expect(accessorMarker('auth_kubernetes_251a4d4e').test(vaultLine('auth_kubernetes_251a4d4e'))).toBe(true);
    expect(accessorMarker('auth_kubernetes_251a4d4e').test(vaultLine('auth_kubernetes_99999999'))).toBe(false);
  });

  it('match a name as a whole word, not inside a longer one', () => {
    expect(nameMarker('vault-issuer').test('"resource_name"="vault-issuer" ')).toBe(true);
    expect(nameMarker('vault-issuer').test('"resource_name"="vault-issuer-1a2b3"')).toBe(false);
    expect(nameMarker('team-a-1a2b3').test('namespace team-a-1a2b3/x')).toBe(true);
  });
});

describe('attributeLines', () => {
  const mine = [audienceMarker(['a'])];
  const theirs = [audienceMarker(['b'])];
  it("leaves out only lines that carry another scenario's marker and none of its own", () => {
    const lines = [apiLine('a'), apiLine('b'), 'I1129 unrelated line', 'token audiences ["a"] is invalid … token audiences ["b"] is invalid'];
    expect(attributeLines(lines, mine, theirs)).toEqual([apiLine('a'), 'I1129 unrelated line', lines[3]]);
  });

  it('keeps everything when nobody else is around (one scenario at a time)', () => {
    expect(attributeLines([apiLine('b')], mine, [])).toEqual([apiLine('b')]);
  });

  it('keeps a line nobody can place: a verdict may fail on it, never pass by missing its own', () => {
    expect(attributeLines([apiLine('c')], mine, theirs)).toEqual([apiLine('c')]);
  });
});

describe('attributeAudit', () => {
  const entry = (path: string, displayName?: string): AuditEntry => ({ type: 'response', time: '', path, operation: 'update', remoteAddress: '127.0.0.1', ...(displayName ? { displayName } : {}) });
  const own = { ...NO_MARKERS, auditPaths: ['auth/kubernetes-a/login'], auditDisplayPrefixes: ['kubernetes-a-'] };
  const other = { ...NO_MARKERS, auditPaths: ['auth/kubernetes-b/login'], auditDisplayPrefixes: ['kubernetes-b-'] };
  it("keeps its logins and the signs its token made, drops the neighbour's", () => {
    const entries = [
      entry('auth/kubernetes-a/login'),
      entry('auth/kubernetes-b/login'),
      entry('pki/sign/cm-vault-e2e', 'kubernetes-a-team-a-a-vault-issuer-a'),
      entry('pki/sign/cm-vault-e2e', 'kubernetes-b-team-a-b-vault-issuer-b'),
      entry('auth/nowhere/login'),
    ];
    expect(attributeAudit(entries, own, [other]).map((e) => `${e.path} ${e.displayName ?? ''}`.trim())).toEqual([
      'auth/kubernetes-a/login',
      'pki/sign/cm-vault-e2e kubernetes-a-team-a-a-vault-issuer-a',
      'auth/nowhere/login',
    ]);
  });
});

describe('Neighbourhood', () => {
  it("filters each scenario's lines against the markers of every other scenario of the environment", () => {
    const n = new Neighbourhood();
    n.add('one', { apiserver: [audienceMarker(['a'])] });
    n.add('two', { apiserver: [audienceMarker(['b'])] });
    n.add('two', { vault: [accessorMarker('auth_kubernetes_2')] });
    expect(n.lines('one', 'apiserver', [apiLine('a'), apiLine('b')])).toEqual([apiLine('a')]);
    expect(n.lines('two', 'apiserver', [apiLine('a'), apiLine('b')])).toEqual([apiLine('b')]);
    expect(n.lines('one', 'vault', [vaultLine('auth_kubernetes_2'), vaultLine('auth_kubernetes_1')])).toEqual([vaultLine('auth_kubernetes_1')]);
    expect(n.others('one')).toHaveLength(1);
  });
});

describe('completeLines', () => {
  it("does not count the '' after a log's last newline, so the next line written falls after the mark", () => {
    const before = 'a\nb\n'.split('\n');
    const after = 'a\nb\nc\n'.split('\n');
    expect(after.slice(completeLines(before))).toContain('c');
    expect(completeLines(['a', 'b'])).toBe(2);
  });
});
