/**
 * Release gating on kind: cert-manager images and chart a user supplies in place of the pinned ones.
 * Images: a reference already in Docker (or pullable), or a `docker save` archive; chart: a directory, a .tgz
 * or an oci:// reference (`oci://host/path/cert-manager:v1.2.3` pins the chart version).
 * `run` parses them into the run's settings; each environment's spec carries them for the version under test.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { EnvironmentError, InputError } from '../lib/errors.ts';
import { CERT_MANAGER_COMPONENTS, type CertManagerComponent } from '../certmanager/chart.ts';


/** `component=ref-or-archive` flags -> map; names the flag and the fix on bad input. */
export function parseImageFlags(values: readonly string[], field = '--cert-manager-image'): Partial<Record<CertManagerComponent, string>> {
  const out: Partial<Record<CertManagerComponent, string>> = {};
  for (const v of values) {
    const m = /^([a-z]+)=(.+)$/.exec(v.trim());
    const component = m?.[1] as CertManagerComponent | undefined;
    if (!m || !component || !CERT_MANAGER_COMPONENTS.includes(component)) {
      throw new InputError({ file: 'command line', field }, `"${v}" is not component=image`, `write e.g. ${field} controller=quay.io/me/cert-manager-controller:dev (components: ${CERT_MANAGER_COMPONENTS.join(', ')})`);
    }
    if (out[component]) throw new InputError({ file: 'command line', field }, `${component} given twice`, 'give each component once');
    out[component] = isArchivePath(m[2]!) ? resolve(m[2]!) : m[2]!;
  }
  return out;
}

export function isArchivePath(value: string): boolean {
  return /\.(tar|tar\.gz|tgz)$/.test(value) || value.startsWith('/') || value.startsWith('./') || existsSync(value);
}

/** A reference Docker has: an archive is loaded (it must carry a tag), a reference is used or pulled. */
export async function resolveCandidateImage(component: CertManagerComponent, value: string): Promise<string> {
  const what = `candidate cert-manager ${component} image`;
  if (isArchivePath(value)) {
    if (!existsSync(value)) throw new InputError({ file: value, field: '--cert-manager-image' }, 'no such archive', 'give a `docker save` archive or an image reference');
    const r = await execa('docker', ['load', '-i', value], { reject: false, all: true });
    const ref = /Loaded image: (\S+)/.exec(r.stdout)?.[1];
    if (r.exitCode !== 0 || !ref) {
      throw new EnvironmentError(what, `docker load -i ${value} gave no tagged image`, 'save it with a tag: `docker save -o file.tar repo:tag`', (r.all ?? '').split('\n').slice(-5));
    }
    return ref;
  }
  if ((await execa('docker', ['image', 'inspect', value], { reject: false })).exitCode === 0) return value;
  const pull = await execa('docker', ['pull', value], { reject: false, all: true });
  if (pull.exitCode !== 0) throw new EnvironmentError(what, `${value} is not in Docker and cannot be pulled`, 'build or load it first (`docker images` lists what is there), or pass a `docker save` archive', (pull.all ?? '').split('\n').slice(-3));
  return value;
}
