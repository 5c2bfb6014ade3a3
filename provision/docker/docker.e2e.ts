// The Docker host `provision --for kind` set up: the daemon answers and privileged containers run on it.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { dockerStatus, hostCgroupVersion, WRAPPER_RUNTIME } from './docker.ts';

describe('dockerStatus against the local daemon', () => {
  it('says the daemon answers and privileged containers run', { timeout: 180_000 }, async () => {
    const info = await execa('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 15_000 });
    const s = await dockerStatus();
    expect(s.client.present).toBe(true);
    expect(s.daemon.answers).toBe(true);
    expect(s.daemon.version).toBe(info.stdout.trim());
    expect(s.privileged, JSON.stringify(s)).toEqual({ ok: true });
    expect(s.advice).toEqual([]);
    expect(s.cgroup).toBe(hostCgroupVersion());
    if (!s.capSysResource) expect(s.daemon.runtime).toBe(WRAPPER_RUNTIME);
    const label = await execa('docker', ['image', 'inspect', '--format', '{{index .Config.Labels "io.cm-vault-e2e"}}', 'cm-vault-e2e/probe:local']);
    expect(label.stdout.trim()).toBe('true');
  });
});
