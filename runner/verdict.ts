import type { Observation, Prediction, SideVerdict, SignedNames } from '../scenarios/types.ts';
import { auditSide } from './audit-verdict.ts';
import { exposureSide } from './exposure-verdict.ts';

const AUDIENCE_LINE = /is invalid for the target audiences/;
const VAULT_ANSWER = /Code: (\d+)\. Errors:\n\n((?:\* .*)+)$/s;

export interface JudgeOptions {
  /** False only where the environment declares it cannot read the API server's log (a managed cluster). */
  apiserverLogReadable?: boolean;
}

export const APISERVER_NOT_OBSERVABLE = 'not observable on this backend: the API server log is not readable';

/** Three sides (plus the certificate for Ready scenarios), each compared exactly against the oracle. */
export function judge(prediction: Prediction, observed: Observation, opts: JudgeOptions = {}): SideVerdict[] {
  return [issuerSide(prediction, observed), vaultSide(prediction, observed), apiserverSide(prediction, observed, opts), ...certificateSide(prediction, observed), ...auditSide(prediction, observed), ...exposureSide(prediction, observed)];
}

function issuerSide(p: Prediction, o: Observation): SideVerdict {
  if (p.rejection) {
    const observed = o.rejection?.message ?? (o.issuer ? `accepted; Ready=${o.issuer.status} ${o.issuer.reason}` : 'accepted');
    return { side: 'issuer', ok: observed === p.rejection.message, expected: `rejected: ${p.rejection.message}`, observed: o.rejection ? `rejected: ${observed}` : observed };
  }
  const expected = p.issuer ? `Ready=${p.issuer.status} ${p.issuer.reason}: ${p.issuer.message}` : 'no Issuer';
  const observed = o.rejection
    ? `rejected: ${o.rejection.message}`
    : o.issuer
      ? `Ready=${o.issuer.status} ${o.issuer.reason}: ${o.issuer.message}`
      : 'no Ready condition';
  return { side: 'issuer', ok: expected === observed, expected, observed };
}

/** Vault's answer as cert-manager relays it, and the debug line Vault logs where the oracle names one. */
function vaultSide(p: Prediction, o: Observation): SideVerdict {
  const answer = VAULT_ANSWER.exec(o.issuer?.message ?? '');
  const observedAnswer = answer ? `HTTP ${answer[1]}: ${answer[2]!.replace(/^\* /, '')}` : 'no error from Vault';
  if (!p.vault || p.vault.status < 400) {
    const loginFailures = o.vaultLog.filter((l) => /login unauthorized|invalid audience|error validating token/.test(l));
    const observed = loginFailures.length ? `${observedAnswer}; log: ${loginFailures[0]}` : observedAnswer;
    return { side: 'vault', ok: !answer && loginFailures.length === 0, expected: 'no error from Vault', observed };
  }
  const expectedAnswer = `HTTP ${p.vault.status}: ${p.vault.errors.join('')}`;
  const logLine = p.vault.logLine;
  const foundLine = logLine ? o.vaultLog.find((l) => l.includes(logLine)) : undefined;
  const expected = logLine ? `${expectedAnswer}; log: ${logLine}` : expectedAnswer;
  const observed = logLine ? `${observedAnswer}; log: ${foundLine ?? '(no such line)'}` : observedAnswer;
  return { side: 'vault', ok: observedAnswer === expectedAnswer && (!logLine || !!foundLine), expected, observed };
}

// klog quotes the error value, so the quotes inside it arrive escaped: `token audiences [\"a\"] …`.
const unescapeKlog = (line: string) => line.replace(/\\(["\\])/g, '$1');

function apiserverSide(p: Prediction, o: Observation, opts: JudgeOptions): SideVerdict {
  const lines = o.apiserverLog.filter((l) => AUDIENCE_LINE.test(l)).map(unescapeKlog);
  // Nothing read is not evidence either way: neither a pass nor a failure (not judged), and every report says so.
  if (opts.apiserverLogReadable === false && o.apiserverLog.length === 0) {
    return { side: 'apiserver', ok: true, unobserved: true, expected: p.apiserver?.line ?? 'no audience rejection', observed: APISERVER_NOT_OBSERVABLE };
  }
  if (!p.apiserver) {
    return { side: 'apiserver', ok: lines.length === 0, expected: 'no audience rejection', observed: lines[0] ?? 'no audience rejection' };
  }
  const expected = p.apiserver.line;
  const found = lines.find((l) => l.includes(expected));
  return { side: 'apiserver', ok: !!found, expected, observed: found ?? lines[0] ?? 'no audience rejection' };
}

function certificateSide(p: Prediction, o: Observation): SideVerdict[] {
  if (p.sign && !p.sign.allowed) {
    // The sign step refused: the CertificateRequest carries Vault's answer, word for word.
    const cr = p.sign.certificateRequest;
    const r = o.certificate?.request;
    const expected = `CertificateRequest Ready=${cr.status} ${cr.reason}: ${cr.message}`;
    const observed = r ? `CertificateRequest Ready=${r.status} ${r.reason}: ${r.message}` : o.certificate ? 'no CertificateRequest condition' : 'no Certificate';
    return [{ side: 'certificate', ok: expected === observed, expected, observed }];
  }
  if (!p.ready) return [];
  const c = o.certificate;
  // Where the oracle names what Vault signs (the scenario names its Certificate), the leaf's names are judged too.
  const signed = p.sign?.signed;
  const observed = !c
    ? 'no Certificate'
    : `ready=${c.ready} chainVerified=${c.chainVerified ?? false} sansMatch=${c.sansMatch ?? false}${signed ? ` ${namesText(c.names)}` : ''}`;
  const expected = `ready=true chainVerified=true sansMatch=true${signed ? ` ${namesText(signed)}` : ''}`;
  return [{ side: 'certificate', ok: observed === expected, expected, observed }];
}

function namesText(n: SignedNames | undefined): string {
  return n ? `subject CN=${n.commonName || '(none)'} SANs ${n.sans.join(', ') || '(none)'}` : 'names unread';
}
