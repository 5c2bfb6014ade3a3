import { describe, expect, it } from 'vitest';
import { kindSupport } from './host.ts';

describe('which pinned Kubernetes kind runs on this host', () => {
  const pinned = ['v1.34.4', 'v1.35.4', 'v1.36.5', 'v1.37.2'];

  it('kind v0.33 on cgroup v1: every pin, 1.35+ with failCgroupV1: false; the newest is 1.37', () => {
    const s = kindSupport(pinned, 'v0.33.0', 'v1');
    expect(s.newest).toBe('v1.37.2');
    expect(s.versions.every((v) => v.runs)).toBe(true);
    expect(s.versions.find((v) => v.version === 'v1.34.4')!.note).toBe('');
    for (const v of ['v1.35.4', 'v1.37.2']) expect(s.versions.find((x) => x.version === v)!.note).toMatch(/failCgroupV1: false/);
  });

  it('cgroup v2 needs no kubelet note', () => {
    expect(kindSupport(pinned, 'v0.33.0', 'v2').versions.map((v) => v.note)).toEqual(['', '', '', '']);
  });

  it('kind v0.30 cannot make 1.37: the newest it runs is 1.36, and 1.37 says why', () => {
    const s = kindSupport(pinned, 'v0.30.0', 'v1');
    expect(s.newest).toBe('v1.36.5');
    expect(s.versions.find((v) => v.version === 'v1.37.2')).toMatchObject({ runs: false, note: expect.stringMatching(/pin kind ≥ v0\.32/) });
  });

  it('orders by minor, then patch', () => {
    expect(kindSupport(['v1.36.10', 'v1.36.9', 'v1.34.4'], 'v0.33.0', 'v2').newest).toBe('v1.36.10');
  });

  it('puts a release after its pre-releases', () => {
    expect(kindSupport(['v1.36.0', 'v1.36.0-rc.1'], 'v0.33.0', 'v2').newest).toBe('v1.36.0');
  });
});
