import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cniConflist, patchContainerdConfig } from './base.ts';
import { canonicalDir, linkChain } from './closure.ts';
import { keyOf } from './common.ts';
import { componentSpecs, IPTABLES_WRAPPER, parseKubeadmImages, tagOf } from './components.ts';
import { loadVersions } from '../../scenarios/versions.ts';
import { checkRefsAgainstPins, kubeadmRecordOf } from './build.ts';
import { rootfsKey, defaultRootfsSpec } from './rootfs.ts';

const KUBEADM_LIST = `registry.k8s.io/kube-apiserver:v1.34.4
registry.k8s.io/kube-controller-manager:v1.34.4
registry.k8s.io/kube-scheduler:v1.34.4
registry.k8s.io/kube-proxy:v1.34.4
registry.k8s.io/coredns/coredns:v1.12.1
registry.k8s.io/pause:3.10.1
registry.k8s.io/etcd:3.6.5-0
`;

describe('kubeadm image names', () => {
  it('parses `kubeadm config images list` by short name, keeping full references', () => {
    const refs = parseKubeadmImages(KUBEADM_LIST);
    expect(refs.coredns).toBe('registry.k8s.io/coredns/coredns:v1.12.1');
    expect(refs.etcd).toBe('registry.k8s.io/etcd:3.6.5-0');
    expect(tagOf(refs.pause)).toBe('3.10.1');
  });

  it('refuses a list that lacks an image', () => {
    expect(() => parseKubeadmImages(KUBEADM_LIST.replace(/.*pause.*\n/, ''))).toThrow(/no pause image/);
  });

  it('checks kubeadm’s tags against versions.yaml', () => {
    const refs = parseKubeadmImages(KUBEADM_LIST);
    expect(() => checkRefsAgainstPins(refs, { etcd: 'v3.6.5', coredns: 'v1.12.1', pause: '3.10.1' })).not.toThrow();
    expect(() => checkRefsAgainstPins(refs, { etcd: 'v3.6.4', coredns: 'v1.12.1', pause: '3.10' })).toThrow(/pins disagree/);
  });

  it('a Kubernetes whose kubeadm names newer etcd/CoreDNS/pause is checked against its versions.yaml kubeadm record instead', () => {
    const newer = parseKubeadmImages(KUBEADM_LIST.replace('etcd:3.6.5-0', 'etcd:3.7.0-0').replace('coredns:v1.12.1', 'coredns:v1.14.6').replace('pause:3.10.1', 'pause:3.10.2'));
    const pins = { etcd: 'v3.6.5', coredns: 'v1.12.1', pause: '3.10.1' };
    expect(() => checkRefsAgainstPins(newer, pins)).toThrow(/pins disagree/);
    expect(() => checkRefsAgainstPins(newer, pins, { etcd: '3.7.0-0', coredns: 'v1.14.6', pause: '3.10.2' })).not.toThrow();
    expect(() => checkRefsAgainstPins(newer, pins, { etcd: '3.6.8-0', coredns: 'v1.14.6', pause: '3.10.2' })).toThrow(/the kubeadm record disagrees with kubeadm/);
  });

  it('reads the kubeadm record of a pinned Kubernetes from versions.yaml', () => {
    const v = loadVersions();
    expect(kubeadmRecordOf(v, 'v1.37.2')).toEqual({ etcd: '3.7.0-0', coredns: 'v1.14.6', pause: '3.10.2' });
    expect(kubeadmRecordOf(v, 'v1.0.0')).toBeUndefined();
  });

  it('every component starts the binary it carries', () => {
    const refs = parseKubeadmImages(KUBEADM_LIST);
    const specs = componentSpecs(refs, { 'kube-apiserver': '/a', 'kube-controller-manager': '/b', 'kube-scheduler': '/c', 'kube-proxy': '/d', etcd: '/e', coredns: '/f', pause: '/g' });
    expect(specs.map((s) => s.ref).sort()).toEqual(KUBEADM_LIST.trim().split('\n').sort());
    for (const s of specs) expect(s.files.map((f) => f.dest)).toContain(s.entrypoint[0]);
    const proxy = specs.find((s) => s.name === 'kube-proxy')!;
    expect(proxy.links).toContainEqual({ dest: '/usr/sbin/iptables', target: 'iptables-wrapper' });
    expect(proxy.links).toContainEqual({ dest: '/usr/sbin/ip6tables-legacy-restore', target: 'xtables-legacy-multi' });
    expect(proxy.links).toContainEqual({ dest: '/usr/sbin/iptables-nft-save', target: 'xtables-nft-multi' });
  });

  it('the iptables wrapper keeps shell variables for the shell (no template leftovers)', () => {
    expect(IPTABLES_WRAPPER).toContain('"xtables-${mode}-multi"');
    expect(IPTABLES_WRAPPER.startsWith('#!/bin/busybox sh\n')).toBe(true);
  });
});

describe('node files', () => {
  it('containerd config: kubeadm’s pause as sandbox, oom_score_adj restricted', () => {
    const upstream = '[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "registry.k8s.io/pause:3.10"\n  restrict_oom_score_adj = false\n';
    const out = patchContainerdConfig(upstream, 'registry.k8s.io/pause:3.10.1');
    expect(out).toContain('sandbox_image = "registry.k8s.io/pause:3.10.1"');
    expect(out).toContain('restrict_oom_score_adj = true');
    expect(() => patchContainerdConfig('version = 2\n', 'x')).toThrow(/no longer has/);
  });

  it('CNI: ptp with host-local for the node’s /24, portmap', () => {
    const c = JSON.parse(cniConflist()) as { plugins: Array<{ type: string; ipam?: { ranges: Array<Array<{ subnet: string }>> } }> };
    expect(c.plugins.map((p) => p.type)).toEqual(['ptp', 'portmap']);
    expect(c.plugins[0]!.ipam!.ranges[0]![0]!.subnet).toBe('10.244.0.0/24');
  });

  it('input keys are stable under key order and change with content', () => {
    expect(keyOf({ a: 1, b: [1, 2] })).toBe(keyOf({ b: [1, 2], a: 1 }));
    expect(keyOf({ a: 1 })).not.toBe(keyOf({ a: 2 }));
    const spec = defaultRootfsSpec();
    expect(rootfsKey(spec)).toBe(rootfsKey({ ...spec, packages: [...spec.packages].reverse() }));
    expect(rootfsKey(spec)).not.toBe(rootfsKey({ ...spec, mirror: 'http://mirror.example/debian' }));
  });
});

describe('copying out of a rootfs', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cmve-closure-'));
    await mkdir(join(root, 'usr/lib/x86_64-linux-gnu'), { recursive: true });
    await mkdir(join(root, 'usr/sbin'), { recursive: true });
    await mkdir(join(root, 'etc/alternatives'), { recursive: true });
    await symlink('usr/lib', join(root, 'lib'));
    await writeFile(join(root, 'usr/lib/x86_64-linux-gnu/libx.so.1.2'), '');
    await symlink('libx.so.1.2', join(root, 'usr/lib/x86_64-linux-gnu/libx.so.1'));
    await writeFile(join(root, 'usr/sbin/xtables-nft-multi'), '');
    await symlink('/usr/sbin/xtables-nft-multi', join(root, 'etc/alternatives/iptables'));
    await symlink('/etc/alternatives/iptables', join(root, 'usr/sbin/iptables'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('resolves directory symlinks inside the root, never on the host', async () => {
    expect(await canonicalDir(root, '/lib/x86_64-linux-gnu')).toBe('/usr/lib/x86_64-linux-gnu');
  });

  it('follows a chain of symlinks (absolute ones relative to the root) to the file', async () => {
    expect(await linkChain(root, '/lib/x86_64-linux-gnu/libx.so.1')).toEqual(['/usr/lib/x86_64-linux-gnu/libx.so.1', '/usr/lib/x86_64-linux-gnu/libx.so.1.2']);
    expect(await linkChain(root, '/usr/sbin/iptables')).toEqual(['/usr/sbin/iptables', '/etc/alternatives/iptables', '/usr/sbin/xtables-nft-multi']);
  });

  it('names the missing file', async () => {
    await expect(linkChain(root, '/usr/sbin/nft')).rejects.toThrow(/\/usr\/sbin\/nft is missing/);
  });
});
