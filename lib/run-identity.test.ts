import { describe, expect, it } from 'vitest';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { hostIdentity, isSameProcess, newRunId, observeProcess, ownerLabel, ownerState, parseOwnerLabel, parseStat, RUN_ID_IN_NAME, RUN_ID_PATTERN, selfIdentity } from './run-identity.ts';

describe('run ids', () => {
  it('are r + five base-36 characters, and differ', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newRunId()));
    for (const id of ids) expect(id).toMatch(RUN_ID_PATTERN);
    expect(ids.size).toBe(200);
    expect(newRunId(Buffer.alloc(8))).toBe('r00000');
  });

  it('are found inside names, not inside other words', () => {
    expect(RUN_ID_IN_NAME.exec('cmve-kind-0a1b2c3d-r1x2y3')?.[1]).toBe('r1x2y3');
    expect(RUN_ID_IN_NAME.exec('cm-vault-e2e-rab12c-vault-9f')?.[1]).toBe('rab12c');
    expect(RUN_ID_IN_NAME.test('cmve-kind-0a1b2c3d')).toBe(false);
    expect(RUN_ID_IN_NAME.test('cmve-rancher-0a1b2c3d')).toBe(false);
  });
});

describe('parseStat', () => {
  it('reads state and start time after a command name holding spaces and parentheses', () => {
    const line = '4242 (kube (api) server) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 12 0 987654 123456 789 18446744073709551615';
    expect(parseStat(line)).toEqual({ state: 'S', start: '987654' });
    expect(parseStat('garbage')).toBeUndefined();
  });
});

describe('isSameProcess: whether a recorded owner still runs', () => {
  const recorded = { pid: 4242, start: '987654', boot: 'b1' };
  it('is alive only with the same pid, boot and start time, and not a zombie', () => {
    expect(isSameProcess(recorded, { pid: 4242, start: '987654', boot: 'b1', state: 'S' })).toBe(true);
    expect(isSameProcess(recorded, undefined)).toBe(false);
    // the pid was reused by a later process
    expect(isSameProcess(recorded, { pid: 4242, start: '999999', boot: 'b1', state: 'S' })).toBe(false);
    // the machine rebooted and the pid and tick count happen to match
    expect(isSameProcess(recorded, { pid: 4242, start: '987654', boot: 'b2', state: 'S' })).toBe(false);
    // killed, not yet reaped by its parent
    expect(isSameProcess(recorded, { pid: 4242, start: '987654', boot: 'b1', state: 'Z' })).toBe(false);
  });

  it('falls back to the pid alone where no start time is known', () => {
    expect(isSameProcess({ pid: 7 }, { pid: 7, state: 'R' })).toBe(true);
    expect(isSameProcess({ pid: 7, start: '1' }, { pid: 7, state: 'R' })).toBe(true);
  });

  it('recognises this very process, and not a start time off by one', () => {
    const me = selfIdentity();
    expect(isSameProcess(me, observeProcess(process.pid))).toBe(true);
    if (me.start) expect(isSameProcess({ ...me, start: String(Number(me.start) + 1) }, observeProcess(process.pid))).toBe(false);
  });
});

describe('the host an owner ran on', () => {
  it("is this process's hostname, machine id and pid namespace, and part of its identity", () => {
    const host = hostIdentity();
    const [name, , pidns] = host.split('/');
    expect(name).toBe(hostname().replace(/[^A-Za-z0-9._-]+/g, '_'));
    expect(pidns).toBe(/\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))![1]);
    expect(selfIdentity().host).toBe(host);
  });

  it('makes an owner of another host foreign, alive or not: CI jobs in separate containers share one boot id, not their pids', () => {
    const dead = () => false;
    const job2 = { pid: 77, start: '5', boot: 'b', host: 'runner-2/0123/4026532999' };
    expect(ownerState(job2, { host: 'runner-1/0123/4026532451', alive: dead, unknownHost: 'same' })).toBe('foreign');
    expect(ownerState(job2, { host: job2.host, alive: dead, unknownHost: 'same' })).toBe('gone');
    expect(ownerState(job2, { host: job2.host, alive: () => true, unknownHost: 'same' })).toBe('alive');
  });

  it('takes an owner recorded without a host (an older suite) as the caller says', () => {
    const legacy = { pid: 77, start: '5', boot: 'b' };
    expect(ownerState(legacy, { host: 'h/m/1', alive: () => false, unknownHost: 'same' })).toBe('gone');
    expect(ownerState(legacy, { host: 'h/m/1', alive: () => false, unknownHost: 'foreign' })).toBe('foreign');
  });
});

describe('owner labels', () => {
  it('round-trip an identity through one Docker label value', () => {
    const o = { pid: 12, start: '345', boot: '0a-1b' };
    expect(parseOwnerLabel(ownerLabel(o))).toEqual(o);
    // the host travels in a label of its own: the owner label keeps the form a suite before hosts parses
    const withHost = { ...o, host: 'ci_runner-7.x/3d1219c7c4c5/4026532451' };
    expect(ownerLabel(withHost)).toBe('12:345:0a-1b');
    expect(parseOwnerLabel(ownerLabel(withHost), withHost.host)).toEqual(withHost);
    expect(parseOwnerLabel(ownerLabel({ pid: 12 }))).toEqual({ pid: 12 });
    expect(parseOwnerLabel('')).toBeUndefined();
    expect(parseOwnerLabel('x:y')).toBeUndefined();
  });
});
