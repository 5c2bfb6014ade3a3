import { describe, expect, it } from 'vitest';
import { fixturePlan, vaultNotProvisioned } from '../reports/fixtures.ts';
import { formatOutcome } from './format-outcome.ts';

describe("run's line per scenario", () => {
  it('could not run: "!", the words, and the pins not provisioned', () => {
    expect(formatOutcome(vaultNotProvisioned())).toBe('!  k8s-local-token-ready  could not run: environment failed to start: error: vault v1.21.0: not provisioned on this machine (not provisioned: vault@v1.21.0)');
    expect(formatOutcome({ plan: fixturePlan('x'), skipped: 'environment failed to start: boom', broken: true })).toBe('!  x  could not run: environment failed to start: boom');
  });

  it('a skip says skipped', () => {
    expect(formatOutcome({ plan: fixturePlan('x'), skipped: 'needs kind' })).toBe('-  x  skipped: needs kind');
  });
});
