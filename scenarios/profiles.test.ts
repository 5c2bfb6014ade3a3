import { describe, expect, it } from 'vitest';
import { InputError } from '../lib/errors.ts';
import { customProfile, loadProfiles } from './profiles.ts';
import { loadOnly, scenarioDir, scenarioYaml } from './testing.ts';

describe('cluster profiles', () => {
  const profiles = loadProfiles();

  it('ships kind, aks-like and eks-like, one file each', () => {
    expect([...profiles.keys()].sort()).toEqual(['aks-like', 'eks-like', 'kind']);
  });

  it('kind: the issuer is the only API audience', () => {
    expect(profiles.get('kind')).toMatchObject({
      serviceAccountIssuer: 'https://kubernetes.default.svc.cluster.local',
      apiAudiences: ['https://kubernetes.default.svc.cluster.local'],
    });
  });

  it('aks-like: OIDC issuer URL first, then the API server FQDN, as a URL and in quotes', () => {
    const aks = profiles.get('aks-like')!;
    expect(aks.serviceAccountIssuer).toMatch(/^https:\/\/westeurope\.oic\.prod-aks\.azure\.com\/[0-9a-f-]{36}\/[0-9a-f-]{36}\/$/);
    expect(aks.apiAudiences).toEqual([aks.serviceAccountIssuer, 'https://aks-like-dns-3f2a1b.hcp.westeurope.azmk8s.io', '"aks-like-dns-3f2a1b.hcp.westeurope.azmk8s.io"']);
  });

  it('eks-like: the API audience is not the issuer', () => {
    const eks = profiles.get('eks-like')!;
    expect(eks.serviceAccountIssuer).toMatch(/^https:\/\/oidc\.eks\.[a-z0-9-]+\.amazonaws\.com\/id\/[0-9A-F]+$/);
    expect(eks.apiAudiences).toEqual(['https://kubernetes.default.svc']);
  });

  it('adding a profile is adding a file', () => {
    const dir = scenarioDir({ 'gke-like.yaml': 'name: gke-like\ndescription: GKE\nserviceAccountIssuer: https://container.googleapis.com/v1/projects/p/locations/l/clusters/c\napiAudiences: [https://container.googleapis.com/v1/projects/p/locations/l/clusters/c]\n' });
    expect([...loadProfiles(dir).keys()]).toEqual(['gke-like']);
  });

  it('a profile file is validated like a scenario', () => {
    const dir = scenarioDir({ 'bad.yaml': 'name: other\ndescription: x\nserviceAccountIssuer: https://a\napiAudiences: [https://a]\n' });
    expect(() => loadProfiles(dir)).toThrow(InputError);
    const typo = scenarioDir({ 'x.yaml': 'name: x\ndescription: x\nserviceAccountIssuer: https://a\napiAudience: [https://a]\n' });
    try {
      loadProfiles(typo);
    } catch (err) {
      expect((err as InputError).where).toMatchObject({ line: 4, field: 'apiAudience' });
      expect((err as InputError).fix).toMatch(/did you mean `apiAudiences`/);
    }
  });

  it('custom: issuer and audiences from the scenario, audiences defaulting to the issuer', () => {
    expect(customProfile('https://i.test')).toMatchObject({ name: 'custom', apiAudiences: ['https://i.test'] });
    const [plan] = loadOnly({ 'c.yaml': scenarioYaml({ cluster: '{profile: custom, serviceAccountIssuer: https://i.test, apiAudiences: [https://api.test]}' }) });
    expect(plan?.profile).toMatchObject({ name: 'custom', serviceAccountIssuer: 'https://i.test', apiAudiences: ['https://api.test'] });
  });

  it('the environment key separates profiles and their audiences and cert-manager, and gives each upgrade its own', () => {
    const [a, b, c] = loadOnly({
      'a.yaml': scenarioYaml({ id: 'a', cluster: '{profile: custom, serviceAccountIssuer: https://i.test}' }),
      'b.yaml': scenarioYaml({ id: 'b', cluster: '{profile: custom, serviceAccountIssuer: https://i.test, apiAudiences: [https://api.test]}' }),
      'c.yaml': scenarioYaml({ id: 'c', certManager: '{upgrade: {from: v1.19.5, to: v1.20.3}}' }),
    });
    expect(a!.environmentKey).not.toBe(b!.environmentKey);
    expect(a!.environmentKey).toMatch(/^custom@[0-9a-f]{8}\/k8s-v1\.36\.5\/cm-v1\.16\.5$/);
    expect(c!.environmentKey).toMatch(/^kind@[0-9a-f]{8}\/k8s-v1\.36\.5\/cm-v1\.19\.5-to-v1\.20\.3\/c$/);
  });
});
