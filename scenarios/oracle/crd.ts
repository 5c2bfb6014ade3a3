import type { ExplainStep, Plan } from '../types.ts';
import { strictDecodingRejection } from './messages.ts';
import { type OracleContext } from './model.ts';
import { all, certManager, kubernetes } from './sources.ts';
import { atLeast, type CertManagerVersion } from './version.ts';

const AUDIENCES_FIELD = 'spec.vault.auth.kubernetes.serviceAccountRef.audiences';

export interface CrdOutcome {
  /** The API server's answer when it refuses the Issuer; absent = accepted. */
  rejection?: string;
  /** Present only when the scenario uses a version-gated field. */
  step?: ExplainStep;
}

/** The Issuer as the API server stored it under `version`: a leniently created one loses fields its CRD lacks. */
export function storedPlan(plan: Plan, version: CertManagerVersion): Plan {
  if (plan.issuer.audiences === undefined || plan.issuer.fieldValidation !== 'warn' || atLeast(version, 1, 15)) return plan;
  const { audiences: _pruned, ...issuer } = plan.issuer;
  return { ...plan, issuer };
}

/** serviceAccountRef.audiences exists from cert-manager v1.15 (TokenAudiences); an older CRD prunes it as unknown. */
export function checkIssuerFields(ctx: OracleContext): CrdOutcome {
  if (ctx.plan.issuer.audiences === undefined) return {};
  const { certManager: version, plan } = ctx;
  if (atLeast(version, 1, 15)) {
    return {
      step: {
        step: 'CRD schema',
        detail: `serviceAccountRef.audiences is declared in the ${plan.issuer.kind} CRD of cert-manager ${version.tag} (added in v1.15): accepted.`,
        source: certManager(version, 'pkg/apis/certmanager/v1/types_issuer.go', 'ServiceAccountRef.TokenAudiences'),
      },
    };
  }
  if (plan.issuer.fieldValidation === 'warn') {
    return {
      step: {
        step: 'CRD schema',
        detail:
          `cert-manager ${version.tag} has no serviceAccountRef.audiences (added in v1.15); a client that does not ask for strict ` +
          `field validation gets the ${plan.issuer.kind} stored with the field pruned and only a warning (unknown field ${JSON.stringify(AUDIENCES_FIELD)}): ` +
          'the audiences are gone from the stored object, and stay gone after an upgrade until the Issuer is applied again.',
        source: all(
          certManager(version, 'pkg/apis/certmanager/v1/types_issuer.go', 'ServiceAccountRef'),
          kubernetes('staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning/algorithm.go', 'PruneWithOptions'),
          kubernetes('staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go', 'fieldValidation'),
        ),
      },
    };
  }
  const rejection = strictDecodingRejection(plan.issuer.kind, 'v1', [AUDIENCES_FIELD]);
  return {
    rejection,
    step: {
      step: 'CRD schema',
      detail:
        `cert-manager ${version.tag} has no serviceAccountRef.audiences (added in v1.15); with strict field validation ` +
        `the API server refuses the ${plan.issuer.kind} before it exists: ${rejection}. ` +
        `(Server-side apply words it as ".${AUDIENCES_FIELD}: field not declared in schema".)`,
      source: all(
        certManager(version, 'pkg/apis/certmanager/v1/types_issuer.go', 'ServiceAccountRef'),
        kubernetes('staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/customresource_handler.go', 'schemaCoercingDecoder.Decode'),
        kubernetes('staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go', 'transformDecodeError'),
      ),
    },
  };
}
