import { versionsNeeded } from '../scenarios/plan.ts';
import type { Plan } from '../scenarios/types.ts';
import { forSets, type ArtifactSet, type Recipe, type VersionedComponent } from './recipe.ts';

/**
 * The artifacts running `plans` on the backends `sets` needs: every single-version tool of those backends, and of
 * each versioned component only the versions some plan runs — so a first run, or CI, builds what it uses and no more.
 */
// Single-version tools only some plans use: each installer's Helm is built only where a plan installs with it.
const ONLY_FOR: Record<string, (p: Plan) => boolean> = { helm: (p) => p.certManager.installer === 'helm3', helm4: (p) => p.certManager.installer === 'helm4' };

export function recipesForPlans(recipes: Recipe[], plans: Plan[], sets: ArtifactSet[]): Recipe[] {
  const used: Record<VersionedComponent, Set<string>> = { kubernetes: new Set(), certManager: new Set(), vault: new Set(), openbao: new Set() };
  for (const p of plans) {
    const needed = versionsNeeded(p);
    for (const c of Object.keys(used) as VersionedComponent[]) for (const v of needed[c]) used[c].add(v);
  }
  const wanted = (r: Recipe) => (r.component ? used[r.component].has(r.version) : !ONLY_FOR[r.name] || plans.some(ONLY_FOR[r.name]!));
  return recipes.filter((r) => r.sets.some((s) => sets.includes(s)) && wanted(r)).map((r) => forSets(r, sets));
}
