import type { ExplainStep } from '../types.ts';
import { CERT_MANAGER_CONTROLLER, forbiddenMessage, serviceAccountUser, tokenRequestFailure } from './messages.ts';
import { resourceNamespace, type OracleContext } from './model.ts';
import { all, certManager, kubernetes } from './sources.ts';
import { atLeast, type CertManagerVersion } from './version.ts';

export interface TokenRequestOutcome {
  allowed: boolean;
  /** The cause cert-manager wraps into the Issuer message when refused. */
  error?: string;
  step: ExplainStep;
}

/**
 * Charts v1.16 to v1.20 grant the controller `create serviceaccounts/token` on its own ServiceAccount only
 * (Role `<sa>-tokenrequest`); v1.21 dropped it. Any other ServiceAccount needs the scenario's Role.
 */
export function chartGrantsTokenFor(v: CertManagerVersion, namespace: string, serviceAccount: string): boolean {
  return atLeast(v, 1, 16) && !atLeast(v, 1, 21) && namespace === CERT_MANAGER_CONTROLLER.namespace && serviceAccount === CERT_MANAGER_CONTROLLER.name;
}

/** The chart's Role (rbac.yaml) the grant comes from, cited with the release's tag. */
export function chartRbacSource(v: CertManagerVersion, granted: boolean): string {
  return certManager(v, 'deploy/charts/cert-manager/templates/rbac.yaml', granted ? 'cert-manager-tokenrequest' : 'cert-manager-controller-*');
}

/** cert-manager's TokenRequest: sent to the resource namespace, authorized as the controller. */
export function requestToken(ctx: OracleContext): TokenRequestOutcome {
  const { plan, certManager: version } = ctx;
  const namespace = resourceNamespace(ctx);
  const sa = plan.issuer.serviceAccount;
  const controller = serviceAccountUser(CERT_MANAGER_CONTROLLER.namespace, CERT_MANAGER_CONTROLLER.name);
  const byChart = chartGrantsTokenFor(version, namespace, sa);
  const allowed = plan.issuer.tokenRequestRole || byChart;
  const where = `POST serviceaccounts/${sa}/token in namespace ${namespace}` + (plan.issuer.kind === 'ClusterIssuer' ? ' (the cluster resource namespace)' : '');
  const source = all(
    certManager(version, 'internal/vault/vault.go', 'New'),
    certManager(version, 'pkg/controller/helper.go', 'IssuerOptions.ResourceNamespace'),
    chartRbacSource(version, byChart),
  );
  if (allowed) {
    const why = plan.issuer.tokenRequestRole ? 'the scenario grants it' : `the ${version.tag} chart's own tokenrequest Role grants it`;
    return { allowed, step: { step: 'token request', detail: `${where} as ${controller}: allowed (${why}).`, source } };
  }
  const refusal = forbiddenMessage({ user: controller, verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token', name: sa, namespace });
  // cert-manager prints the Issuer's own namespace (empty for a ClusterIssuer), not the one it asked in.
  const error = tokenRequestFailure(plan.issuer.namespace ?? '', sa, refusal);
  return {
    allowed,
    error,
    step: {
      step: 'token request',
      detail: `${where} as ${controller}: forbidden, no Role grants create on serviceaccounts/token for ${sa}. The API server answers 403: ${refusal}`,
      source: all(
        source,
        kubernetes('staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go', 'forbiddenMessage'),
        kubernetes('staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go', 'NewForbidden'),
      ),
    },
  };
}
