import { createHash } from 'node:crypto';
import { CERT_MANAGER_CONTROLLER } from '../scenarios/oracle/messages.ts';
import { NOMINAL_CLUSTER_RESOURCE_NAMESPACE } from '../scenarios/facts.ts';
import type { Plan } from '../scenarios/types.ts';
import { PROBE_NAMESPACE, REVIEWER_NAMESPACE } from '../lib/names.ts';

/**
 * Scenarios of one environment run side by side (`run --parallel N`) under isolated names: each namespace, Issuer,
 * ServiceAccount and Vault auth mount the scenario writes gets a suffix of its own, so nothing one scenario creates
 * or reads is another's. The renamed plan is what runs *and* what the oracle predicts from, so every expected
 * message (the `vault://<ns>/<issuer>` audience, the login URL's mount, `system:serviceaccount:…`) names what
 * really exists; the report lists written and actual names side by side.
 *
 * Renaming is consistent (one function per kind of name), so equalities the scenario relies on survive: an
 * Issuer whose mountPath names another mount still names another mount, a role bound to another ServiceAccount
 * still misses the Issuer's. Where a rename could change the meaning, the scenario is not renamed and runs alone:
 * the controller's own ServiceAccount (the chart grants it tokens), glob patterns in bound names, upgrades.
 */

export interface NameChange {
  what: 'namespace' | 'Issuer' | 'ClusterIssuer' | 'ServiceAccount' | 'auth mount' | 'Issuer mountPath';
  written: string;
  actual: string;
}

export type Isolation = { plan: Plan; names: NameChange[] } | { exclusive: string };

/** Namespaces that mean something to the cluster or the suite: kept as written (names inside them still change). */
const SHARED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease', NOMINAL_CLUSTER_RESOURCE_NAMESPACE, CERT_MANAGER_CONTROLLER.namespace, REVIEWER_NAMESPACE, PROBE_NAMESPACE]);

const DNS_LABEL_MAX = 63;

/** A short, stable suffix per scenario id (stable across runs, so reports of two runs compare). */
export function suffixOf(id: string, length = 5): string {
  return createHash('sha256').update(id).digest('hex').slice(0, length);
}

/** Suffixes for a group of plans, lengthened until no two collide. */
export function suffixesFor(ids: readonly string[]): Map<string, string> {
  for (let length = 5; ; length++) {
    const out = new Map(ids.map((id) => [id, suffixOf(id, length)]));
    if (new Set(out.values()).size === new Set(ids).size || length >= 64) return out;
  }
}

const withSuffix = (name: string, sfx: string) => `${name.slice(0, DNS_LABEL_MAX - sfx.length - 1)}-${sfx}`;

/** A plan under isolated names, or why it must keep the written ones (and run alone). */
export function isolate(plan: Plan, sfx: string): Isolation {
  if (plan.certManager.upgrade) return { exclusive: 'an upgrade replaces cert-manager itself' };
  const { issuer } = plan;
  const saNamespace = issuer.kind === 'Issuer' ? issuer.namespace! : NOMINAL_CLUSTER_RESOURCE_NAMESPACE;
  if (saNamespace === CERT_MANAGER_CONTROLLER.namespace && issuer.serviceAccount === CERT_MANAGER_CONTROLLER.name) {
    return { exclusive: "the Issuer uses cert-manager's own ServiceAccount (the chart's grants depend on its name)" };
  }
  const auth = plan.auth;
  const bound = auth.method === 'kubernetes' ? [...(auth.boundServiceAccountNames ?? []), ...(auth.boundServiceAccountNamespaces ?? [])] : [];
  const glob = bound.find((b) => b.includes('*') && b !== '*');
  if (glob) return { exclusive: `the role binds the glob ${glob}, which a renamed ServiceAccount or namespace might no longer match` };

  const name = (n: string) => (n === '*' ? n : withSuffix(n, sfx));
  const namespace = (n: string) => (n === '*' || SHARED_NAMESPACES.has(n) ? n : withSuffix(n, sfx));
  const names: NameChange[] = [];
  const note = (what: NameChange['what'], written: string, actual: string) => {
    if (written !== actual && !names.some((c) => c.what === what)) names.push({ what, written, actual });
    return actual;
  };

  const renamedIssuer = {
    ...issuer,
    name: note(issuer.kind, issuer.name, name(issuer.name)),
    ...(issuer.namespace !== undefined ? { namespace: note('namespace', issuer.namespace, namespace(issuer.namespace)) } : {}),
    serviceAccount: note('ServiceAccount', issuer.serviceAccount, name(issuer.serviceAccount)),
    ...(issuer.mount !== undefined ? { mount: note('Issuer mountPath', issuer.mount, name(issuer.mount)) } : {}),
  };
  const mount = note('auth mount', auth.mount, name(auth.mount));
  const renamedAuth =
    auth.method === 'kubernetes'
      ? {
          ...auth,
          mount,
          ...(auth.boundServiceAccountNames ? { boundServiceAccountNames: auth.boundServiceAccountNames.map(name) } : {}),
          ...(auth.boundServiceAccountNamespaces ? { boundServiceAccountNamespaces: auth.boundServiceAccountNamespaces.map(namespace) } : {}),
        }
      : { ...auth, mount };
  return { plan: { ...plan, issuer: renamedIssuer, auth: renamedAuth }, names };
}

/** One line for reports: `written → actual` per renamed name. */
export function describeNames(names: readonly NameChange[]): string {
  return `names (written → actual): ${names.map((c) => `${c.what} ${c.written} → ${c.actual}`).join(', ')}`;
}
