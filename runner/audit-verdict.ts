import type { AuditEntry, Observation, Prediction, SideVerdict } from '../scenarios/types.ts';

const esc = (s: string) => s.replaceAll('\n', '\\n').replaceAll('\t', '\\t');

export function describeEntry(e: AuditEntry): string {
  const who = e.metadata?.service_account_name ? ` as ${e.metadata.service_account_namespace ?? '?'}/${e.metadata.service_account_name}` : '';
  const outcome = e.error !== undefined
    ? `error "${esc(e.error)}"`
    : e.responseError !== undefined
      ? `error response, data.error ${e.responseError}${e.responseErrorIs ? ` = HMAC of "${esc(e.responseErrorIs)}"` : ' (no known text has this HMAC)'}`
      : `no error${e.policies ? `, policies [${e.policies.join(', ')}]` : ''}${who}`;
  return `${e.type} ${e.operation} ${e.path} from ${e.remoteAddress || '?'}: ${outcome}`;
}

/**
 * One fact from Vault's audit log per scenario: the refused sign where the policy refuses it, otherwise the login —
 * absent when cert-manager never reaches Vault, with the predicted error, or with a token carrying the issuer's policy.
 */
export function auditSide(p: Prediction, o: Observation): SideVerdict[] {
  if (!p.audit || !o.audit) return [];
  const responses = o.audit.filter((e) => e.type === 'response');
  const logins = responses.filter((e) => /^auth\/.+\/login$/.test(e.path));
  const first = (list: AuditEntry[]) => (list[0] ? describeEntry(list[0]) : 'no entry');

  if (p.audit.sign) {
    const { path, error } = p.audit.sign;
    // An ACL refusal is audited before the backend runs: look at request and response entries alike.
    const signs = o.audit.filter((e) => e.path === path);
    const found = signs.find((e) => e.error === error);
    return [{ side: 'audit', ok: !!found, expected: `update ${path}: error "${esc(error)}"`, observed: found ? describeEntry(found) : first(signs) }];
  }
  const login = p.audit.login;
  if (!login) {
    return [{ side: 'audit', ok: logins.length === 0, expected: "no login entry with the scenario's role", observed: logins.length ? first(logins) : "no login entry with the scenario's role" }];
  }
  const onPath = logins.filter((e) => e.path === login.path);
  if (login.error !== undefined) {
    const expectedError = login.error;
    // A coded error is in clear; an error response's text is HMAC'd like all response data, matched by its HMAC.
    const found = onPath.find((e) => e.error?.includes(expectedError) || e.responseErrorIs === expectedError);
    return [{ side: 'audit', ok: !!found, expected: `response update ${login.path}: error containing "${esc(expectedError)}"`, observed: found ? describeEntry(found) : first(onPath) }];
  }
  const policies = login.policies ?? [];
  const found = onPath.find((e) => e.error === undefined && e.responseError === undefined && policies.every((x) => e.policies?.includes(x)));
  return [{ side: 'audit', ok: !!found, expected: `response update ${login.path}: no error, policies include [${policies.join(', ')}]`, observed: found ? describeEntry(found) : first(onPath) }];
}
