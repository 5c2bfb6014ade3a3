import { InputError } from '../lib/errors.ts';
import type { Plan } from './types.ts';
import { suggestion } from './suggest.ts';

/** The dimensions `--filter key=value` understands; each gives the plan's values for that key. */
const DIMENSIONS: Record<string, (p: Plan) => string[]> = {
  id: (p) => [p.id],
  profile: (p) => [p.profile.name],
  k8s: (p) => [p.cluster.kubernetes],
  // An upgrade runs both versions, so it matches either.
  cm: (p) => (p.certManager.upgrade ? [p.certManager.upgrade.from, p.certManager.upgrade.to] : [p.certManager.version]),
  upgrade: (p) => [String(p.certManager.upgrade !== undefined)],
  installer: (p) => [p.certManager.installer],
  engine: (p) => [p.vault.engine],
  vault: (p) => [p.vault.version],
  placement: (p) => [p.vault.placement],
  method: (p) => [p.auth.method],
  reviewer: (p) => [p.auth.method === 'kubernetes' ? p.auth.tokenReviewer : 'none'],
  kind: (p) => [p.issuer.kind],
  tag: (p) => (p.tags.length ? p.tags : ['none']),
  ready: (p) => [String(p.expect.ready)],
  failure: (p) => [p.expect.failure ?? 'none'],
  env: (p) => [p.environmentKey],
  // CI runs the plans whose versions it builds (versions.yaml `ci`); the main job runs them all.
  ci: (p) => [String(p.ci)],
  file: (p) => [p.source.file],
};

const ALIASES: Record<string, string> = { kubernetes: 'k8s', certManager: 'cm', 'cert-manager': 'cm', environment: 'env', tags: 'tag' };

export const FILTER_KEYS = Object.keys(DIMENSIONS);

export const FILTER_HELP =
  'comma-separated terms, all must match: `key=value` or `key!=value` on ' +
  `${FILTER_KEYS.join(', ')}; a value may be a glob (*, ?) or alternatives a|b; ` +
  'a bare term is a substring or glob of the id. Example: profile=kind,reviewer=client-jwt,cm=v1.16.5';

type Predicate = (p: Plan) => boolean;

/** Plans matching `expr` (see FILTER_HELP). An empty expression matches everything. */
export function filterPlans(plans: readonly Plan[], expr: string | undefined): Plan[] {
  if (!expr?.trim()) return [...plans];
  const predicates = expr
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map(parseTerm);
  return plans.filter((p) => predicates.every((pred) => pred(p)));
}

function parseTerm(term: string): Predicate {
  // keys may hold digits (k8s)
  const m = /^([A-Za-z][A-Za-z0-9-]*)\s*(!=|=)\s*(.*)$/.exec(term);
  if (!m) {
    const pattern = /[*?]/.test(term) ? glob(term) : new RegExp(escape(term), 'i');
    return (p) => pattern.test(p.id);
  }
  const [, rawKey = '', op, value = ''] = m;
  const key = ALIASES[rawKey] ?? rawKey;
  const dimension = DIMENSIONS[key];
  if (!dimension) {
    throw new InputError({ file: '--filter', field: rawKey }, `unknown filter key \`${rawKey}\``, suggestion(rawKey, FILTER_KEYS, 'key'));
  }
  if (!value.trim()) throw new InputError({ file: '--filter', field: rawKey }, `\`${term}\` has no value`, `write \`${rawKey}=<value>\`, e.g. ${example(key)}`);
  const patterns = value.split('|').map((v) => glob(v.trim()));
  const hit: Predicate = (p) => dimension(p).some((v) => patterns.some((re) => re.test(v)));
  return op === '!=' ? (p) => !hit(p) : hit;
}

function example(key: string): string {
  const examples: Record<string, string> = { profile: 'profile=kind', cm: 'cm=v1.16.5', reviewer: 'reviewer=client-jwt', tag: 'tag=smoke', placement: 'placement=external', method: 'method=jwt' };
  return examples[key] ?? `${key}=…`;
}

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split(/([*?])/).map((part) => (part === '*' ? '.*' : part === '?' ? '.' : escape(part))).join('')}$`, 'i');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
