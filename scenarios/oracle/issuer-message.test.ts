import { describe, expect, it } from 'vitest';
import { nominalFacts } from '../facts.ts';
import { plan } from './fixtures.ts';
import { issuerErrorMessage, MAX_VAULT_ERROR_MESSAGE_LENGTH, TRUNCATION_MARKER, truncateMessage, VAULT_CLIENT_INIT_FAILED } from './issuer-message.ts';
import { predict } from './predict.ts';
import { parseCertManagerVersion } from './version.ts';

const ctx = (version: string) => {
  const p = plan({ certManager: version });
  return { plan: p, facts: nominalFacts(p), certManager: parseCertManagerVersion(version) };
};

describe('TruncateMessage (cert-manager v1.21.2 pkg/util/errors)', () => {
  it('keeps what fits and cuts the rest to the bound, marker included', () => {
    expect(truncateMessage('short', 10)).toBe('short');
    const long = 'x'.repeat(2000);
    const cut = truncateMessage(long, 1024);
    expect(Buffer.byteLength(cut)).toBe(1024);
    expect(cut.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(truncateMessage('abcdefghijklmnopqrstuvwxyz', 5)).toBe('abcde');
    expect(truncateMessage('anything', 0)).toBe('');
  });

  it('drops a rune the cut splits and the whitespace before the marker', () => {
    const marker = Buffer.byteLength(TRUNCATION_MARKER);
    // 'é' is two bytes: a bound that cuts it in half drops it whole.
    expect(truncateMessage('ab' + 'é'.repeat(20), 3 + marker)).toBe('ab' + TRUNCATION_MARKER);
    expect(truncateMessage('ab' + 'é'.repeat(20), 4 + marker)).toBe('abé' + TRUNCATION_MARKER);
    expect(truncateMessage('abc   \n' + 'z'.repeat(50), 7 + marker)).toBe('abc' + TRUNCATION_MARKER);
  });
});

describe('the Issuer message across the v1.21.1 → v1.21.2 patch', () => {
  const long = 'error calling Vault server: ' + 'y'.repeat(3000);

  it('up to v1.21.1 the whole chain, whatever its length', () => {
    for (const v of ['v1.16.5', 'v1.21.1']) {
      const m = issuerErrorMessage(ctx(v), long, { kind: 'vault-error' });
      expect(m.message).toBe(`${VAULT_CLIENT_INIT_FAILED}: ${long}`);
      expect(m.step).toBeUndefined();
      expect(issuerErrorMessage(ctx(v), long, { kind: 'raw-body', status: 502 }).message).toBe(`${VAULT_CLIENT_INIT_FAILED}: ${long}`);
    }
  });

  it('from v1.21.2 a long chain is cut to 1024 bytes and a non-Vault body is replaced by its HTTP status', () => {
    for (const v of ['v1.21.2', 'v1.22.0']) {
      const cut = issuerErrorMessage(ctx(v), long, { kind: 'vault-error' });
      expect(cut.message).toBe(`${VAULT_CLIENT_INIT_FAILED}: ${truncateMessage(long, MAX_VAULT_ERROR_MESSAGE_LENGTH)}`);
      expect(cut.step?.source).toContain(`cert-manager/cert-manager@${v} internal/vault/errors.go#SafeErrorMessage`);
      const raw = issuerErrorMessage(ctx(v), 'error calling Vault server: <html>bad gateway</html>', { kind: 'raw-body', status: 502 });
      expect(raw.message).toBe(
        `${VAULT_CLIENT_INIT_FAILED}: the Vault server returned an HTTP 502 response which is not a Vault error response; the response body has been omitted and can be found in the cert-manager logs`,
      );
      expect(issuerErrorMessage(ctx(v), 'while requesting a token for the service account a/b: forbidden', { kind: 'local' }).message).toBe(
        `${VAULT_CLIENT_INIT_FAILED}: while requesting a token for the service account a/b: forbidden`,
      );
    }
  });

  it("Vault's own short errors read the same before and after the patch", () => {
    const before = predict(plan({ certManager: 'v1.21.1' }), nominalFacts(plan({ certManager: 'v1.21.1' })));
    const after = predict(plan({ certManager: 'v1.21.2' }), nominalFacts(plan({ certManager: 'v1.21.2' })));
    expect(before.failure).toBe('apiserver-audience');
    expect(after.issuer?.message).toBe(before.issuer?.message);
    expect(after.steps.some((s) => s.step === 'Issuer message' && s.detail.includes('as it is'))).toBe(true);
    expect(before.steps.some((s) => s.step === 'Issuer message')).toBe(false);
  });
});
