import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Kube } from '../lib/kube.ts';
import type { Resource } from '../lib/ledger.ts';
import { uninstallHelmRelease } from './reap.ts';
import { judgeRelease, latestRevision, seeRelease } from './release-identity.ts';

type HelmRelease = Extract<Resource, { kind: 'helm-release' }>;

const CLUSTER = '6f1c-kube-system';
/** What a run killed after installing cert-manager noted: its cluster, its revision and that revision's Secret. */
const recorded: HelmRelease = {
  kind: 'helm-release', name: 'cert-manager', namespace: 'cert-manager', helmVersion: 'v3.19.0',
  server: 'https://127.0.0.1:6443', kubeconfig: '/k', context: 'kind-x', clusterUid: CLUSTER,
  run: 'rdead1', revision: 1, releaseUid: 'secret-uid-1',
};

/** A cluster as reaping reads it: kube-system's uid, Helm's storage Secrets, the release namespace's labels. */
function fakeCluster(o: { uid?: string; secrets?: Array<{ version: number; uid: string; status?: string }>; namespaceRun?: string }) {
  const kube = {
    read: async (_v: string, kind: string, name: string) => {
      if (kind !== 'Namespace') return undefined;
      if (name === 'kube-system') return o.uid ? { metadata: { name, uid: o.uid } } : undefined;
      return { metadata: { name, labels: o.namespaceRun ? { 'io.cm-vault-e2e.run': o.namespaceRun } : {} } };
    },
    list: async (_v: string, kind: string, namespace: string, selector: string) => {
      expect([kind, namespace, selector]).toEqual(['Secret', 'cert-manager', 'owner=helm,name=cert-manager']);
      return (o.secrets ?? []).map((s) => ({ metadata: { name: `sh.helm.release.v1.cert-manager.v${s.version}`, uid: s.uid, labels: { owner: 'helm', name: 'cert-manager', version: String(s.version), status: s.status ?? 'deployed' } } }));
    },
  };
  return kube as unknown as Pick<Kube, 'read' | 'list'> & { list: Kube['list'] };
}

async function reapWith(r: HelmRelease, cluster: ReturnType<typeof fakeCluster>) {
  const uninstalled: string[] = [];
  const outcome = await uninstallHelmRelease(r, { connect: () => cluster, uninstall: async (x) => (uninstalled.push(`${x.namespace}/${x.name}`), true) });
  return { outcome, uninstalled };
}

describe("reaping a killed run's Helm release uninstalls only the run's own", () => {
  it('uninstalls the revision the run installed, on the cluster it used', async () => {
    expect(await reapWith(recorded, fakeCluster({ uid: CLUSTER, secrets: [{ version: 1, uid: 'secret-uid-1' }] }))).toEqual({ outcome: 'removed', uninstalled: ['cert-manager/cert-manager'] });
  });

  it("leaves a user's own cert-manager installed after the run was killed (and its release uninstalled by hand)", async () => {
    const { outcome, uninstalled } = await reapWith(recorded, fakeCluster({ uid: CLUSTER, secrets: [{ version: 1, uid: 'secret-uid-users' }] }));
    expect(uninstalled).toEqual([]);
    expect(outcome).toEqual({ left: "it is not the revision run rdead1 installed (revision 1 deployed now, the run's was 1): installed anew since, by someone else; if it is the run's after all: helm --kubeconfig /k --kube-context kind-x -n cert-manager uninstall cert-manager" });
  });

  it('leaves a release upgraded since by someone else', async () => {
    const { outcome, uninstalled } = await reapWith(recorded, fakeCluster({ uid: CLUSTER, secrets: [{ version: 1, uid: 'secret-uid-1', status: 'superseded' }, { version: 2, uid: 'secret-uid-2' }] }));
    expect(uninstalled).toEqual([]);
    expect(outcome).toMatchObject({ left: expect.stringMatching(/^it is not the revision run rdead1 installed \(revision 2 deployed now, the run's was 1\): upgraded since/) });
  });

  it('leaves everything on a local cluster made again at the same URL (another kube-system uid)', async () => {
    const { outcome, uninstalled } = await reapWith(recorded, fakeCluster({ uid: 'new-cluster', secrets: [{ version: 1, uid: 'secret-uid-1' }] }));
    expect(uninstalled).toEqual([]);
    expect(outcome).toMatchObject({ left: expect.stringMatching(/^the cluster at https:\/\/127\.0\.0\.1:6443 is not the one run rdead1 used \(kube-system uid new-cluster, was 6f1c-kube-system\): made again since\?/) });
  });

  it('killed while installing (no revision noted): uninstalls only in a namespace the run made', async () => {
    const installing: HelmRelease = { ...recorded, revision: undefined, releaseUid: undefined };
    delete installing.revision;
    delete installing.releaseUid;
    const pending = [{ version: 1, uid: 'u', status: 'pending-install' }];
    expect((await reapWith(installing, fakeCluster({ uid: CLUSTER, secrets: pending, namespaceRun: 'rdead1' }))).uninstalled).toEqual(['cert-manager/cert-manager']);
    const theirs = await reapWith(installing, fakeCluster({ uid: CLUSTER, secrets: pending }));
    expect(theirs.uninstalled).toEqual([]);
    expect(theirs.outcome).toMatchObject({ left: expect.stringMatching(/^run rdead1 was stopped while installing it, before noting which revision was its own, and namespace cert-manager is not one it made/) });
  });

  it("leaves a release recorded without any identity (an older suite's ledger)", async () => {
    const { outcome, uninstalled } = await reapWith({ kind: 'helm-release', name: 'cert-manager', namespace: 'cert-manager', helmVersion: 'v3.19.0', server: 's', kubeconfig: '/k', context: 'c' }, fakeCluster({ uid: CLUSTER, secrets: [{ version: 1, uid: 'x' }] }));
    expect(uninstalled).toEqual([]);
    expect(outcome).toMatchObject({ left: expect.stringMatching(/noted no identity of its cluster or release/) });
  });

  it('says gone when no release is there', async () => {
    expect(await reapWith(recorded, fakeCluster({ uid: CLUSTER }))).toEqual({ outcome: 'gone', uninstalled: [] });
  });
});

describe('reading a release from Helm storage', () => {
  it('takes the highest revision, skipping Secrets without a usable version', async () => {
    const kube = fakeCluster({ uid: CLUSTER, secrets: [{ version: 3, uid: 'c' }, { version: 10, uid: 'd', status: 'pending-upgrade' }, { version: 2, uid: 'b' }] });
    expect(await latestRevision(kube, 'cert-manager', 'cert-manager')).toEqual({ revision: 10, status: 'pending-upgrade', uid: 'd' });
    expect(await seeRelease(kube, recorded)).toEqual({ clusterUid: CLUSTER, latest: { revision: 10, status: 'pending-upgrade', uid: 'd' } });
    const odd = { read: kube.read, list: async () => [{ metadata: { uid: 'z', labels: { version: 'x' } } }] as KubernetesObject[] } as unknown as Pick<Kube, 'read' | 'list'>;
    expect(await latestRevision(odd, 'cert-manager', 'cert-manager')).toBeUndefined();
  });

  it('judges from what it saw alone', () => {
    expect(judgeRelease(recorded, { clusterUid: CLUSTER, latest: { revision: 1, status: 'deployed', uid: 'secret-uid-1' } })).toBe('uninstall');
    expect(judgeRelease(recorded, { latest: { revision: 1, status: 'deployed', uid: 'secret-uid-1' } })).toMatchObject({ left: expect.stringContaining('kube-system uid unreadable') });
  });
});
