import { vaultCall, type VaultClient } from '../client.ts';

/** Enables an auth method at `auth/<mount>` unless something is mounted there already. */
export async function ensureAuthMount(client: VaultClient, type: string, mount: string): Promise<void> {
  const mounts = await vaultCall('listing auth methods', 'sys/auth', () => client.read('sys/auth'));
  if (hasMount(mounts, mount)) return;
  await vaultCall(`enabling ${type} auth`, `sys/auth/${mount}`, () => client.write(`sys/auth/${mount}`, { type }));
}

/** Enables a secrets engine at `<mount>` unless something is mounted there already. */
export async function ensureSecretsMount(
  client: VaultClient,
  type: string,
  mount: string,
  config: Record<string, unknown> = {},
): Promise<void> {
  const mounts = await vaultCall('listing secrets engines', 'sys/mounts', () => client.read('sys/mounts'));
  if (hasMount(mounts, mount)) return;
  await vaultCall(`enabling ${type}`, `sys/mounts/${mount}`, () => client.write(`sys/mounts/${mount}`, { type, config }));
}

// sys/auth and sys/mounts answer `{ data: { "<mount>/": {...} } }` (and, in older versions, the same keys at top level).
function hasMount(answer: unknown, mount: string): boolean {
  const key = `${mount.replace(/\/+$/, '')}/`;
  const body = answer as { data?: Record<string, unknown> } & Record<string, unknown>;
  return Boolean(body?.data?.[key] ?? body?.[key]);
}

/** An auth method at `mount` (enabled unless something is there) with this config. */
export async function configureAuthMount(client: VaultClient, type: 'kubernetes' | 'jwt', mount: string, config: Record<string, unknown>): Promise<void> {
  await ensureAuthMount(client, type, mount);
  const path = `auth/${mount}/config`;
  await vaultCall(`configuring ${type} auth`, path, () => client.write(path, config));
}

/** Writes a role of an auth mount; returns Vault's warnings (e.g. the one about a role without `audience`). */
export async function writeAuthRole(client: VaultClient, type: 'kubernetes' | 'jwt', mount: string, role: string, body: Record<string, unknown>): Promise<string[]> {
  const path = `auth/${mount}/role/${role}`;
  const answer = await vaultCall(`writing the ${type} role`, path, () => client.write(path, body));
  const warnings = (answer as { warnings?: unknown } | undefined)?.warnings;
  return Array.isArray(warnings) ? warnings.map(String) : [];
}
