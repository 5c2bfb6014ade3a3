import { describe, expect, it } from 'vitest';
import { predict } from './index.ts';
import { facts, KIND_AUDIENCE, plan, type PlanOverrides } from './fixtures.ts';
import { tokenAudiences } from './token-audiences.ts';
import { parseCertManagerVersion } from './version.ts';

function audiencesAt(version: string, o: PlanOverrides = {}, server = 'https://127.0.0.1:8200'): string[] {
  const p = plan({ ...o, certManager: version });
  return tokenAudiences({ plan: p, facts: facts(p, { vaultServer: server }), certManager: parseCertManagerVersion(version) });
}

describe('token audiences by cert-manager version', () => {
  const extra = { issuer: { audiences: ['extra-a', 'extra-b'] } };

  it('v1.14.7 asks for the default audience only (the field does not exist)', () => {
    expect(audiencesAt('v1.14.7')).toEqual(['vault://team-a/vault-issuer']);
    expect(audiencesAt('v1.14.7', extra)).toEqual(['vault://team-a/vault-issuer']);
  });

  it.each(['v1.15.5', 'v1.16.5', 'v1.19.5'])('%s puts serviceAccountRef.audiences first, then the default', (v) => {
    expect(audiencesAt(v)).toEqual(['vault://team-a/vault-issuer']);
    expect(audiencesAt(v, extra)).toEqual(['extra-a', 'extra-b', 'vault://team-a/vault-issuer']);
  });

  it.each(['v1.20.3', 'v1.21.1'])('%s appends spec.vault.server after the default', (v) => {
    expect(audiencesAt(v)).toEqual(['vault://team-a/vault-issuer', 'https://127.0.0.1:8200']);
    expect(audiencesAt(v, extra, 'https://vault.vault.svc:8200')).toEqual([
      'extra-a',
      'extra-b',
      'vault://team-a/vault-issuer',
      'https://vault.vault.svc:8200',
    ]);
  });

  it('the boundaries are minor versions: v1.15.0 has audiences, v1.19.99 has no server, v2.0.0 has both', () => {
    expect(audiencesAt('v1.15.0', extra)).toHaveLength(3);
    expect(audiencesAt('v1.19.99')).toHaveLength(1);
    expect(audiencesAt('v2.0.0', extra)).toHaveLength(4);
  });

  it('keeps duplicates, as cert-manager does', () => {
    expect(audiencesAt('v1.16.5', { issuer: { audiences: ['vault://team-a/vault-issuer'] } })).toEqual([
      'vault://team-a/vault-issuer',
      'vault://team-a/vault-issuer',
    ]);
  });

  it('an empty audiences list adds nothing', () => {
    expect(audiencesAt('v1.16.5', { issuer: { audiences: [] } })).toEqual(['vault://team-a/vault-issuer']);
  });
});

describe('default audience: Issuer vs ClusterIssuer', () => {
  it('an Issuer gets vault://<namespace>/<name>', () => {
    expect(audiencesAt('v1.16.5', { issuer: { namespace: 'team-b', name: 'pki' } })).toEqual(['vault://team-b/pki']);
  });

  it('a ClusterIssuer gets vault://<name>', () => {
    expect(audiencesAt('v1.16.5', { issuer: { kind: 'ClusterIssuer', name: 'corp-vault' } })).toEqual(['vault://corp-vault']);
  });
});

describe('placeholders in serviceAccountRef.audiences', () => {
  it('resolve against the facts', () => {
    const p = plan({ certManager: 'v1.16.5', issuer: { audiences: ['${cluster.apiAudience}', '${vault.server}', '${cluster.issuer}', '${issuer.defaultAudience}'] } });
    const f = facts(p, { apiAudiences: ['https://api.example'], serviceAccountIssuer: 'https://issuer.example', vaultServer: 'https://v.example:8200' });
    expect(predict(p, f).tokenAudiences).toEqual([
      'https://api.example',
      'https://v.example:8200',
      'https://issuer.example',
      'vault://team-a/vault-issuer',
      'vault://team-a/vault-issuer',
    ]);
  });

  it('the nominal kind API audience is the kind issuer', () => {
    const p = plan({ issuer: { audiences: ['${cluster.apiAudience}'] } });
    expect(predict(p, facts(p)).tokenAudiences[0]).toBe(KIND_AUDIENCE);
  });
});
