// What a failure message alone says: cert-manager's Ready message, or an API server rejection pasted with --message.
// The texts are the oracle's (scenarios/oracle/messages.ts); each pattern below matches one way they are built.
import {
  INVALID_AUDIENCE,
  JWT_BOUND_AUDIENCE_ERROR,
  JWT_NO_BOUND_AUDIENCES_ERROR,
  NAMESPACE_NOT_AUTHORIZED,
  PERMISSION_DENIED,
  SERVICE_ACCOUNT_NAME_NOT_AUTHORIZED,
} from '../scenarios/oracle/messages.ts';
import type { FailureClass } from '../scenarios/types.ts';

export type MessageSignature =
  | { kind: 'ready' }
  | { kind: 'crd-rejection'; field: string }
  | { kind: 'token-request-forbidden' }
  | { kind: 'vault'; status: number; errors: string; url?: string; mount?: string }
  | { kind: 'unknown'; text: string };

/** Turns literal `\n` (a message pasted from JSON or a log) into newlines, and drops the status's trailing dot. */
export function normalizeMessage(message: string): string {
  return message.replaceAll('\\n', '\n').replace(/\r\n/g, '\n').trim();
}

const VAULT_ANSWER = /URL: (?:POST|PUT) (\S+)\nCode: (\d+)\. Errors:\n\n\* ([\s\S]*)$/;
const LOGIN_URL = /\/v1\/auth\/(.+)\/login$/;

export function signatureOf(message: string | undefined): MessageSignature {
  if (message === undefined) return { kind: 'unknown', text: '' };
  const text = normalizeMessage(message);
  if (text === 'Vault verified') return { kind: 'ready' };
  const crd = /strict decoding error: unknown field "([^"]+)"|\.(spec\.[\w.]+): field not declared in schema/.exec(text);
  if (crd) return { kind: 'crd-rejection', field: crd[1] ?? crd[2]! };
  if (/cannot create resource "serviceaccounts\/token"/.test(text)) return { kind: 'token-request-forbidden' };
  const vault = VAULT_ANSWER.exec(text);
  if (vault) {
    const url = vault[1]!;
    const mount = LOGIN_URL.exec(url)?.[1];
    return { kind: 'vault', status: Number(vault[2]), errors: vault[3]!.trim(), url, ...(mount ? { mount } : {}) };
  }
  return { kind: 'unknown', text };
}

/** Two signatures say the same thing when the refusal is the same (the URL's host may differ between environments). */
export function sameSignature(a: MessageSignature, b: MessageSignature): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'vault' && b.kind === 'vault') return a.status === b.status && a.errors === b.errors && (a.mount === undefined || b.mount === undefined || a.mount === b.mount);
  if (a.kind === 'crd-rejection' && b.kind === 'crd-rejection') return a.field === b.field;
  if (a.kind === 'unknown' && b.kind === 'unknown') return a.text === b.text;
  return true;
}

/** The classes whose text this is, by the text alone (before any fact is consulted). */
export function classesOfSignature(s: MessageSignature): FailureClass[] {
  switch (s.kind) {
    case 'crd-rejection':
      return ['crd-unknown-field'];
    case 'token-request-forbidden':
      return ['token-request-forbidden'];
    case 'vault':
      if (s.errors === INVALID_AUDIENCE) return ['vault-role-audience'];
      if (s.errors === JWT_BOUND_AUDIENCE_ERROR) return ['jwt-bound-audience'];
      if (s.errors === JWT_NO_BOUND_AUDIENCES_ERROR) return ['jwt-no-bound-audiences'];
      if (s.errors === SERVICE_ACCOUNT_NAME_NOT_AUTHORIZED || s.errors === NAMESPACE_NOT_AUTHORIZED) return ['role-bound-service-account'];
      if (s.errors === PERMISSION_DENIED) return ['apiserver-audience', 'reviewer-forbidden', 'vault-mount-path', 'review-host'];
      return [];
    default:
      return [];
  }
}
