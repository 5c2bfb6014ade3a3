/**
 * Shared pieces of the kind image builds: input keys, the project label, and a `docker` runner whose failures are
 * EnvironmentErrors naming the command.
 */
import { execa, type Options } from 'execa';
import { createHash } from 'node:crypto';
import { EnvironmentError } from '../../lib/errors.ts';

export { PROJECT_LABEL, PROJECT_LABEL_KEY } from '../../lib/names.ts';
/** The input key an image was built from; a warm build compares it and does nothing. */
export const INPUTS_LABEL_KEY = 'io.cm-vault-e2e.inputs';

/** Bumped when a build step changes in a way its inputs do not show. */
export const RECIPE_REVISION = 1;

/** A short, stable hash of any JSON-able value (object keys sorted). */
export function keyOf(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 16);
}

export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export type Logger = (line: string) => void;
export const stderrLogger: Logger = (l) => process.stderr.write(`${l}\n`);

/** Last non-empty lines of a command's output, for evidence in errors. */
export function tailLines(text: unknown, n = 15): string[] {
  if (typeof text !== 'string') return [];
  return text.trim().split('\n').filter((l) => l.trim() !== '').slice(-n);
}

/** Runs docker; throws an EnvironmentError (with the output's tail) unless it exits 0. */
export async function docker(args: string[], opts: Options & { what?: string } = {}): Promise<string> {
  const { what, ...rest } = opts;
  const r = await execa('docker', args, { reject: false, all: true, stdin: 'ignore', ...rest } as Options);
  if (r.exitCode !== 0) {
    throw new EnvironmentError(
      'docker',
      `${what ?? `docker ${args.slice(0, 3).join(' ')}`} failed (exit ${r.exitCode ?? r.signal})`,
      'check `docker info`; if no daemon answers run `bash provision/docker/docker-host.sh`',
      tailLines(r.all),
    );
  }
  return typeof r.stdout === 'string' ? r.stdout.trim() : '';
}

/** Throws doctor's advice when no Docker daemon answers (before anything is half-made). */
export async function assertDockerAnswers(): Promise<void> {
  const r = await execa('docker', ['version', '--format', '{{.Server.Version}}'], { reject: false, all: true, stdin: 'ignore' });
  if (r.exitCode === 0) return;
  throw new EnvironmentError(
    'docker',
    r.exitCode === undefined || /ENOENT|not found/.test(String(r.all ?? r.message)) ? 'the docker CLI is not installed' : 'no Docker daemon answers',
    '`npx cm-vault-e2e provision --for kind` installs and starts it (or `bash provision/docker/docker-host.sh`); `npx cm-vault-e2e doctor` shows the state',
    tailLines(r.all ?? r.message, 3),
  );
}

/** docker, but answers undefined instead of throwing. */
export async function dockerMaybe(args: string[]): Promise<string | undefined> {
  const r = await execa('docker', args, { reject: false, stdin: 'ignore' });
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
}

/** The value of one label of a local image, or undefined when the image (or label) is absent. */
export async function imageLabel(image: string, key: string): Promise<string | undefined> {
  const out = await dockerMaybe(['image', 'inspect', '--format', `{{ index .Config.Labels ${JSON.stringify(key)} }}`, image]);
  return out && out !== '<no value>' ? out : undefined;
}

/** The Docker ID of a local image, or undefined when Docker has none by that reference. */
export function imageId(image: string): Promise<string | undefined> {
  return dockerMaybe(['image', 'inspect', '--format', '{{.Id}}', image]);
}

/** Size of a local image in bytes (as `docker images` shows it), or undefined. */
export async function imageSize(image: string): Promise<number | undefined> {
  const out = await dockerMaybe(['image', 'inspect', '--format', '{{.Size}}', image]);
  return out ? Number(out) : undefined;
}

export function requireRoot(what: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new EnvironmentError(what, 'needs root (debootstrap and chroot)', `run it as root, e.g. \`sudo -E npx tsx kind/images/build.ts\``);
  }
}
