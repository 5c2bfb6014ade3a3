import { describe, expect, it } from 'vitest';
import { formatStock, holdsAll, parseStock, pickStocked, servesFor, staleStocked, type Stock } from './stocked.ts';

const ID_A = `sha256:${'a'.repeat(64)}`;
const ID_B = `sha256:${'b'.repeat(64)}`;
const ID_C = `sha256:${'c'.repeat(64)}`;
const stock = (entries: Record<string, string>): Stock => new Map(Object.entries(entries));
const CM = 'quay.io/jetstack/cert-manager-controller:v1.21.2';
const VAULT = 'cm-vault-e2e/vault:v1.21.0';
const HOOK = 'registry.example/x:1';

describe('stock labels', () => {
  it('round-trip, sorted, references with registry ports and tags kept whole', () => {
    const s = stock({ [VAULT]: ID_B, [CM]: ID_A, 'localhost:5000/a/b:1': ID_C });
    const label = formatStock(s);
    expect(label).toBe(`cm-vault-e2e/vault:v1.21.0@${ID_B} localhost:5000/a/b:1@${ID_C} ${CM}@${ID_A}`);
    expect(parseStock(label)).toEqual(s);
  });

  it('an absent or malformed label holds nothing', () => {
    expect(parseStock(undefined).size).toBe(0);
    expect(parseStock('no-id-here other@md5:1').size).toBe(0);
  });
});

describe('which stocked image serves', () => {
  it('holds all only at the same IDs', () => {
    expect(holdsAll(stock({ [CM]: ID_A, [VAULT]: ID_B }), stock({ [CM]: ID_A }))).toBe(true);
    expect(holdsAll(stock({ [CM]: ID_A }), stock({ [CM]: ID_C }))).toBe(false);
    expect(holdsAll(stock({ [CM]: ID_A }), stock({ [CM]: ID_A, [VAULT]: ID_B }))).toBe(false);
  });

  it('does for a set it holds at most twice over', () => {
    expect(servesFor(stock({ [CM]: ID_A, [VAULT]: ID_B }), stock({ [CM]: ID_A }))).toBe(true);
    expect(servesFor(stock({ [CM]: ID_A, [VAULT]: ID_B, [HOOK]: ID_C }), stock({ [CM]: ID_A }))).toBe(false);
    expect(servesFor(stock({ [CM]: ID_A }), stock({ [CM]: ID_C }))).toBe(false);
  });

  it('the smallest that does, or none', () => {
    const big = { name: 'big', stock: stock({ [CM]: ID_A, [VAULT]: ID_B, [HOOK]: ID_C }) };
    const small = { name: 'small', stock: stock({ [CM]: ID_A, [VAULT]: ID_B }) };
    const other = { name: 'other', stock: stock({ [CM]: ID_A }) };
    expect(pickStocked([big, small, other], stock({ [CM]: ID_A, [VAULT]: ID_B }))?.name).toBe('small');
    expect(pickStocked([big, small, other], stock({ [HOOK]: ID_C, [CM]: ID_A }))?.name).toBe('big');
    expect(pickStocked([big, small], stock({ [HOOK]: ID_C }))).toBeUndefined(); // big holds it, but three times over
  });
});

describe('which stocked images go', () => {
  const current = { image: 'now', base: 'node-1', stock: stock({ [CM]: ID_A, [VAULT]: ID_B, [HOOK]: ID_C }) };
  const ids = (m: Record<string, string>) => (ref: string) => m[ref];

  it('those of another node image, those whose images were rebuilt, those the new one does for', () => {
    const all = [
      current,
      { image: 'old-node', base: 'node-0', stock: stock({ [CM]: ID_A }) },
      { image: 'rebuilt', base: 'node-1', stock: stock({ [HOOK]: ID_A, [CM]: ID_A }) },
      { image: 'subset', base: 'node-1', stock: stock({ [VAULT]: ID_B, [CM]: ID_A }) },
      // the new one holds more than twice its images: a run asking for it would not take the new one
      { image: 'far-smaller', base: 'node-1', stock: stock({ [VAULT]: ID_B }) },
      { image: 'larger', base: 'node-1', stock: stock({ [CM]: ID_A, [VAULT]: ID_B, [HOOK]: ID_C, 'x:1': ID_C }) },
      { image: 'unknown-now', base: 'node-1', stock: stock({ 'gone:1': ID_C }) },
    ];
    const gone = staleStocked(all, current, ids({ [CM]: ID_A, [VAULT]: ID_B, [HOOK]: ID_C, 'x:1': ID_C }));
    expect(gone.map((s) => s.image)).toEqual(['old-node', 'rebuilt', 'subset']);
  });
});
