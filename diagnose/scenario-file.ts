// A diagnosed setup written as a catalogue scenario (scenarios/README.md), so `run --scenarios DIR` replays it on
// the process cluster or kind. Values the environment decides become placeholders, so the replay means the same.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { defaultAudience } from '../scenarios/placeholders.ts';
import type { EnvironmentFacts, Expectation, Plan } from '../scenarios/types.ts';

function placeholder(value: string, plan: Plan, env: EnvironmentFacts): string {
  if (value === env.apiAudiences[0]) return '${cluster.apiAudience}';
  if (value === env.vaultServer) return '${vault.server}';
  if (value === defaultAudience(plan.issuer)) return '${issuer.defaultAudience}';
  if (value === env.serviceAccountIssuer) return '${cluster.issuer}';
  return value;
}

/** The YAML mapping of one scenario (only fields that differ from the defaults). */
export function scenarioObject(plan: Plan, env: EnvironmentFacts, o: { id: string; description: string; expect: Expectation }): Record<string, unknown> {
  const ph = (v: string) => (v.includes('${') ? v : placeholder(v, plan, env));
  const auth =
    plan.auth.method === 'kubernetes'
      ? {
          method: 'kubernetes',
          mount: plan.auth.mount,
          // local-token with Vault outside the cluster behaves as client-jwt (the plugin's fallback); the schema asks for the latter
          tokenReviewer: plan.auth.tokenReviewer === 'local-token' && plan.vault.placement === 'external' ? 'client-jwt' : plan.auth.tokenReviewer,
          ...(plan.auth.roleAudience !== undefined ? { roleAudience: ph(plan.auth.roleAudience) } : {}),
          ...(plan.auth.boundServiceAccountNames ? { boundServiceAccountNames: plan.auth.boundServiceAccountNames } : {}),
          ...(plan.auth.boundServiceAccountNamespaces ? { boundServiceAccountNamespaces: plan.auth.boundServiceAccountNamespaces } : {}),
          ...(plan.auth.reviewHost ? { reviewHost: plan.auth.reviewHost } : {}),
        }
      : { method: 'jwt', mount: plan.auth.mount, boundAudiences: plan.auth.boundAudiences.map(ph) };
  const i = plan.issuer;
  return {
    id: o.id,
    description: o.description,
    tags: ['diagnosed'],
    cluster: {
      profile: plan.profile.name,
      kubernetes: plan.cluster.kubernetes,
      ...(plan.profile.name === 'custom' ? { serviceAccountIssuer: plan.profile.serviceAccountIssuer, apiAudiences: plan.profile.apiAudiences } : {}),
    },
    certManager: { version: plan.certManager.version },
    vault: { engine: plan.vault.engine, version: plan.vault.version, placement: plan.vault.placement },
    auth,
    issuer: {
      kind: i.kind,
      name: i.name,
      ...(i.namespace ? { namespace: i.namespace } : {}),
      serviceAccount: i.serviceAccount,
      ...(i.mount !== undefined ? { mount: i.mount } : {}),
      ...(i.audiences ? { audiences: i.audiences.map(ph) } : {}),
      tokenRequestRole: i.tokenRequestRole,
      authDelegator: i.authDelegator,
    },
    expect: o.expect,
  };
}

export function scenarioYaml(obj: Record<string, unknown>, header: string[]): string {
  return header.map((l) => `# ${l}\n`).join('') + stringify(obj, { lineWidth: 0 });
}

/** Writes `files` (name -> text) into `dir`, creating it. */
export function writeFiles(dir: string, files: Record<string, string>): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(files).map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}
