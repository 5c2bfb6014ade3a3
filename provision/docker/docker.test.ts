import { execa } from 'execa';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  boundingSetHas,
  DOCKER_HOST_SCRIPT,
  hostCgroupVersion,
  isStaticElf,
  WRAPPER_RUNTIME,
} from './docker.ts';

const WRAPPER = fileURLToPath(new URL('./runc-nosysresource', import.meta.url));
const hasJq = (await execa('jq', ['--version'], { reject: false })).exitCode === 0;
const noJq = 'jq is not installed (apt-get install -y jq)';

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-docker-test-'));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('boundingSetHas', () => {
  it('reads bit 24 (CAP_SYS_RESOURCE) of CapBnd', () => {
    expect(boundingSetHas('Name:\tx\nCapBnd:\t000001fffeffffff\nCapAmb:\t0\n')).toBe(false);
    expect(boundingSetHas('CapBnd:\t000001ffffffffff\n')).toBe(true);
    expect(boundingSetHas('CapBnd:\t0000000001000000\n')).toBe(true);
    expect(boundingSetHas('CapBnd:\t0000000001000000\n', 23)).toBe(false);
    expect(() => boundingSetHas('Name:\tx\n')).toThrow(/CapBnd/);
  });
});

describe('hostCgroupVersion', () => {
  it('says v2 only where the unified hierarchy is mounted at the root', async () => {
    const v2 = join(tmp, 'v2');
    await mkdir(v2, { recursive: true });
    await writeFile(join(v2, 'cgroup.controllers'), 'cpu memory\n');
    expect(hostCgroupVersion(v2)).toBe('v2');
    await mkdir(join(tmp, 'hybrid', 'unified'), { recursive: true });
    await writeFile(join(tmp, 'hybrid', 'unified', 'cgroup.controllers'), '');
    expect(hostCgroupVersion(join(tmp, 'hybrid'))).toBe('v1');
  });
});

describe('isStaticElf', () => {
  it('calls node (dynamically linked) not static, and a non-ELF file not static', async () => {
    expect(await isStaticElf(process.execPath)).toBe(false);
    expect(await isStaticElf(DOCKER_HOST_SCRIPT)).toBe(false);
  });
  // A minimal 64-bit little-endian ELF: the header and one program header, PT_LOAD (static) or PT_INTERP (dynamic).
  const elf = (segment: number) => {
    const b = Buffer.alloc(64 + 56);
    b.writeUInt32BE(0x7f454c46, 0);
    b[4] = 2; // ELFCLASS64
    b[5] = 1; // little-endian
    b.writeBigUInt64LE(64n, 32); // e_phoff
    b.writeUInt16LE(56, 54); // e_phentsize
    b.writeUInt16LE(1, 56); // e_phnum
    b.writeUInt32LE(segment, 64); // p_type
    return b;
  };
  it('reads the program headers: no PT_INTERP is static, a PT_INTERP is dynamic', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cm-vault-e2e-elf-'));
    try {
      await writeFile(join(dir, 'static'), elf(1));
      await writeFile(join(dir, 'dynamic'), elf(3));
      expect(await isStaticElf(join(dir, 'static'))).toBe(true);
      expect(await isStaticElf(join(dir, 'dynamic'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('docker-host.sh merge-daemon-json', () => {
  const merge = (file: string) =>
    execa('bash', [DOCKER_HOST_SCRIPT, 'merge-daemon-json', file, '/opt/w/runc-nosysresource'], { reject: false });
  const expected = { path: '/opt/w/runc-nosysresource' };

  it.skipIf(!hasJq)(`creates a missing file, then leaves it alone${hasJq ? '' : ` (skipped: ${noJq})`}`, async () => {
    const file = join(tmp, 'new', 'daemon.json');
    const first = await merge(file);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toBe('changed');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      runtimes: { [WRAPPER_RUNTIME]: expected },
      'default-runtime': WRAPPER_RUNTIME,
    });
    const before = await readFile(file, 'utf8');
    const second = await merge(file);
    expect(second.stdout).toBe('unchanged');
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it.skipIf(!hasJq)('keeps every other key and runtime, and replaces a stale entry of its own', async () => {
    const file = join(tmp, 'keep.json');
    const other = {
      'log-level': 'warn',
      'storage-driver': 'overlay2',
      'default-ulimits': { nofile: { Name: 'nofile', Hard: 20000, Soft: 20000 } },
      runtimes: { nvidia: { path: '/usr/bin/nvidia-container-runtime', runtimeArgs: ['--x'] }, [WRAPPER_RUNTIME]: { path: '/old' } },
    };
    await writeFile(file, JSON.stringify(other, null, 2));
    expect((await merge(file)).stdout).toBe('changed');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      ...other,
      runtimes: { nvidia: other.runtimes.nvidia, [WRAPPER_RUNTIME]: expected },
      'default-runtime': WRAPPER_RUNTIME,
    });
    expect((await merge(file)).stdout).toBe('unchanged');
  });

  it.skipIf(!hasJq)('says unchanged for the same content in another key order or layout', async () => {
    const file = join(tmp, 'order.json');
    await writeFile(file, JSON.stringify({ 'default-runtime': WRAPPER_RUNTIME, runtimes: { [WRAPPER_RUNTIME]: expected }, debug: true }));
    const before = await readFile(file, 'utf8');
    expect((await merge(file)).stdout).toBe('unchanged');
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it.skipIf(!hasJq)('replaces another default runtime and says so', async () => {
    const file = join(tmp, 'other-default.json');
    await writeFile(file, '{"default-runtime": "crun", "runtimes": {"crun": {"path": "/usr/bin/crun"}}}');
    const r = await merge(file);
    expect(r.stdout).toBe('changed');
    expect(r.stderr).toMatch(/had default-runtime "crun"/);
    const merged = JSON.parse(await readFile(file, 'utf8'));
    expect(merged['default-runtime']).toBe(WRAPPER_RUNTIME);
    expect(merged.runtimes.crun).toEqual({ path: '/usr/bin/crun' });
  });

  it.skipIf(!hasJq)('treats an empty or blank file as {}', async () => {
    const file = join(tmp, 'blank.json');
    await writeFile(file, ' \n');
    expect((await merge(file)).stdout).toBe('changed');
    expect(JSON.parse(await readFile(file, 'utf8'))['default-runtime']).toBe(WRAPPER_RUNTIME);
  });

  it.skipIf(!hasJq)('refuses invalid JSON and non-objects without touching the file', async () => {
    for (const [name, text] of [
      ['broken.json', '{"log-level": '],
      ['array.json', '[1, 2]'],
    ] as const) {
      const file = join(tmp, name);
      await writeFile(file, text);
      const r = await merge(file);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/is not a JSON object; fix it or move it away/);
      expect(await readFile(file, 'utf8')).toBe(text);
    }
  });
});

describe('runc-nosysresource', () => {
  const fakeRunc = () => join(tmp, 'fake-runc');
  beforeAll(async () => {
    await writeFile(fakeRunc(), '#!/bin/sh\nprintf "%s\\n" "$@" > "$(dirname "$0")/fake-runc.args"\nexit 7\n');
    await chmod(fakeRunc(), 0o755);
  });
  const wrap = (args: string[], cwd = tmp) =>
    execa(WRAPPER, args, { cwd, reject: false, env: { CM_VAULT_E2E_REAL_RUNC: fakeRunc() } });
  const passedArgs = async () => (await readFile(join(tmp, 'fake-runc.args'), 'utf8')).trimEnd().split('\n');
  const caps = (...extra: string[]) => ({
    bounding: ['CAP_CHOWN', 'CAP_SYS_RESOURCE', ...extra],
    effective: ['CAP_SYS_RESOURCE', 'CAP_CHOWN'],
    permitted: ['CAP_SYS_RESOURCE'],
    inheritable: ['CAP_SYS_RESOURCE'],
    ambient: [],
  });
  const stripped = { bounding: ['CAP_CHOWN', 'CAP_NET_ADMIN'], effective: ['CAP_CHOWN'], permitted: [], inheritable: [], ambient: [] };

  it.skipIf(!hasJq)('strips CAP_SYS_RESOURCE from the bundle on create --bundle and passes every argument on', async () => {
    const bundle = join(tmp, 'bundle1');
    await mkdir(bundle, { recursive: true });
    const spec = { ociVersion: '1.0.2', process: { args: ['true'], capabilities: caps('CAP_NET_ADMIN') }, root: { path: 'rootfs' } };
    await writeFile(join(bundle, 'config.json'), JSON.stringify(spec));
    const args = ['--root', '/run/x', '--log', '/l/log.json', '--log-format', 'json', 'create', '--bundle', bundle, '--pid-file', '/p', 'id1'];
    const r = await wrap(args);
    expect(r.exitCode).toBe(7); // the real runc's status
    expect(await passedArgs()).toEqual(args);
    const after = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8'));
    expect(after.process.capabilities).toEqual(stripped);
    expect(after.root).toEqual(spec.root);
  });

  it.skipIf(!hasJq)('uses the working directory as bundle for run without --bundle', async () => {
    const bundle = join(tmp, 'bundle2');
    await mkdir(bundle, { recursive: true });
    await writeFile(join(bundle, 'config.json'), JSON.stringify({ process: { capabilities: caps('CAP_NET_ADMIN') } }));
    await wrap(['--systemd-cgroup', 'run', '--detach', 'id2'], bundle);
    expect(JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')).process.capabilities).toEqual(stripped);
  });

  it.skipIf(!hasJq)('strips the process file of exec --process and of --process=FILE', async () => {
    for (const form of ['split', 'joined'] as const) {
      const file = join(tmp, `process-${form}.json`);
      await writeFile(file, JSON.stringify({ args: ['sh'], cwd: '/', capabilities: caps('CAP_NET_ADMIN') }));
      const args =
        form === 'split'
          ? ['--root', '/r', 'exec', '--process', file, '--detach', 'id3']
          : ['--root', '/r', 'exec', `--process=${file}`, 'id3'];
      await wrap(args);
      expect(await passedArgs()).toEqual(args);
      const after = JSON.parse(await readFile(file, 'utf8'));
      expect(after.capabilities).toEqual(stripped);
      expect(after.args).toEqual(['sh']);
    }
  });

  it('leaves specs without CAP_SYS_RESOURCE byte for byte, and other commands alone', async () => {
    const bundle = join(tmp, 'bundle3');
    await mkdir(bundle, { recursive: true });
    const text = '{ "process": { "capabilities": { "bounding": ["CAP_CHOWN"] } } }\n';
    await writeFile(join(bundle, 'config.json'), text);
    await wrap(['create', '-b', bundle, 'id4']);
    expect(await readFile(join(bundle, 'config.json'), 'utf8')).toBe(text);
    const r = await wrap(['--root', '/r', 'delete', '--force', 'id4']);
    expect(r.exitCode).toBe(7);
    expect(await passedArgs()).toEqual(['--root', '/r', 'delete', '--force', 'id4']);
  });
});
