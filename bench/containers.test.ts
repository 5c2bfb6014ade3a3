import { describe, expect, it } from 'vitest';
import { workingSetBytes } from './containers.ts';

describe('workingSetBytes', () => {
  it('subtracts the whole subtree’s inactive cache on cgroup v1, not the node’s own (listed first)', () => {
    // a kind node: its pods' page cache sits in nested cgroups, counted by usage and by the total_* fields only
    const stat = ['cache 4096', 'rss 1000', 'inactive_file 100', 'active_file 50', 'total_cache 5000', 'total_rss 800', 'total_inactive_file 4000', 'total_active_file 600'].join('\n');
    expect(workingSetBytes(6000, stat)).toBe(2000);
  });

  it('uses inactive_file on cgroup v2, where it covers the subtree', () => {
    expect(workingSetBytes(6000, 'anon 1500\nfile 4200\ninactive_file 4000\nactive_file 200\n')).toBe(2000);
  });

  it('never goes below zero', () => {
    expect(workingSetBytes(100, 'total_inactive_file 300')).toBe(0);
  });
});
