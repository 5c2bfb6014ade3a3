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
