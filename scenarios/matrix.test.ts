import { describe, expect, it } from 'vitest';
import { loadError, loadOnly } from './testing.ts';

const MATRIX = `matrix:
  id: m-{cluster.profile}-{reviewer}-aud-{issuer.audiences}
  description: '{reviewer} on {cluster.profile} (\${cluster.apiAudience} stays as written)'
  base:
    certManager: {version: v1.16.5}
    auth: {method: kubernetes}
    issuer: {kind: Issuer, name: vault-issuer, namespace: team-a, serviceAccount: vault-issuer}
    tags: [base]
  axes:
    cluster.profile: [kind, eks-like]
    reviewer:
      local-token: {auth.tokenReviewer: local-token, vault.placement: in-cluster}
      client-jwt: {auth.tokenReviewer: client-jwt, vault.placement: external, issuer.authDelegator: true}
    issuer.audiences:
      unset: null
      api: ['\${cluster.apiAudience}']
  exclude:
    - {reviewer: local-token, issuer.audiences: api}
  expect:
    - when: {reviewer: client-jwt, issuer.audiences: unset}
      expect: {ready: false, failure: apiserver-audience}
    - expect: {ready: true}
  tags:
    - when: {cluster.profile: kind}
      tags: [smoke]
`;

describe('matrix expansion', () => {
  const plans = loadOnly({ 'm.yaml': MATRIX });
  const byId = new Map(plans.map((p) => [p.id, p]));

  it('expands every combination in axis order, minus exclude', () => {
    expect(plans.map((p) => p.id)).toEqual([
      'm-kind-local-token-aud-unset',
      'm-kind-client-jwt-aud-unset',
      'm-kind-client-jwt-aud-api',
      'm-eks-like-local-token-aud-unset',
      'm-eks-like-client-jwt-aud-unset',
      'm-eks-like-client-jwt-aud-api',
    ]);
  });

  it('sets fields from path axes and named axes; null leaves a field unset', () => {
    const p = byId.get('m-eks-like-client-jwt-aud-api')!;
    expect(p.profile.name).toBe('eks-like');
    expect(p.auth).toMatchObject({ method: 'kubernetes', tokenReviewer: 'client-jwt' });
    expect(p.vault.placement).toBe('external');
    expect(p.issuer).toMatchObject({ authDelegator: true, audiences: ['${cluster.apiAudience}'] });
    expect(byId.get('m-kind-local-token-aud-unset')!.issuer.audiences).toBeUndefined();
  });

  it('renders templates with labels and leaves ${placeholders} alone', () => {
    expect(byId.get('m-kind-client-jwt-aud-api')!.description).toBe('client-jwt on kind (${cluster.apiAudience} stays as written)');
  });

  it('applies the first matching expect rule, and every matching tag rule', () => {
    expect(byId.get('m-kind-client-jwt-aud-unset')!.expect).toEqual({ ready: false, failure: 'apiserver-audience' });
    expect(byId.get('m-kind-client-jwt-aud-api')!.expect).toEqual({ ready: true });
    expect(byId.get('m-kind-local-token-aud-unset')!.tags).toEqual(['base', 'smoke']);
    expect(byId.get('m-eks-like-local-token-aud-unset')!.tags).toEqual(['base']);
  });

  it('keeps ids stable: expanding twice gives the same ids', () => {
    expect(loadOnly({ 'm.yaml': MATRIX }).map((p) => p.id)).toEqual(plans.map((p) => p.id));
  });
});

describe('matrix errors point at the matrix line that caused them', () => {
  it('an id template that does not tell combinations apart', () => {
    const err = loadError(MATRIX.replace('id: m-{cluster.profile}-{reviewer}-aud-{issuer.audiences}', 'id: m-{cluster.profile}-{reviewer}'));
    expect(err.where).toMatchObject({ line: 2, field: 'matrix.id' });
    expect(err.problem).toMatch(/gives `m-kind-client-jwt` to two combinations/);
  });

  it('a when key that is not an axis', () => {
    const err = loadError(MATRIX.replace('- when: {reviewer: client-jwt, issuer.audiences: unset}', '- when: {reviewr: client-jwt}'));
    expect(err.where).toMatchObject({ line: 20, field: 'matrix.expect.0.when.reviewr' });
    expect(err.fix).toMatch(/did you mean `reviewer`/);
  });

  it('a label the axis does not have', () => {
    const err = loadError(MATRIX.replace('- {reviewer: local-token, issuer.audiences: api}', '- {reviewer: local-tokn}'));
    expect(err.where).toMatchObject({ line: 18 });
    expect(err.fix).toMatch(/did you mean `local-token`/);
  });

  it('no expect rule for a combination', () => {
    const err = loadError(MATRIX.replace('    - expect: {ready: true}\n', ''));
    expect(err.where).toMatchObject({ line: 19, field: 'matrix.expect' });
    expect(err.fix).toMatch(/without `when`/);
  });

  it('an invalid value set by an axis points at that axis value and names the combination', () => {
    const err = loadError(MATRIX.replace('client-jwt: {auth.tokenReviewer: client-jwt,', 'client-jwt: {auth.tokenReviewer: client-jwt-x,'));
    expect(err.where).toMatchObject({ line: 13, field: 'auth.tokenReviewer' });
    expect(err.problem).toMatch(/in m-kind-client-jwt-aud-unset: cluster\.profile=kind, reviewer=client-jwt, issuer\.audiences=unset/);
  });

  it('an unknown field in the base points at the base', () => {
    const err = loadError(MATRIX.replace('    tags: [base]\n', '    tags: [base]\n    isuer: {}\n'));
    expect(err.where).toMatchObject({ line: 9, field: 'isuer' });
    expect(err.fix).toMatch(/did you mean `issuer`/);
  });

  it('a rule broken by one combination only', () => {
    const err = loadError(MATRIX.replace("reviewer:\n      local-token: {auth.tokenReviewer: local-token, vault.placement: in-cluster}", "reviewer:\n      local-token: {auth.tokenReviewer: local-token, vault.placement: external}"));
    expect(err.where).toMatchObject({ line: 12, field: 'auth.tokenReviewer' });
  });

  it('id, description and expect belong to the matrix, not its base', () => {
    const err = loadError(MATRIX.replace('    tags: [base]\n', '    tags: [base]\n    expect: {ready: true}\n'));
    expect(err.where).toMatchObject({ line: 9, field: 'matrix.base.expect' });
  });

  it('a template reference to nothing', () => {
    const err = loadError(MATRIX.replace('id: m-{cluster.profile}', 'id: m-{cluster.profil}'));
    expect(err.where).toMatchObject({ line: 2, field: 'matrix.id' });
    expect(err.fix).toMatch(/\{reviewer\}/);
  });

  it('a list axis with a non-scalar value, and an unknown named-axis field', () => {
    expect(loadError(MATRIX.replace('cluster.profile: [kind, eks-like]', 'cluster.profile: [kind, [eks-like]]')).fix).toMatch(/label: value/);
    const err = loadError(MATRIX.replace('vault.placement: in-cluster}', 'vlt.placement: in-cluster}'));
    expect(err.where).toMatchObject({ line: 12 });
    expect(err.fix).toMatch(/did you mean `vault`/);
  });

  it('an unknown matrix key', () => {
    const err = loadError(MATRIX.replace('  exclude:', '  excludes:'));
    expect(err.where).toMatchObject({ line: 17, field: 'matrix.excludes' });
    expect(err.fix).toMatch(/did you mean `exclude`/);
  });
});
