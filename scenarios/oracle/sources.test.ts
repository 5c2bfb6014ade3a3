import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packageFile } from '../../lib/package-root.ts';
import { loadVersions } from '../versions.ts';
import { nominalFacts } from '../facts.ts';
import { loadPlans } from '../plan.ts';
import { predictStages } from './predict.ts';
import { KUBERNETES_TAG, VAULT_MODULES, VAULT_TAG } from './sources.ts';

/** The require lines of the pinned Vault's go.mod (testdata: module path -> version). */
const requires = new Map(
  readFileSync(packageFile('scenarios', 'oracle', 'testdata', `vault-${VAULT_TAG}-requires.txt`), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(' ') as [string, string]),
);

describe('what the oracle cites is what provisioning builds', () => {
  it("reads Vault's rules at the default Vault release", () => {
    expect(VAULT_TAG).toBe(loadVersions().vault.default);
  });

  it("reads the API server's texts at the default Kubernetes release", () => {
    expect(KUBERNETES_TAG).toBe(loadVersions().kubernetes.default);
  });

  it.each(Object.entries(VAULT_MODULES))('cites %s at %s, as the pinned Vault requires', (module, version) => {
    expect(requires.get(module), `${module} is not required by Vault ${VAULT_TAG}'s go.mod`).toBe(version);
  });

  it('every citation of a Vault module in every explanation names its required version', () => {
    const cited = new Set<string>();
    for (const plan of loadPlans()) {
      for (const { prediction } of predictStages(plan, nominalFacts(plan))) for (const step of prediction.steps) for (const m of step.source.matchAll(/hashicorp\/(vault-plugin-auth-[a-z]+|cap|go-hclog|vault)@((?:api|sdk)\/)?(v[\d.]+)/g)) cited.add(m[0]);
    }
    expect(cited.size).toBeGreaterThan(3);
    for (const c of cited) {
      const [, name, sub, version] = /hashicorp\/([^@]+)@((?:api|sdk)\/)?(v[\d.]+)/.exec(c)!;
      const module = name === 'vault' && !sub ? undefined : `github.com/hashicorp/${name}${sub ? `/${sub.slice(0, -1)}` : ''}`;
      if (module) expect(requires.get(module), c).toBe(version);
      else expect(version, c).toBe(VAULT_TAG);
    }
  });
});
