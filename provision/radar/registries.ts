import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Fetcher, Listing, Prober } from './radar.ts';
import type { RegistrySource } from './sources.ts';

export const GO_PROXY = 'the Go module proxy';
export const PYPI = 'the Python package index (pip)';

/** Runs a registry client; a client that cannot start or answer is a non-zero exit with the reason on stderr. */
export type Runner = (cmd: string, args: string[], cwd: string) => Promise<{ exitCode: number; stdout: string; stderr: string }>;

const TIMEOUT_MS = 60_000;

const execaRunner: Runner = async (cmd, args, cwd) => {
  const r = await execa(cmd, args, { cwd, reject: false, timeout: TIMEOUT_MS, env: { GOFLAGS: '-mod=mod' } });
  const stderr = r.timedOut ? `no answer within ${TIMEOUT_MS / 1000} s` : r.failed && r.exitCode === undefined ? `${cmd} could not be started (${r.shortMessage})` : r.stderr;
  return { exitCode: r.exitCode ?? 127, stdout: r.stdout, stderr };
};

const lastLine = (s: string) => s.trim().split('\n').filter(Boolean).slice(-1)[0] ?? 'no output';

/** `go list -m -versions -json MODULE` outside any module: the proxy's version list, through GOPROXY/GOFLAGS as configured. */
export function parseGoList(stdout: string): string[] {
  const parsed = JSON.parse(stdout) as { Versions?: string[]; Error?: { Err?: string } };
  if (parsed.Error) throw new Error(parsed.Error.Err ?? 'error');
  return parsed.Versions ?? [];
}

/** `pip index versions PROJECT` prints `Available versions: a, b, c`. */
export function parsePipIndex(stdout: string): string[] {
  const line = stdout.split('\n').find((l) => l.startsWith('Available versions:'));
  if (!line) throw new Error('pip printed no "Available versions:" line');
  return line.slice('Available versions:'.length).split(',').map((v) => v.trim()).filter(Boolean);
}

/** `go list -m -json MODULE@VERSION`: does the Go module proxy answer for this exact version? PyPI's list is whole. */
export function registryProber(run: Runner = execaRunner): Prober {
  return async (source, version) => {
    if (source.registry !== 'go') return false;
    const dir = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-radar-'));
    try {
      return (await run('go', ['list', '-m', '-json', `${source.module}@${version}`], dir)).exitCode === 0;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

/** The real registries, asked through their own clients (go, pip), so proxies and mirrors configured for them apply. */
export function registryFetcher(run: Runner = execaRunner): Fetcher {
  return async (source: RegistrySource): Promise<Listing> => {
    const dir = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-radar-'));
    const [registry, cmd, args, parse] =
      source.registry === 'go'
        ? [GO_PROXY, 'go', ['list', '-m', '-versions', '-json', source.module], parseGoList]
        : [PYPI, 'python3', ['-m', 'pip', 'index', 'versions', source.project, '--disable-pip-version-check'], parsePipIndex];
    try {
      const r = await run(cmd, args, dir);
      if (r.exitCode !== 0) return { ok: false, registry, problem: lastLine(r.stderr) };
      try {
        return { ok: true, versions: parse(r.stdout) };
      } catch (err) {
        return { ok: false, registry, problem: `unreadable answer: ${(err as Error).message}` };
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}
