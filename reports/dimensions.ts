// The axes a reader slices the matrix by. Labels are what the HTML page groups and filters on
// and what report.json records per scenario.
import type { Plan } from '../scenarios/types.ts';

export type DimensionKey = 'profile' | 'certManager' | 'auth' | 'placement' | 'engine';

export interface Dimension {
  key: DimensionKey;
  label: string;
  of: (p: Plan) => string;
}

export const DIMENSIONS: readonly Dimension[] = [
  { key: 'profile', label: 'Profile', of: (p) => p.profile.name },
  {
    key: 'certManager',
    label: 'cert-manager',
    of: (p) => (p.certManager.upgrade ? `${p.certManager.upgrade.from} → ${p.certManager.upgrade.to}` : p.certManager.version),
  },
  { key: 'auth', label: 'Auth / reviewer', of: (p) => (p.auth.method === 'kubernetes' ? `kubernetes · ${p.auth.tokenReviewer}` : 'jwt') },
  { key: 'placement', label: 'Placement', of: (p) => p.vault.placement },
  { key: 'engine', label: 'Engine', of: (p) => `${p.vault.engine} ${p.vault.version}` },
];

export function dimensionsOf(p: Plan): Record<DimensionKey, string> {
  return Object.fromEntries(DIMENSIONS.map((d) => [d.key, d.of(p)])) as Record<DimensionKey, string>;
}
