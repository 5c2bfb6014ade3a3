import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../lib/test-support/temp-dir.ts';
import { writeEvidence } from '../reports/evidence.ts';
import { fixturePlan, issuerMismatchFail } from '../reports/fixtures.ts';
import { signedTestJwt } from '../vault/test-support/jwt.ts';
import type { ScenarioEnvironment } from './environment.ts';
import { ScenarioSession } from './session.ts';

const ROOT = 'f3b0c44298fc1c149afbf4c8996fb924';
const UNSEAL = '2GcQ2A6iwiSSEOJy3usk9w9S+zxsVHtBb/W0wLWG49A=';
const JWT = signedTestJwt({ aud: ['vault://team-a/vault-issuer'] });

/** What `kind export logs` hands back for a kind cluster with Vault in it: the pod's CRI log holds the dev banner. */
const BUNDLE = {
  'cm-vault-e2e-control-plane/containers/vault-abc_vault-vault-v1-21-0_vault-123.log': [
    '2026-12-07T10:00:00.100Z stdout F WARNING! dev mode is enabled!',
    `2026-12-07T10:00:00.101Z stdout F Unseal Key: ${UNSEAL}`,
    `2026-12-07T10:00:00.102Z stdout F Root Token: ${ROOT}`,
  ].join('\n'),
  'cm-vault-e2e-control-plane/kubelet.log': `I1207 10:00:01 token for pod: ${JWT.slice(0, 60)}\n  ${JWT.slice(60)}\nI1207 10:00:02 next`,
};

function fakeEnvironment(): ScenarioEnvironment {
  return {
    clusterResourceNamespace: 'cert-manager',
    profile: { apiAudiences: [], serviceAccountIssuer: 'https://kubernetes.default.svc.cluster.local' },
    secrets: () => [ROOT],
    vault: async () => ({ server: 'https://vault.vault.svc:8200' }),
    exportLogs: async () => ({ ...BUNDLE }),
  } as unknown as ScenarioEnvironment;
}

const out = useTempDir('bundle');

describe("a failed scenario's cluster log bundle", () => {
  it("goes into evidence redacted: the in-cluster Vault's dev banner, a wrapped JWT", async () => {
    const session = await ScenarioSession.open(fakeEnvironment(), fixturePlan('bundle'));
    const bundle = await session.clusterLogBundle();
    const text = Object.values(bundle).join('\n');
    expect(text).not.toContain(UNSEAL);
    expect(text).not.toContain(ROOT);
    expect(text.replace(/\s/g, '')).not.toContain(JWT.split('.')[2]!.slice(-40));
    expect(text).toContain('Unseal Key: <redacted:unseal-key>');

    // and the report's scan, which refuses a leaking file, accepts what was written
    const result = issuerMismatchFail();
    Object.assign(result.evidence, bundle);
    const { files } = await writeEvidence(result, out(), { secrets: [ROOT] });
    const pod = files.find((f) => f.includes('vault-abc'))!;
    expect(await readFile(pod, 'utf8')).toContain('Root Token: <redacted:root-token>');
  });
});
