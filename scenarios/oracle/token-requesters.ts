import type { ExplainStep, TokenRequesterPrediction } from '../types.ts';
import { CERT_MANAGER_CONTROLLER, serviceAccountUser } from './messages.ts';
import { resourceNamespace, type OracleContext } from './model.ts';
import { all, kubernetes } from './sources.ts';
import { chartGrantsTokenFor, chartRbacSource } from './token-request.ts';
import { atLeast } from './version.ts';

/**
 * Who may mint the tokens that matter, as SubjectAccessReviews for `create serviceaccounts/token` answer it:
 * cert-manager's controller for the issuer's ServiceAccount (what the Issuer needs: the user's Role, or the chart's
 * for the controller's own ServiceAccount), and the controller for its own ServiceAccount, which the chart granted
 * from v1.16 to v1.20 and v1.21 dropped. The second is the RBAC a cert-manager upgrade changes by itself.
 */
export function predictTokenRequesters(ctx: OracleContext): { requesters: TokenRequesterPrediction[]; step: ExplainStep } {
  const { plan, certManager: version } = ctx;
  const subject = serviceAccountUser(CERT_MANAGER_CONTROLLER.namespace, CERT_MANAGER_CONTROLLER.name);
  const asked: Array<{ namespace: string; serviceAccount: string }> = [{ namespace: resourceNamespace(ctx), serviceAccount: plan.issuer.serviceAccount }];
  const own = { namespace: CERT_MANAGER_CONTROLLER.namespace, serviceAccount: CERT_MANAGER_CONTROLLER.name };
  if (!asked.some((a) => a.namespace === own.namespace && a.serviceAccount === own.serviceAccount)) asked.push(own);

  const requesters = asked.map(({ namespace, serviceAccount }): TokenRequesterPrediction => {
    const isIssuers = serviceAccount === plan.issuer.serviceAccount && namespace === resourceNamespace(ctx);
    const byChart = chartGrantsTokenFor(version, namespace, serviceAccount);
    const byUser = isIssuers && plan.issuer.tokenRequestRole;
    const why = byUser
      ? `the scenario's Role in ${namespace} (issuer.tokenRequestRole)`
      : byChart
        ? `the ${version.tag} chart's tokenrequest Role`
        : `no Role grants it${atLeast(version, 1, 21) ? ` (the ${version.tag} chart has no tokenrequest Role: v1.21 dropped it)` : ''}`;
    return { subject, namespace, serviceAccount, allowed: !!(byUser || byChart), why };
  });
  const list = requesters.map((r) => `${r.namespace}/${r.serviceAccount}: ${r.allowed ? 'may' : 'may not'} (${r.why})`).join('; ');
  return {
    requesters,
    step: {
      step: 'who may request tokens',
      detail: `create serviceaccounts/token as ${subject} (a SubjectAccessReview each) — ${list}.`,
      source: all(chartRbacSource(version, requesters.some((r) => r.allowed && r.why.includes('chart'))), kubernetes('pkg/registry/authorization/subjectaccessreview/rest.go', 'REST.Create')),
    },
  };
}

