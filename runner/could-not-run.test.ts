import { describe, expect, it } from 'vitest';
import { EnvironmentError } from '../lib/errors.ts';
import { missingPins, NotProvisionedError } from '../provision/artifacts.ts';
import { fixturePlan } from '../reports/fixtures.ts';
import { couldNotRunReason } from './could-not-run.ts';
import { couldNotRun } from './run.ts';

const plan = fixturePlan('some-scenario');
const vault = new NotProvisionedError('vault v1.21.0', 'not provisioned on this machine', 'vault@v1.21.0');

describe('a scenario that could not run', () => {
  it('is worded "could not run: …" and carries the pin the machine lacked', () => {
    expect(couldNotRun(plan, 'environment failed to start: error: vault v1.21.0: not provisioned on this machine', vault)).toEqual({
      plan,
      skipped: 'could not run: environment failed to start: error: vault v1.21.0: not provisioned on this machine',
      broken: true,
      missing: ['vault@v1.21.0'],
    });
    expect(vault.format()).toContain('do: run `npx cm-vault-e2e provision --only vault@v1.21.0`');
  });

  it('finds the pins under an AggregateError or a cause; none behind other errors', () => {
    const chart = new NotProvisionedError('cert-manager-controller v1.16.5', 'chart is missing from the cache', 'cert-manager-controller@v1.16.5');
    expect(missingPins(new AggregateError([vault, chart, vault]))).toEqual(['vault@v1.21.0', 'cert-manager-controller@v1.16.5']);
    expect(missingPins(new Error('start failed', { cause: chart }))).toEqual(['cert-manager-controller@v1.16.5']);
    expect(missingPins(new EnvironmentError('kind', 'exited 1', 'look at the log'))).toEqual([]);
    expect(couldNotRun(plan, 'boom', new Error('boom'))).not.toHaveProperty('missing');
  });

  it('couldNotRunReason adds the words once', () => {
    expect(couldNotRunReason('environment failed to start: x')).toBe('could not run: environment failed to start: x');
    expect(couldNotRunReason('could not run: x')).toBe('could not run: x');
  });
});
