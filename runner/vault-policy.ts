import { issuerPolicyName } from '../scenarios/oracle/vault-policy.ts';
import type { Plan } from '../scenarios/types.ts';
import { writeHardenedPolicy } from '../vault/configure/hardened-policy.ts';
import type { VaultHandle } from './environment.ts';

/** The policy the scenario's role hands out: the environment's shared one, or the scenario's hardened one, written now. */
export async function scenarioPolicy(vault: VaultHandle, plan: Plan): Promise<string> {
  if (!plan.vault.policy) return vault.policy;
  const name = issuerPolicyName(plan);
  await writeHardenedPolicy(vault.admin, { name, pkiMount: vault.pkiMount, role: vault.pkiRole, policy: plan.vault.policy });
  return name;
}
