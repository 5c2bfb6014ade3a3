import type { EnvironmentFacts, Plan } from './types.ts';

/**
 * Audiences may name what only the running environment knows. `${name}` is replaced when facts are known;
 * `list` and `explain` use nominal facts and say so.
 */
export const PLACEHOLDERS = {
  'cluster.apiAudience': 'the first of the API server’s implicit audiences (--api-audiences)',
  'cluster.issuer': 'the ServiceAccount token issuer (--service-account-issuer)',
  'vault.server': 'spec.vault.server as the Issuer carries it',
  'issuer.defaultAudience': 'the audience cert-manager always adds: vault://<ns>/<name> or vault://<name>',
} as const;

export type PlaceholderName = keyof typeof PLACEHOLDERS;

const PATTERN = /\$\{([^}]*)\}/g;

/** Names used in `value` that are not known placeholders (for the schema's error message). */
export function unknownPlaceholders(value: string): string[] {
  return [...value.matchAll(PATTERN)].map((m) => m[1] ?? '').filter((n) => !(n in PLACEHOLDERS));
}

export function defaultAudience(issuer: Plan['issuer']): string {
  return issuer.kind === 'Issuer' ? `vault://${issuer.namespace}/${issuer.name}` : `vault://${issuer.name}`;
}

export function resolvePlaceholders(value: string, plan: Plan, facts: EnvironmentFacts): string {
  const values: Record<PlaceholderName, string> = {
    'cluster.apiAudience': facts.apiAudiences[0] ?? facts.serviceAccountIssuer,
    'cluster.issuer': facts.serviceAccountIssuer,
    'vault.server': facts.vaultServer,
    'issuer.defaultAudience': defaultAudience(plan.issuer),
  };
  return value.replace(PATTERN, (whole, name: string) => (name in values ? values[name as PlaceholderName] : whole));
}
