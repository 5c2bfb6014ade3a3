import type { HardenedVaultPolicy } from '../../scenarios/types.ts';
import { vaultCall, type VaultClient } from '../client.ts';

/** The article's policy shape, on the PKI role's endpoints the scenario names. */
export function hardenedPolicyHcl(pkiMount: string, role: string, policy: HardenedVaultPolicy): string {
  const allowed = Object.entries(policy.allowedParameters);
  const denied = Object.entries(policy.deniedParameters);
  return policy.paths
    .map((verb) =>
      [
        `path "${pkiMount}/${verb}/${role}" {`,
        '  capabilities = ["create", "update"]',
        ...(policy.requiredParameters.length ? [`  required_parameters = ${JSON.stringify(policy.requiredParameters)}`] : []),
        ...(allowed.length ? ['  allowed_parameters = {', ...allowed.map(([k, v]) => `    ${JSON.stringify(k)} = ${JSON.stringify(v)}`), '  }'] : []),
        ...(denied.length ? ['  denied_parameters = {', ...denied.map(([k, v]) => `    ${JSON.stringify(k)} = ${JSON.stringify(v)}`), '  }'] : []),
        '}',
        '',
      ].join('\n'),
    )
    .join('\n');
}

export async function writeHardenedPolicy(client: VaultClient, o: { name: string; pkiMount: string; role: string; policy: HardenedVaultPolicy }): Promise<void> {
  const path = `sys/policies/acl/${o.name}`;
  await vaultCall('writing the scenario policy', path, () => client.write(path, { policy: hardenedPolicyHcl(o.pkiMount, o.role, o.policy) }));
}
