import { describe, expect, it } from 'vitest';
import { inputErrorOf } from '../lib/test-support/input-error.ts';
import { unreachableReason, whenAnswered } from './cluster-reach.ts';

// The shapes client-node 1.x rejects with: node-fetch's FetchError when no answer came, ApiException (numeric
// `code`) when the API server answered.
const fetchError = (code: string, message: string) => Object.assign(new Error(message), { name: 'FetchError', type: 'system', code, errno: code });
const apiException = (code: number) => Object.assign(new Error(`HTTP-Code: ${code}`), { code, body: '{}' });
const cluster = { server: 'https://10.0.0.1:6443', kubeconfig: '/home/me/.kube/config' };

describe('live diagnose: an API server that answered "no" vs one that cannot be reached', () => {
  it('no answer (refused, DNS, TLS, timeout) is unreachable, with the first line of why', () => {
    expect(unreachableReason(fetchError('ECONNREFUSED', 'request to https://10.0.0.1:6443/api failed, reason: connect ECONNREFUSED 10.0.0.1:6443'))).toBe('request to https://10.0.0.1:6443/api failed, reason: connect ECONNREFUSED 10.0.0.1:6443');
    expect(unreachableReason(fetchError('ENOTFOUND', 'getaddrinfo ENOTFOUND api.example\nmore'))).toBe('getaddrinfo ENOTFOUND api.example');
    expect(unreachableReason(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }))).toBe('self-signed certificate');
    expect(unreachableReason(Object.assign(new Error('network timeout'), { name: 'FetchError', type: 'request-timeout' }))).toBe('network timeout');
  });

  it('an HTTP answer (403, 404, 500) is not unreachable; nor is an error of another kind', () => {
    for (const code of [401, 403, 404, 500]) expect(unreachableReason(apiException(code))).toBeUndefined();
    expect(unreachableReason(new TypeError("Cannot read properties of undefined (reading 'items')"))).toBeUndefined();
    expect(unreachableReason(undefined)).toBeUndefined();
  });

  it('whenAnswered: the fallback for a refusal, an InputError (exit 2) naming the server and kubeconfig when unreachable', () => {
    expect(whenAnswered('fallback', cluster)(apiException(403))).toBe('fallback');
    expect(inputErrorOf(() => whenAnswered('fallback', cluster)(fetchError('ECONNREFUSED', 'connect ECONNREFUSED'))).format()).toBe('error: /home/me/.kube/config (--kubeconfig): the API server https://10.0.0.1:6443 cannot be reached: connect ECONNREFUSED\n  fix: check it answers: kubectl --kubeconfig /home/me/.kube/config get --raw /readyz');
  });
});
