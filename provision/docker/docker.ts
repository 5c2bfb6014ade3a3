/**
 * The Docker host this project needs: a daemon that answers and can run `--privileged` containers (kind nodes).
 *
 * `dockerStatus()` is what `doctor` reports; it changes nothing but the locally made probe image
 * `cm-vault-e2e/probe:local` (built on demand from Debian's busybox-static, labelled io.cm-vault-e2e=true).
 * `ensureDockerHost()` runs docker-host.sh, which installs and starts what is missing (idempotent).
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, open, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageFile } from '../../lib/package-root.ts';
import { EnvironmentError } from '../../lib/errors.ts';

/** Absolute path of the provisioning script. */
export const DOCKER_HOST_SCRIPT = packageFile('provision', 'docker', 'docker-host.sh');
export const DOCKERD_LOG = '/var/log/cm-vault-e2e-dockerd.log';
/** The runtime name docker-host.sh registers for the runc wrapper. */
export const WRAPPER_RUNTIME = 'cm-vault-e2e-runc';
export const PROBE_IMAGE = 'cm-vault-e2e/probe:local';
export { PROJECT_LABEL } from '../../lib/names.ts';
import { PROJECT_LABEL } from '../../lib/names.ts';
/** Bit of CAP_SYS_RESOURCE in the capability sets of /proc/PID/status. */
const CAP_SYS_RESOURCE = 24;
const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];

export interface DockerStatus {
  client: { present: boolean; version: string | null };
  daemon: { answers: boolean; version: string | null; runtime: string | null; error?: string };
  privileged: { ok: boolean; error?: string };
  cgroup: 'v1' | 'v2';
  /** Whether this host's capability bounding set holds CAP_SYS_RESOURCE; without it plain runc cannot start privileged containers. */
  capSysResource: boolean;
  /** What to run, one line each; empty when all is well. */
  advice: string[];
}

/** The command that provisions the Docker host, as the user should type it. */
export function provisionCommand(): string {
  const sudo = typeof process.getuid === 'function' && process.getuid() !== 0 ? 'sudo ' : '';
  return `${sudo}bash ${DOCKER_HOST_SCRIPT}`;
}

/** Whether the CapBnd line of a /proc/PID/status text holds capability `bit` (default CAP_SYS_RESOURCE). */
export function boundingSetHas(procStatus: string, bit = CAP_SYS_RESOURCE): boolean {
  const m = /^CapBnd:\s*([0-9a-fA-F]+)\s*$/m.exec(procStatus);
  if (!m?.[1]) throw new Error('no CapBnd line in /proc/self/status');
  return ((BigInt(`0x${m[1]}`) >> BigInt(bit)) & 1n) === 1n;
}

/** Unified hierarchy mounted at /sys/fs/cgroup means v2; legacy or hybrid means v1. */
export function hostCgroupVersion(root = '/sys/fs/cgroup'): 'v1' | 'v2' {
  return existsSync(join(root, 'cgroup.controllers')) ? 'v2' : 'v1';
}

/** True for an ELF executable without a PT_INTERP program header (needs no dynamic loader). */
export async function isStaticElf(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(64);
    const { bytesRead } = await fh.read(head, 0, 64, 0);
    if (bytesRead < 52 || head.readUInt32BE(0) !== 0x7f454c46) return false;
    const is64 = head[4] === 2;
    const le = head[5] === 1;
    const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const phoff = is64 ? Number(le ? head.readBigUInt64LE(32) : head.readBigUInt64BE(32)) : u32(head, 28);
    const phentsize = u16(head, is64 ? 54 : 42);
    const phnum = u16(head, is64 ? 56 : 44);
    if (!phoff || !phnum || phentsize < 4) return false;
    const table = Buffer.alloc(phentsize * phnum);
    await fh.read(table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) if (u32(table, i * phentsize) === 3 /* PT_INTERP */) return false;
    return true;
  } finally {
    await fh.close();
  }
}

async function docker(args: string[], timeout = 20_000) {
  return execa('docker', args, { reject: false, timeout, stdin: 'ignore' });
}

function firstError(r: { stderr?: unknown; stdout?: unknown; shortMessage?: string; timedOut?: boolean }): string {
  if (r.timedOut) return 'timed out';
  const text = [r.stderr, r.stdout].filter((s): s is string => typeof s === 'string' && s.trim() !== '').join('\n');
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^Run 'docker .* --help'/.test(l));
  return lines[0] ?? r.shortMessage ?? 'failed';
}

/**
 * Makes `cm-vault-e2e/probe:local` unless it exists: a scratch image holding only a static busybox and its
 * applet links, imported from a tarball (no registry is needed).
 */
export async function ensureProbeImage(): Promise<void> {
  const have = await docker(['image', 'inspect', '--format', '{{.Id}}', PROBE_IMAGE]);
  if (have.exitCode === 0) return;
  let busybox: string | undefined;
  for (const c of BUSYBOX_CANDIDATES) {
    if (existsSync(c) && (await isStaticElf(c))) {
      busybox = c;
      break;
    }
  }
  if (!busybox) {
    throw new EnvironmentError(
      'busybox-static',
      `no static busybox at ${BUSYBOX_CANDIDATES.join(' or ')} to build the probe image ${PROBE_IMAGE}`,
      'apt-get install -y busybox-static',
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-probe-'));
  try {
    const root = join(dir, 'rootfs');
    await mkdir(join(root, 'bin'), { recursive: true });
    await copyFile(busybox, join(root, 'bin', 'busybox'));
    const applets = (await execa(busybox, ['--list'])).stdout.split('\n').map((s) => s.trim());
    for (const a of applets) if (/^[\w.[-]+$/.test(a) && a !== 'busybox') await symlink('busybox', join(root, 'bin', a));
    const tar = join(dir, 'probe.tar');
    await execa('tar', ['-C', root, '--owner=0', '--group=0', '-cf', tar, '.']);
    const imported = await docker(['import', '--change', `LABEL ${PROJECT_LABEL}`, tar, PROBE_IMAGE], 120_000);
    if (imported.exitCode !== 0) {
      throw new EnvironmentError('docker', `could not import the probe image ${PROBE_IMAGE}: ${firstError(imported)}`, provisionCommand());
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What `doctor` shows about Docker. Never throws for a missing or broken Docker: it says so in the result. */
/** `dockerHost`: the DOCKER_HOST the docker client runs with, to name in the advice when it does not answer. */
export async function dockerStatus(opts: { dockerHost?: string } = {}): Promise<DockerStatus> {
  const advice: string[] = [];
  const fix = provisionCommand();
  const cgroup = hostCgroupVersion();
  const capSysResource = boundingSetHas(await readFile('/proc/self/status', 'utf8'));

  const client: DockerStatus['client'] = { present: false, version: null };
  const daemon: DockerStatus['daemon'] = { answers: false, version: null, runtime: null };
  const privileged: DockerStatus['privileged'] = { ok: false };

  const v = await docker(['--version']).catch(() => undefined);
  if (v && v.exitCode === 0) {
    client.present = true;
    client.version = /version\s+([^\s,]+)/i.exec(v.stdout)?.[1] ?? v.stdout.trim();
  } else {
    privileged.error = 'no docker client';
    advice.push(`The docker client is missing: run \`${fix}\` (installs Debian's docker.io and starts dockerd).`);
    return { client, daemon, privileged, cgroup, capSysResource, advice };
  }

  const info = await docker(['info', '--format', '{{.ServerVersion}}\t{{.DefaultRuntime}}']);
  const [version, runtime] = info.stdout.trim().split('\t');
  if (info.exitCode === 0 && version) {
    daemon.answers = true;
    daemon.version = version;
    daemon.runtime = runtime || null;
  } else {
    daemon.error = firstError(info);
    privileged.error = 'no Docker daemon answers';
    const host = opts.dockerHost;
    if (host && !/^unix:\/\/\/(var\/)?run\/docker\.sock$/.test(host)) {
      advice.push(`DOCKER_HOST=${host} does not answer: start that daemon, or \`unset DOCKER_HOST\` and run \`${fix}\`.`);
    } else {
      advice.push(`No Docker daemon answers (${daemon.error}): run \`${fix}\` (starts dockerd, log in ${DOCKERD_LOG}).`);
    }
    return { client, daemon, privileged, cgroup, capSysResource, advice };
  }

  try {
    await ensureProbeImage();
    const run = await docker(['run', '--rm', '--privileged', '--label', PROJECT_LABEL, PROBE_IMAGE, 'true'], 90_000);
    if (run.exitCode === 0) privileged.ok = true;
    else privileged.error = firstError(run);
  } catch (err) {
    privileged.error = err instanceof Error ? err.message : String(err);
    if (err instanceof EnvironmentError) advice.push(`${err.problem}: run \`${err.advice}\`.`);
  }

  if (!privileged.ok && advice.length === 0) {
    if (!capSysResource && daemon.runtime !== WRAPPER_RUNTIME) {
      advice.push(
        `Privileged containers fail: this host cannot grant CAP_SYS_RESOURCE and dockerd's default runtime is "${daemon.runtime}", ` +
          `not the wrapper "${WRAPPER_RUNTIME}": run \`${fix}\` (installs the runc wrapper, sets it in /etc/docker/daemon.json, reloads dockerd).`,
      );
    } else {
      advice.push(
        `Privileged containers fail (${privileged.error}): run \`${fix}\`, then read \`tail -n 50 ${DOCKERD_LOG}\` ` +
          `and retry \`docker run --rm --privileged --label ${PROJECT_LABEL} ${PROBE_IMAGE} true\`.`,
      );
    }
  }
  return { client, daemon, privileged, cgroup, capSysResource, advice };
}

export interface EnsureDockerHostOptions {
  /** Called with each line the script prints (stdout and stderr); default: written to stderr. */
  onLine?: (line: string) => void;
  /** Overall limit, default 15 minutes (a first run installs packages). */
  timeoutMs?: number;
}

/** Runs docker-host.sh: installs, configures and starts what is missing. Returns the lines it printed. */
export async function ensureDockerHost(options: EnsureDockerHostOptions = {}): Promise<string[]> {
  const onLine = options.onLine ?? ((l: string) => process.stderr.write(`${l}\n`));
  const sub = execa('bash', [DOCKER_HOST_SCRIPT], {
    all: true,
    reject: false,
    stdin: 'ignore',
    timeout: options.timeoutMs ?? 15 * 60_000,
  });
  const lines: string[] = [];
  for await (const line of sub.iterable({ from: 'all' })) {
    lines.push(line);
    onLine(line);
  }
  const result = await sub;
  if (result.exitCode !== 0) {
    const err = [...lines].reverse().find((l) => l.includes('error:'));
    throw new EnvironmentError(
      'docker host',
      err ? err.replace(/^docker-host: error: /, '') : result.timedOut ? 'docker-host.sh timed out' : `docker-host.sh exited ${result.exitCode}`,
      `fix what the lines above say, then run \`${provisionCommand()}\` again`,
      lines.slice(-15),
    );
  }
  return lines;
}
