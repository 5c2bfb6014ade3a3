import { describe, expect, it } from 'vitest';
import { loadError, loadOnly, scenarioYaml } from './testing.ts';

describe('scenario schema: every bad input is one InputError with file, line, field and fix', () => {
  it('malformed YAML', () => {
    const err = loadError('id: x\ndescription: [unclosed\ncluster: {profile: kind}\n');
    expect(err.where.file).toMatch(/bad\.yaml$/);
    expect(err.where.line).toBeGreaterThanOrEqual(2);
    expect(err.problem).toMatch(/^malformed YAML/);
    expect(err.fix).toBeTruthy();
  });

  it('a duplicate key is malformed YAML at its line', () => {
    const err = loadError(scenarioYaml() + 'id: again\n');
    expect(err.where.line).toBe(9);
    expect(err.problem).toMatch(/malformed YAML/);
    expect(err.fix).toMatch(/remove one/);
  });

  it('an alias naming no anchor is an InputError at the alias, not a stack trace', () => {
    const err = loadError(scenarioYaml({ description: '*nowhere' }));
    expect(err.where).toMatchObject({ file: expect.stringMatching(/bad\.yaml$/), line: 2 });
    expect(err.problem).toBe('malformed YAML: Unresolved alias (the anchor must be set before the alias): nowhere');
    expect(err.fix).toMatch(/define the anchor/);
  });

  it('an alias bomb is refused as an InputError before it expands', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [prev, name] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f'], ['f', 'g']]) levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    const err = loadError(`${levels.join('\n')}\n${scenarioYaml()}`);
    expect(err.where.file).toMatch(/bad\.yaml$/);
    expect(err.where.line).toBe(2);
    expect(err.problem).toMatch(/aliases expand more than 100 times/);
    expect(err.fix).toMatch(/write the values out/);
  });

  it('unknown field: suggests the closest known one', () => {
    const err = loadError(scenarioYaml({ auth: '\n  method: kubernetes\n  tokenReveiwer: client-jwt' }));
    expect(err.where).toMatchObject({ line: 8, field: 'auth.tokenReveiwer' });
    expect(err.problem).toBe('unknown field `auth.tokenReveiwer`');
    expect(err.fix).toMatch(/^did you mean `tokenReviewer`\?/);
  });

  it('unknown top-level field', () => {
    const err = loadError(scenarioYaml() + 'expects: {ready: true}\n');
    expect(err.where).toMatchObject({ line: 9, field: 'expects' });
    expect(err.fix).toMatch(/did you mean `expect`/);
  });

  it('wrong enum value: lists the allowed values', () => {
    const err = loadError(scenarioYaml({ vault: '\n  engine: vault\n  placement: outside' }));
    expect(err.where).toMatchObject({ line: 7, field: 'vault.placement' });
    expect(err.problem).toMatch(/`outside`, which is not one of: in-cluster, external/);
  });

  it('wrong failure class', () => {
    const err = loadError(scenarioYaml({ expect: '{ready: false, failure: audience}' }));
    expect(err.where).toMatchObject({ line: 8, field: 'expect.failure' });
    expect(err.problem).toMatch(/apiserver-audience, vault-role-audience/);
  });

  it('missing required field', () => {
    const err = loadError(scenarioYaml({ issuer: '\n  kind: Issuer\n  name: vault-issuer\n  namespace: team-a' }));
    expect(err.where).toMatchObject({ line: 7, field: 'issuer.serviceAccount' });
    expect(err.problem).toBe('missing required field `issuer.serviceAccount`');
    expect(err.fix).toBe('add `serviceAccount: <string>`');
  });

  it('a version written as a number must be quoted', () => {
    const err = loadError(scenarioYaml({ certManager: '\n  version: 1.16' }));
    expect(err.where).toMatchObject({ line: 5, field: 'certManager.version' });
    expect(err.fix).toBe('quote the value: `"1.16"`');
  });

  it('unknown placeholder: suggests the closest', () => {
    const err = loadError(scenarioYaml({ issuer: "{kind: Issuer, name: a, namespace: b, serviceAccount: c, audiences: ['${cluster.apiAudeince}']}" }));
    expect(err.where).toMatchObject({ line: 7, field: 'issuer.audiences[0]' });
    expect(err.problem).toBe('unknown placeholder `${cluster.apiAudeince}`');
    expect(err.fix).toMatch(/did you mean `\$\{cluster\.apiAudience\}`/);
  });

  it('a placeholder outside audience fields', () => {
    const err = loadError(scenarioYaml({ issuer: "{kind: Issuer, name: '${vault.server}', namespace: b, serviceAccount: c}" }));
    expect(err.where.field).toBe('issuer.name');
  });

  it('local-token with external Vault', () => {
    const err = loadError(scenarioYaml({ auth: '\n  method: kubernetes\n  tokenReviewer: local-token' }));
    expect(err.where).toMatchObject({ line: 8, field: 'auth.tokenReviewer' });
    expect(err.problem).toMatch(/local-token needs Vault inside the cluster/);
    expect(err.fix).toMatch(/vault\.placement: in-cluster/);
  });

  it('an Issuer without namespace, a ClusterIssuer with one', () => {
    const noNs = loadError(scenarioYaml({ issuer: '{kind: Issuer, name: a, serviceAccount: c}' }));
    expect(noNs.where).toMatchObject({ line: 7, field: 'issuer' });
    expect(noNs.fix).toMatch(/namespace: team-a/);
    const withNs = loadError(scenarioYaml({ issuer: '\n  kind: ClusterIssuer\n  name: a\n  namespace: b\n  serviceAccount: c' }));
    expect(withNs.where).toMatchObject({ line: 10, field: 'issuer.namespace' });
  });

  it('audiences before cert-manager v1.15, unless the CRD rejection is what is expected', () => {
    const issuer = "{kind: Issuer, name: a, namespace: b, serviceAccount: c, audiences: ['${cluster.apiAudience}']}";
    const err = loadError(scenarioYaml({ certManager: '{version: v1.14.7}', issuer }));
    expect(err.where).toMatchObject({ line: 7, field: 'issuer.audiences' });
    expect(err.fix).toMatch(/crd-unknown-field/);
    const ok = loadOnly({ 'ok.yaml': scenarioYaml({ certManager: '{version: v1.14.7}', issuer, expect: '{ready: false, failure: crd-unknown-field}' }) });
    expect(ok[0]?.issuer.audiences).toEqual(['${cluster.apiAudience}']);
    // An upgrade from v1.14 may carry audiences: the `from` stage shows the rejection.
    expect(loadOnly({ 'u.yaml': scenarioYaml({ certManager: '{upgrade: {from: v1.14.7, to: v1.15.5}}', issuer }) })).toHaveLength(1);
  });

  it('versions not pinned in versions.yaml', () => {
    const cm = loadError(scenarioYaml({ certManager: '{version: v1.17.0}' }));
    expect(cm.where).toMatchObject({ line: 4, field: 'certManager.version' });
    expect(cm.problem).toBe('cert-manager v1.17.0 is not pinned in versions.yaml');
    expect(cm.fix).toMatch(/v1\.14\.7, v1\.15\.5, v1\.16\.5/);
    const vault = loadError(scenarioYaml({ vault: '{engine: openbao, version: v1.21.0, placement: external}' }));
    expect(vault.where.field).toBe('vault.version');
    expect(vault.fix).toMatch(/v2\.6\.2/);
    const k8s = loadError(scenarioYaml({ cluster: '{profile: kind, kubernetes: v1.33.0}' }));
    expect(k8s.where.field).toBe('cluster.kubernetes');
    const upgrade = loadError(scenarioYaml({ certManager: '\n  upgrade:\n    from: v1.19.5\n    to: v1.99.0' }));
    expect(upgrade.where).toMatchObject({ line: 7, field: 'certManager.upgrade.to' });
  });

  it('certManager needs exactly one of version and upgrade', () => {
    const err = loadError(scenarioYaml({ certManager: '{}' }));
    expect(err.where).toMatchObject({ line: 4, field: 'certManager' });
  });

  it('an unknown profile; custom without an issuer; cluster overrides on a named profile', () => {
    const unknown = loadError(scenarioYaml({ cluster: '{profile: aks}' }));
    expect(unknown.where.field).toBe('cluster.profile');
    expect(unknown.fix).toMatch(/did you mean `aks-like`/);
    const custom = loadError(scenarioYaml({ cluster: '{profile: custom}' }));
    expect(custom.where).toMatchObject({ line: 3, field: 'cluster' });
    expect(custom.fix).toMatch(/serviceAccountIssuer/);
    const override = loadError(scenarioYaml({ cluster: '{profile: kind, apiAudiences: [x]}' }));
    expect(override.where.field).toBe('cluster.apiAudiences');
  });

  it('auth fields of the other method', () => {
    expect(loadError(scenarioYaml({ auth: '{method: jwt, boundAudiences: [], roleAudience: x}' })).where.field).toBe('auth.roleAudience');
    expect(loadError(scenarioYaml({ auth: '{method: jwt}' })).problem).toMatch(/boundAudiences/);
    expect(loadError(scenarioYaml({ auth: '{method: kubernetes}' })).problem).toMatch(/tokenReviewer/);
  });

  it('expect: ready with a failure, not ready without one', () => {
    expect(loadError(scenarioYaml({ expect: '{ready: true, failure: apiserver-audience}' })).where.field).toBe('expect.failure');
    expect(loadError(scenarioYaml({ expect: '{ready: false}' })).fix).toMatch(/apiserver-audience/);
  });

  it('reports the problem that comes first in the file, not first in the schema', () => {
    const text = 'expect: {ready: maybe}\n' + scenarioYaml({ expect: null, cluster: '{profile: kind, extra: 1}' });
    const err = loadError(text);
    expect(err.where).toMatchObject({ line: 1, field: 'expect.ready' });
  });

  it('duplicate ids across files', () => {
    try {
      loadOnly({ 'a.yaml': scenarioYaml(), 'b.yaml': '# another\n' + scenarioYaml() });
      throw new Error('loaded');
    } catch (err) {
      const e = err as { where: { file: string; line: number; field: string }; problem: string };
      expect(e.where.file).toMatch(/b\.yaml$/);
      expect(e.where).toMatchObject({ line: 2, field: 'id' });
      expect(e.problem).toMatch(/duplicate id `test-scenario` \(first defined at .*a\.yaml:1\)/);
    }
  });

  it('nothing is half-loaded: one bad document fails the whole load', () => {
    const err = loadError(scenarioYaml() + '---\n' + scenarioYaml({ id: 'second', vault: '{placement: nowhere}' }));
    expect(err.where).toMatchObject({ line: 14, field: 'vault.placement' });
  });
});

describe('defaults', () => {
  it('fills versions, engine, mount and RBAC switches', () => {
    const [plan] = loadOnly({ 'a.yaml': scenarioYaml({ vault: '{placement: external}' }) });
    expect(plan).toMatchObject({
      cluster: { profile: 'kind', kubernetes: 'v1.36.5' },
      vault: { engine: 'vault', version: 'v1.21.0', placement: 'external' },
      auth: { method: 'kubernetes', mount: 'kubernetes', tokenReviewer: 'reviewer-jwt' },
      issuer: { tokenRequestRole: true, authDelegator: false },
      tags: [],
      source: { line: 1 },
    });
    const [jwt] = loadOnly({ 'b.yaml': scenarioYaml({ vault: '{engine: openbao, placement: external}', auth: '{method: jwt, boundAudiences: []}' }) });
    expect(jwt?.auth).toEqual({ method: 'jwt', mount: 'jwt', boundAudiences: [] });
    expect(jwt?.vault.version).toBe('v2.6.2');
  });

  it('an upgrade runs `to`', () => {
    const [plan] = loadOnly({ 'a.yaml': scenarioYaml({ certManager: '{upgrade: {from: v1.19.5, to: v1.20.3}}' }) });
    expect(plan?.certManager).toEqual({ version: 'v1.20.3', upgrade: { from: 'v1.19.5', to: 'v1.20.3' }, installer: 'helm4' });
  });

  it("the installer defaults to versions.yaml's certManager.installer (Helm 4) and can be Helm 3", () => {
    const [plan] = loadOnly({ 'a.yaml': scenarioYaml({ certManager: '{version: v1.16.5, installer: helm3}' }) });
    expect(plan?.certManager).toEqual({ version: 'v1.16.5', installer: 'helm3' });
    expect(plan?.environmentKey).toMatch(/cm-v1\.16\.5-helm3$/);
    const [plain] = loadOnly({ 'a.yaml': scenarioYaml({ certManager: '{version: v1.16.5}' }) });
    expect(plain?.certManager.installer).toBe('helm4');
    expect(plain?.environmentKey).not.toMatch(/helm/);
    expect(() => loadOnly({ 'a.yaml': scenarioYaml({ certManager: '{version: v1.16.5, installer: helm2}' }) })).toThrow(/installer/);
  });
});
