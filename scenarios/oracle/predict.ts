import type { EnvironmentFacts, ExplainStep, Plan, Prediction } from '../types.ts';
import { checkIssuerFields, storedPlan } from './crd.ts';
import { jwtLogin } from './jwt-auth.ts';
import { kubernetesLogin } from './kubernetes-auth.ts';
import { issuerErrorMessage } from './issuer-message.ts';
import { checkMountPath, issuerMount } from './mount-path.ts';
import {
  kubernetesAuthChain,
  loginUrl,
  READY_CONDITION,
  VAULT_ERROR_REASON,
  vaultApiError,
  vaultCallFailure,
} from './messages.ts';
import type { LoginOutcome, OracleContext } from './model.ts';
import { all, certManager, VAULT_API_RESPONSE_ERROR } from './sources.ts';
import { tokenAudiences, tokenAudiencesStep } from './token-audiences.ts';
import { requestToken } from './token-request.ts';
import { parseCertManagerVersion } from './version.ts';
import { auditPrediction, auditStep } from './audit.ts';
import { signRequest } from './vault-policy.ts';
import { predictExposure } from './exposure.ts';
import { predictTokenRequesters } from './token-requesters.ts';

export interface StagePrediction {
  stage: 'before' | 'after';
  prediction: Prediction;
}

/** What the scenario's Issuer ends up as, for the cert-manager version it runs (for an upgrade: the one after). */
export function predict(plan: Plan, facts: EnvironmentFacts): Prediction {
  return predictAt(plan, facts, plan.certManager.version);
}

/** An upgrade evaluated at `from`, then at `to`; a plan without one gives its single prediction as `after`. */
export function predictStages(plan: Plan, facts: EnvironmentFacts): StagePrediction[] {
  const upgrade = plan.certManager.upgrade;
  if (!upgrade) return [{ stage: 'after', prediction: predict(plan, facts) }];
  return [
    { stage: 'before', prediction: predictAt(plan, facts, upgrade.from) },
    // The objects made before the upgrade are what the new version reads: pruned fields stay pruned.
    { stage: 'after', prediction: predictAt(storedPlan(plan, parseCertManagerVersion(upgrade.from)), facts, upgrade.to) },
  ];
}

/**
 * The Issuer's outcome, and who may mint its token where the token's exposure is measured — at every stage of an
 * upgrade, whose chart may change that RBAC.
 */
export function predictAt(plan: Plan, facts: EnvironmentFacts, version: string): Prediction {
  const ctx: OracleContext = { plan, facts, certManager: parseCertManagerVersion(version) };
  const prediction = predictIssuer(ctx);
  if (plan.certManager.upgrade || prediction.exposure) {
    const { requesters, step } = predictTokenRequesters(ctx);
    prediction.exposure = { ...prediction.exposure, requesters };
    prediction.steps.push(step);
  }
  return prediction;
}

/** Checks in the order the real code makes them: CRD validation, the TokenRequest, then Vault's login. */
function predictIssuer(ctx: OracleContext): Prediction {
  const { plan, facts } = ctx;
  const steps: ExplainStep[] = [];

  const crd = checkIssuerFields(ctx);
  if (crd.step) steps.push(crd.step);
  if (crd.rejection !== undefined) {
    steps.push(auditStep(ctx, null));
    return { ready: false, failure: 'crd-unknown-field', tokenAudiences: [], issuer: null, rejection: { message: crd.rejection }, audit: { login: null }, steps };
  }

  const audiences = tokenAudiences(ctx);
  steps.push(tokenAudiencesStep(ctx, audiences));

  const token = requestToken(ctx);
  steps.push(token.step);
  if (!token.allowed) {
    // The Kubernetes API's refusal is not an answer from the Vault server.
    const sanitised = issuerErrorMessage(ctx, kubernetesAuthChain(token.error ?? ''), { kind: 'local' });
    if (sanitised.step) steps.push(sanitised.step);
    const issuer = { status: 'False' as const, reason: VAULT_ERROR_REASON, message: sanitised.message };
    steps.push(issuerStep(ctx, issuer));
    steps.push(auditStep(ctx, null));
    return { ready: false, failure: 'token-request-forbidden', tokenAudiences: audiences, issuer, audit: { login: null }, steps };
  }

  const exposure = predictExposure(ctx, audiences);
  const mount = issuerMount(ctx);
  const url = loginUrl(facts.vaultServer, mount);
  steps.push({
    step: 'login request',
    detail: `cert-manager sends POST ${url} with the role and the token (Issuer mountPath /v1/auth/${mount}).`,
    source: certManager(ctx.certManager, 'internal/vault/vault.go', 'requestTokenWithKubernetesAuth'),
  });
  const login: LoginOutcome =
    checkMountPath(ctx) ?? (plan.auth.method === 'kubernetes' ? kubernetesLogin(ctx, plan.auth, audiences) : jwtLogin(ctx, plan.auth, audiences));
  steps.push(...login.steps);

  const vault: NonNullable<Prediction['vault']> = { status: login.status, errors: login.errors };
  if (login.logLine) vault.logLine = login.logLine;
  const prediction: Prediction = { ready: login.status === 200, tokenAudiences: audiences, issuer: null, vault, steps };
  if (login.failure) prediction.failure = login.failure;
  if (login.apiserverLine) prediction.apiserver = { line: login.apiserverLine };

  if (login.status === 200) {
    steps.push({ step: 'Vault answer', detail: 'Vault answers 200 with a client token.', source: certManager(ctx.certManager, 'internal/vault/vault.go', 'requestTokenWithKubernetesAuth') });
    prediction.issuer = { ...READY_CONDITION };
  } else {
    const apiError = vaultApiError('POST', url, login.status, login.errors);
    steps.push({
      step: 'Vault answer',
      detail: `Vault answers ${login.status}: ${login.errors.join('; ')}. cert-manager's Vault client prints it as "${apiError.replaceAll('\n', '\\n')}".`,
      source: all(VAULT_API_RESPONSE_ERROR, certManager(ctx.certManager, 'internal/vault/vault.go', 'requestTokenWithKubernetesAuth')),
    });
    // Vault and OpenBao answer errors in their JSON envelope, which cert-manager's client decodes (RawError false).
    const sanitised = issuerErrorMessage(ctx, kubernetesAuthChain(vaultCallFailure(apiError)), { kind: 'vault-error' });
    if (sanitised.step) steps.push(sanitised.step);
    prediction.issuer = { status: 'False', reason: VAULT_ERROR_REASON, message: sanitised.message };
  }
  steps.push(issuerStep(ctx, prediction.issuer));
  if (login.status === 200) {
    const sign = signRequest(ctx);
    steps.push(...sign.steps);
    prediction.sign = sign.sign;
    if (sign.failure) {
      prediction.ready = false;
      prediction.failure = sign.failure;
    }
    prediction.audit = auditPrediction(ctx, login, sign);
  } else {
    prediction.audit = auditPrediction(ctx, login);
  }
  steps.push(auditStep(ctx, prediction.audit));
  steps.push(exposure.step);
  if (exposure.exposure) prediction.exposure = exposure.exposure;
  return prediction;
}

function issuerStep(ctx: OracleContext, issuer: NonNullable<Prediction['issuer']>): ExplainStep {
  const detail =
    issuer.status === 'True'
      ? `cert-manager checks Vault's health and sets Ready=True, reason ${issuer.reason}, message "${issuer.message}".`
      : `cert-manager sets Ready=False, reason ${issuer.reason}, message "Failed to initialize Vault client: " followed by the error chain.`;
  return {
    step: 'Issuer condition',
    detail,
    source: all(certManager(ctx.certManager, 'pkg/issuer/vault/setup.go', 'Vault.Setup'), certManager(ctx.certManager, 'internal/vault/vault.go', 'Vault.setToken')),
  };
}
