import { issuerPolicyName, pkiRoleName } from '../scenarios/oracle/vault-policy.ts';
import { writePkiRole } from '../vault/configure/pki.ts';
import { writeIssuerPolicy } from '../vault/configure/policy.ts';
import type { Plan } from '../scenarios/types.ts';
import { writeHardenedPolicy } from '../vault/configure/hardened-policy.ts';
import type { VaultHandle } from './environment.ts';

/** The policy the scenario's role hands out: the environment's shared one, or the scenario's hardened one, written now. */
export async function scenarioPolicy(vault: VaultHandle, plan: Plan): Promise<string> {
  if (!plan.vault.policy && !plan.vault.pkiRole) return vault.policy;
  const name = issuerPolicyName(plan);
  const role = scenarioPkiRole(vault, plan);
  // The shared policy names the shared role's paths only: a scenario's own role needs its own default policy.
  if (plan.vault.policy) await writeHardenedPolicy(vault.admin, { name, pkiMount: vault.pkiMount, role, policy: plan.vault.policy });
  else await writeIssuerPolicy(vault.admin, { name, pkiMount: vault.pkiMount, role });
  return name;
}

/** The PKI role the scenario signs with: the environment's shared one, or its own when it sets `vault.pkiRole`. */
export function scenarioPkiRole(vault: VaultHandle, plan: Plan): string {
  return plan.vault.pkiRole ? pkiRoleName(plan) : vault.pkiRole;
}

/** `<pki mount>/sign/<role>`: what the Issuer's `spec.vault.path` names and the audit log's sign entries carry. */
export function scenarioSignPath(vault: VaultHandle, plan: Plan): string {
  return `${vault.pkiMount}/sign/${scenarioPkiRole(vault, plan)}`;
}

/** Writes the scenario's own PKI role (same mount and CA as the shared one); nothing for a scenario without one. */
export async function writeScenarioPkiRole(vault: VaultHandle, plan: Plan): Promise<void> {
  if (plan.vault.pkiRole) await writePkiRole(vault.admin, { mount: vault.pkiMount, role: pkiRoleName(plan), spec: plan.vault.pkiRole });
}
