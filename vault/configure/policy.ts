import { vaultCall, type VaultClient } from '../client.ts';

export interface IssuerPolicyOptions {
  name: string;
  pkiMount: string;
  role: string;
}

/** What cert-manager's Vault issuer needs: sign (CSR) and issue on one PKI role. */
export function issuerPolicyHcl(pkiMount: string, role: string): string {
  return ['sign', 'issue']
    .map((verb) => `path "${pkiMount}/${verb}/${role}" {\n  capabilities = ["create", "update"]\n}\n`)
    .join('\n');
}

export async function writeIssuerPolicy(client: VaultClient, options: IssuerPolicyOptions): Promise<void> {
  const path = `sys/policies/acl/${options.name}`;
  await vaultCall('writing the issuer policy', path, () =>
    client.write(path, { policy: issuerPolicyHcl(options.pkiMount, options.role) }),
  );
}
