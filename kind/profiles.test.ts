import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadProfiles } from '../scenarios/profiles.ts';
import type { ClusterProfile } from '../scenarios/types.ts';
import { RUN_ID_IN_NAME } from '../lib/run-identity.ts';
import { apiServerArgs, clusterNameFor, kindCannotCreate, kindConfig, kindConfigYaml, kubeadmApiVersion, kubeletSettings } from './profiles.ts';

/** One CSV record as Go's encoding/csv reads it (what pflag does with a string-slice flag). */
function csvRecord(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= s.length) {
    let field = '';
    if (s[i] === '"') {
      i++;
      for (;;) {
        if (i >= s.length) throw new Error('unterminated quote');
        if (s[i] === '"' && s[i + 1] === '"') { field += '"'; i += 2; continue; }
        if (s[i] === '"') { i++; break; }
        field += s[i++];
      }
    } else {
      while (i < s.length && s[i] !== ',') field += s[i++];
    }
    out.push(field);
    i++; // the comma (or past the end)
  }
  return out;
}

const profiles = loadProfiles();
const opts = (name: string) => ({ name, image: 'kindest/node:v1.34.4', kubernetesVersion: 'v1.34.4' });

describe('kind configs from cluster profiles', () => {
  it.each([...profiles.keys()])('%s: one control-plane node on the local image, no kindnet, the profile’s issuer and audiences', (name) => {
    const profile = profiles.get(name)!;
    const cfg = kindConfig(profile, opts(`cmve-${name}-x`));
    expect(cfg.kind).toBe('Cluster');
    expect(cfg.apiVersion).toBe('kind.x-k8s.io/v1alpha4');
    expect(cfg.networking.disableDefaultCNI).toBe(true);
    expect(cfg.networking.podSubnet).toBe('10.244.0.0/16');
    expect(cfg.nodes).toEqual([{ role: 'control-plane', image: 'kindest/node:v1.34.4' }]);
    const patches = cfg.kubeadmConfigPatches.map((p) => parse(p) as Record<string, unknown>);
    const cc = patches.find((p) => p.kind === 'ClusterConfiguration') as { apiServer: { extraArgs: Record<string, string> } };
    // no apiVersion: kind then matches the patch to whatever kubeadm API version it renders (v1beta3 in v0.30)
    expect(cc).not.toHaveProperty('apiVersion');
    expect(cc.apiServer.extraArgs['service-account-issuer']).toBe(profile.serviceAccountIssuer);
    expect(csvRecord(cc.apiServer.extraArgs['api-audiences']!)).toEqual(profile.apiAudiences);
  });

  it('aks-like: the quoted FQDN audience survives as one value with its quotes', () => {
    const aks = profiles.get('aks-like')!;
    const value = apiServerArgs(aks)['api-audiences']!;
    expect(value).toContain('"""aks-like-dns-3f2a1b.hcp.westeurope.azmk8s.io"""');
    expect(csvRecord(value)).toEqual([
      'https://westeurope.oic.prod-aks.azure.com/6f1c2b0e-3d4a-4e5f-9a8b-7c6d5e4f3a2b/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/',
      'https://aks-like-dns-3f2a1b.hcp.westeurope.azmk8s.io',
      '"aks-like-dns-3f2a1b.hcp.westeurope.azmk8s.io"',
    ]);
  });

  it('the YAML is one document that parses back to the same config', () => {
    const kind = profiles.get('kind')!;
    const text = kindConfigYaml(kind, opts('cmve-kind-1'));
    expect(parseAllDocuments(text)).toHaveLength(1);
    expect(parse(text)).toEqual(kindConfig(kind, opts('cmve-kind-1')));
  });

  it('kubeadm v1beta4 (kind v0.32+, Kubernetes 1.36+) takes extraArgs as name/value pairs, v1beta3 as a map', () => {
    expect(kubeadmApiVersion('v0.30.0', 'v1.37.2')).toBe('v1beta3');
    expect(kubeadmApiVersion('v0.33.0', 'v1.35.4')).toBe('v1beta3');
    expect(kubeadmApiVersion('v0.33.0', 'v1.36.3')).toBe('v1beta4');
    expect(kubeadmApiVersion(undefined, 'v1.37.2')).toBe('v1beta3');
    // a kind release past v0.x renders v1beta4 too
    expect(kubeadmApiVersion('v1.0.0', 'v1.37.2')).toBe('v1beta4');
    expect(kubeadmApiVersion('v0.32.0-alpha.1', 'v1.37.2')).toBe('v1beta3');
    const kind = profiles.get('kind')!;
    const [v4] = kindConfig(kind, { ...opts('a'), kubernetesVersion: 'v1.37.2', kindVersion: 'v0.33.0' }).kubeadmConfigPatches.map((p) => parse(p));
    expect(v4.apiServer.extraArgs).toEqual(Object.entries(apiServerArgs(kind)).map(([name, value]) => ({ name, value })));
    const [v3] = kindConfig(kind, { ...opts('a'), kindVersion: 'v0.33.0' }).kubeadmConfigPatches.map((p) => parse(p));
    expect(v3.apiServer.extraArgs).toEqual(apiServerArgs(kind));
  });

  it('kubelet: nothing extra up to 1.34 (failCgroupV1 defaults false); failCgroupV1: false from 1.35', () => {
    expect(kubeletSettings('v1.34.4')).toEqual({});
    expect(kubeletSettings('v1.33.1')).toEqual({});
    expect(kubeletSettings('v1.35.0')).toEqual({ failCgroupV1: false });
    const kind = profiles.get('kind')!;
    expect(kindConfig(kind, opts('a')).kubeadmConfigPatches).toHaveLength(1);
    const v135 = kindConfig(kind, { ...opts('a'), kubernetesVersion: 'v1.35.0' }).kubeadmConfigPatches.map((p) => parse(p));
    expect(v135).toContainEqual({ kind: 'KubeletConfiguration', failCgroupV1: false });
  });

  it('cluster names: cmve-<profile>-<hash>, stable, changed by audiences, issuer or image, valid as hostnames', () => {
    const kind = profiles.get('kind')!;
    const a = clusterNameFor(kind, 'kindest/node:v1.34.4', 'k1');
    expect(a).toMatch(/^cmve-kind-[0-9a-f]{8}$/);
    expect(clusterNameFor(kind, 'kindest/node:v1.34.4', 'k1')).toBe(a);
    const other: ClusterProfile = { ...kind, apiAudiences: [...kind.apiAudiences, 'https://extra'] };
    expect(clusterNameFor(other, 'kindest/node:v1.34.4', 'k1')).not.toBe(a);
    expect(clusterNameFor({ ...kind, serviceAccountIssuer: 'https://x' }, 'kindest/node:v1.34.4', 'k1')).not.toBe(a);
    expect(clusterNameFor(kind, 'kindest/node:v1.34.4', 'k2')).not.toBe(a);
    expect(clusterNameFor(kind, 'kindest/node:v1.34.4', 'k1', 'env-a')).not.toBe(clusterNameFor(kind, 'kindest/node:v1.34.4', 'k1', 'env-b'));
    expect(clusterNameFor(kind, 'kindest/node:v1.34.4', 'k1', undefined, 'r1x2y3')).toBe(`${a}-r1x2y3`);
    for (const p of [...profiles.values(), { ...kind, name: 'a-profile-name-longer-than-twenty-four' }]) {
      const name = clusterNameFor(p, 'kindest/node:v1.34.4', '', undefined, 'r1x2y3');
      expect(RUN_ID_IN_NAME.exec(name)?.[1]).toBe('r1x2y3');
      // kind names the node container <name>-control-plane, which becomes its hostname (<= 63 characters)
      expect(`${name}-control-plane`.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
    }
    expect(clusterNameFor({ ...kind, name: 'Weird Name!' }, 'i')).toMatch(/^cmve-weird-name-[0-9a-f]{8}$/);
  });
});

describe('kindCannotCreate', () => {
  it('refuses Kubernetes 1.37+ with a kind that renders v1beta3, and says the fix', () => {
    expect(kindCannotCreate('v0.30.0', 'v1.34.4')).toBeUndefined();
    expect(kindCannotCreate('v0.30.0', 'v1.36.5')).toBeUndefined();
    expect(kindCannotCreate('v0.33.0', 'v1.37.2')).toBeUndefined();
    expect(kindCannotCreate('v0.30.0', 'v1.37.2')).toMatch(/kind v0\.30\.0 renders kubeadm's v1beta3 config, which kubeadm v1\.37\.2 no longer reads: pin kind ≥ v0\.32/);
  });
});
