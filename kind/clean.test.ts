import { describe, expect, it } from 'vitest';
import { unrecorded } from './clean.ts';

describe('clean on a Docker daemon other checkouts share', () => {
  it("acts on nothing by name: another checkout's live kind cluster and unlabelled containers are listed as left, with the command to remove them by hand", () => {
    const clusters = ['cmve-kind-0a1b2c3d-rmine1', 'cmve-kind-0a1b2c3d-rmine1', 'cmve-kind-9f8e7d6c-rother', 'cmve-kind-11112222', 'cmve-kind-33334444-kept', 'someone-elses', ''];
    const containers = [
      { name: 'cmve-rother-vault', run: 'rother', node: '' },
      { name: 'cmve-kind-9f8e7d6c-rother-control-plane', run: '', node: 'cmve-kind-9f8e7d6c-rother' },
      { name: 'cmve-old-vault', run: '', node: '' },
    ];
    expect(unrecorded(clusters, containers, new Set(['rmine1']))).toEqual([
      { what: "kind cluster cmve-kind-9f8e7d6c-rother (run rother, recorded by no ledger in this cache: another checkout's)", byHand: 'kind delete cluster --name cmve-kind-9f8e7d6c-rother' },
      { what: 'kind cluster cmve-kind-11112222 (no run id in its name: made by hand or by an older suite)', byHand: 'kind delete cluster --name cmve-kind-11112222' },
      { what: 'container cmve-old-vault (no run label)', byHand: 'docker rm -f cmve-old-vault' },
    ]);
  });
});
