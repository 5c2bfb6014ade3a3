import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { redact } from '../vault/redact.ts';
import { serviceAccountClaims, signedTestJwt } from '../vault/test-support/jwt.ts';
import { issuerMismatchFail } from './fixtures.ts';
import { findLeaks } from './leaks.ts';

const JWT = signedTestJwt(serviceAccountClaims({ namespace: 'team-a', serviceAccount: 'vault-issuer', audiences: ['vault://team-a/vault-issuer'] }), { kid: 'Zx3l0yQk' });
const [HEADER, PAYLOAD, SIGNATURE] = JWT.split('.') as [string, string, string];
const ROOT = 'f3b0c44298fc1c149afbf4c8996fb924';
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** `text` cut every `width` characters, each piece on its own indented line, as a terminal or a YAML dump wraps it. */
function wrapped(text: string, width: number, indent = '  '): string {
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += width) lines.push(text.slice(i, i + width));
  return lines.join(`\n${indent}`);
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const KEYS = {
  'RSA (PKCS#1)': rsa.export({ type: 'pkcs1', format: 'pem' }).toString(),
  'EC (SEC 1)': ec.export({ type: 'sec1', format: 'pem' }).toString(),
  PKCS8: ec.export({ type: 'pkcs8', format: 'pem' }).toString(),
  ENCRYPTED: ec.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'p' }).toString(),
};

/** A certificate is public: evidence shows CAs and listener certificates, and the scan must let them through. */
const CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIBrTCCAVOgAwIBAgIULvfCffaV4OrJVrm6vcoeBAOClqgwCgYIKoZIzj0EAwIw
LDEqMCgGA1UEAwwhY20tdmF1bHQtZTJlIGxlYWstc2NhbiBmaXh0dXJlIENBMB4X
DTI2MTIwNzIyMjQ1NFoXDTM2MTIwNDIyMjQ1NFowLDEqMCgGA1UEAwwhY20tdmF1
bHQtZTJlIGxlYWstc2NhbiBmaXh0dXJlIENBMFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAEmAJfsO3wIKJuVNlU0LN0zLTZo3BQUpdeiNncMBEEChS8h0S+rXBIpNFm
NI+Pk3Pyhk/Aj4svV+Pz4F5b3w0wm6NTMFEwHQYDVR0OBBYEFJ8blaeMXWOhi7M3
p1UI53JgqhtMMB8GA1UdIwQYMBaAFJ8blaeMXWOhi7M3p1UI53JgqhtMMA8GA1Ud
EwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIhAJSVluzusjFNHxKlAOh/QANq
Rpw4571+n/c0+wKpVqgHAiB4HABRPTukO/Or7ur7FMfxbqheqlCmXLiWziFnhJsW
Hw==
-----END CERTIFICATE-----
`;

/** One leak of each shape the scan must catch, as it would sit in evidence. */
const LEAKS: Record<string, string> = {
  'a JWT wrapped inside its header': `token: ${wrapped(JWT, 20)}\n`,
  'a JWT wrapped inside its payload': `login jwt=${wrapped(JWT, HEADER.length + 30, '')}\nnext line`,
  'a JWT wrapped inside its signature': `"jwt": "${wrapped(JWT, HEADER.length + PAYLOAD.length + 40, '')}"`,
  'a JWT wrapped in a JSON string': JSON.stringify({ message: wrapped(JWT, 64, '') }),
  'a JWT without its header (payload.signature)': `claims and signature: ${PAYLOAD}.${SIGNATURE} end`,
  'base64 of a JWT (a Secret data value)': `data:\n  token: ${b64(JWT)}\n`,
  'base64 of a JWT, wrapped at 76 like base64(1)': wrapped(b64(JWT), 76, ''),
  'base64 of a kubeconfig holding a JWT': `config: ${b64(`users:\n- user:\n    token: ${JWT}\n`)}`,
  'base64 of a Vault token': `VAULT_TOKEN: ${b64('hvs.CAESIJ2kq0Vq8rTh3nYb7zX1pLmQeWc9uFoRjKdSgAaBtN4')}`,
  'base64 of the run\'s root token': `token: ${b64(ROOT)}`,
  'an hvs. token the run did not list': 'X-Vault-Token: hvs.CAESIJ2kq0Vq8rTh3nYb7zX1pLmQeWc9uFoRjKdSgAaBtN4 sent',
  'an s. token (older Vault, OpenBao)': '{"client_token":"s.7Npjx4Ta32VtTFotIDEfPqvS"}',
  ...Object.fromEntries(Object.entries(KEYS).map(([kind, pem]) => [`a ${kind} PRIVATE KEY block`, `key:\n${pem}`])),
  'a private key inside JSON': JSON.stringify({ 'tls.key': KEYS.PKCS8 }),
  'base64 of a private key (a TLS Secret)': `tls.key: ${b64(KEYS['EC (SEC 1)'])}`,
  "the dev server's unseal key": '2026-12-07T10:00:00.1Z stdout F Unseal Key: 2GcQ2A6iwiSSEOJy3usk9w9S+zxsVHtBb/W0wLWG49A=',
  "the dev server's root token (not in the run's list)": '2026-12-07T10:00:00.1Z stdout F Root Token: another-root-token',
};

describe('findLeaks: every shape of a secret', () => {
  for (const [shape, text] of Object.entries(LEAKS)) {
    it(`catches ${shape}, and redact removes it`, () => {
      const findings = findLeaks('f', text, [ROOT]);
      expect(findings.length, shape).toBeGreaterThan(0);
      // a finding is printed: it shows no secret, at most a JWT's header characters or a key's BEGIN line
      for (const f of findings) expect(f.detail).not.toMatch(/[A-Za-z0-9+/=_-]{16,}/);
      const redacted = redact(text, [ROOT]);
      expect(findLeaks('f', redacted, [ROOT]), `${shape} after redact:\n${redacted}`).toEqual([]);
      expect(redacted.replace(/\s/g, '')).not.toContain(SIGNATURE.slice(-40));
    });
  }

  it('reports the position of a wrapped JWT where it starts', () => {
    const [finding] = findLeaks('vault.log', `first line\nlogin jwt=${wrapped(JWT, HEADER.length + 30, '')}`, []);
    expect(finding).toMatchObject({ line: 2, column: 11 });
  });
});

describe('findLeaks: ordinary evidence is no leak', () => {
  const ordinary: Record<string, string> = {
    'a certificate PEM': CERTIFICATE,
    'a certificate PEM inside JSON': JSON.stringify({ kubernetes_ca_cert: CERTIFICATE }, null, 2),
    "an Issuer's caBundle (base64 of a certificate PEM)": JSON.stringify({ spec: { vault: { caBundle: b64(CERTIFICATE) } } }, null, 2),
    'a redacted JWT, token and banner': redact(`jwt=${JWT} Unseal Key: abc= Root Token: ${ROOT} hvs.CAESIJ2kq0Vq8rTh3nYb7zX1pLmQeWc9uFoRjKdSgAaBtN4`, [ROOT]),
    'code and identifiers that start like tokens': 'rows.map((s) => s.environmentDescriptionText); b.someOtherLongIdentifierName; eyJhbGci.only-two',
    'image digests, container ids, UIDs, audit HMACs': [
      'image: kindest/node:v1.34.0@sha256:7416a61b42b1662ca6ca89f02028ac133a309a2a30ba309614e8ec94d976dc5a',
      'containerd://0f5cc49c5e73c0c2bb6e2df56e7df189240d83cf94edfa30946482eb08ec57d2 uid=00000000-0000-4000-8000-000000000001',
      '{"client_token":"hmac-sha256:5e0c1d7c7b38b2f0a4e3a2f9d0b6c1e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2","accessor":"hmac-sha256:0a1b2c"}',
      'GET /api/v1/namespaces/kube-system/pods/kube-apiserver-cm-vault-e2e-control-plane?timeout=32s 200',
    ].join('\n'),
    'log lines that end and start with word characters': 'I1207 10:00:00.1 reconciled\n2026-12-07T10:00:00.2Z stdout F next\nabc.def\nghi',
  };
  for (const [what, text] of Object.entries(ordinary)) {
    it(`passes ${what}`, () => expect(findLeaks('f', text, [ROOT])).toEqual([]));
  }

  it("passes a failing scenario's redacted evidence", () => {
    for (const [name, text] of Object.entries(issuerMismatchFail().evidence)) expect(findLeaks(name, text, [ROOT]), name).toEqual([]);
  });
});
