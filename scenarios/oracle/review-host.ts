import type { ExplainStep, KubernetesAuth } from '../types.ts';
import { loginUnauthorizedLine } from './messages.ts';
import type { OracleContext } from './model.ts';
import { all, HCLOG_PLAIN, kubernetesAuthPlugin } from './sources.ts';

/** A stale `kubernetes_host` (`auth.reviewHost: unreachable`): a closed port on Vault's own loopback, refused wherever Vault runs. */
export const UNREACHABLE_KUBERNETES_HOST = 'https://127.0.0.1:1';

/** The TokenReview endpoint Vault posts to, under `kubernetes_host`. */
const TOKEN_REVIEWS = '/apis/authentication.k8s.io/v1/tokenreviews';

/** Go's net/http error for a closed port, as the plugin's lookup returns it and Vault logs it. */
export function connectionRefused(host: string): string {
  const hostPort = new URL(host).host;
  return `Post "${host}${TOKEN_REVIEWS}": dial tcp ${hostPort}: connect: connection refused`;
}

/** Go's crypto/tls error for a server certificate no CA in the pool signs; the host before it varies. */
export const UNKNOWN_AUTHORITY = 'tls: failed to verify certificate: x509: certificate signed by unknown authority';

export interface ReviewHostOutcome {
  logLine: string;
  step: ExplainStep;
}

/**
 * Vault's TokenReview call when auth/<mount>/config misses the API server (vault-plugin-auth-kubernetes
 * path_login.go#backend.pathLogin: any error of serviceAccount.lookup is logged at DEBUG as `login unauthorized`
 * with the error, and the client gets only logical.ErrPermissionDenied, 403 `permission denied`; the HTTP client
 * trusts only `kubernetes_ca_cert`, backend.go#kubeAuthBackend.getHTTPClient). The client cannot tell it from an
 * audience refusal: only Vault's log names the dial or certificate error. Undefined where the config reaches it.
 */
export function reviewHostRefusal(ctx: OracleContext, auth: KubernetesAuth): ReviewHostOutcome | undefined {
  if (!auth.reviewHost) return undefined;
  const engine = ctx.plan.vault.engine;
  const source = all(
    kubernetesAuthPlugin(engine, 'token_review.go', 'tokenReviewAPI.Review'),
    kubernetesAuthPlugin(engine, 'path_login.go', 'backend.pathLogin'),
    kubernetesAuthPlugin(engine, 'backend.go', 'kubeAuthBackend.getHTTPClient'),
    HCLOG_PLAIN,
  );
  if (auth.reviewHost === 'unreachable') {
    const error = connectionRefused(UNREACHABLE_KUBERNETES_HOST);
    return {
      logLine: loginUnauthorizedLine(error),
      step: {
        step: 'TokenReview call',
        detail:
          `kubernetes_host is ${UNREACHABLE_KUBERNETES_HOST}, where no API server listens: the POST to ${TOKEN_REVIEWS} fails with "${error}". ` +
          'Vault logs it at DEBUG ("login unauthorized") and answers only permission denied, as for an audience refusal.',
        source,
      },
    };
  }
  return {
    // the whole line names the host, which differs per environment: the verdict looks for the fixed part
    logLine: UNKNOWN_AUTHORITY,
    step: {
      step: 'TokenReview call',
      detail:
        "kubernetes_ca_cert does not sign the API server's certificate: the TLS handshake of the TokenReview POST fails with " +
        `"${UNKNOWN_AUTHORITY}". Vault logs it at DEBUG ("login unauthorized") and answers only permission denied, as for an audience refusal.`,
      source,
    },
  };
}
