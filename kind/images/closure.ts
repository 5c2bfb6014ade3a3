/**
 * Copying programs out of an unpacked rootfs together with everything they load: shared-library closures
 * (ldd run inside the rootfs with chroot) and every symlink on the way, kept as symlinks, so a tiny image holds
 * exactly the files a Debian program needs.
 */
import { execa } from 'execa';
import { lstat, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { EnvironmentError } from '../../lib/errors.ts';

/** Resolves every symlink in `dir` (an absolute path inside `root`), as the kernel would with `root` as `/`. */
export async function canonicalDir(root: string, dir: string): Promise<string> {
  let out = '/';
  const parts = posix.normalize(dir).split('/').filter(Boolean);
  for (let hops = 0; parts.length; ) {
    const name = parts.shift()!;
    const candidate = posix.join(out, name);
    const st = await lstat(root + candidate).catch(() => null);
    if (st?.isSymbolicLink()) {
      if (++hops > 40) throw new Error(`too many symlinks resolving ${dir} in ${root}`);
      const target = await readlink(root + candidate);
      const resolved = target.startsWith('/') ? target : posix.join(out, target);
      parts.unshift(...resolved.split('/').filter(Boolean));
      out = '/';
    } else {
      out = candidate;
    }
  }
  return out;
}

/**
 * The paths (inside root, canonical directories) to copy so that `path` works: each symlink in the chain of its
 * final component, then the file. Directory symlinks (merged /usr: /lib -> usr/lib) are resolved, not copied.
 */
export async function linkChain(root: string, path: string): Promise<string[]> {
  const out: string[] = [];
  let current = path;
  for (let hops = 0; hops < 40; hops++) {
    const canonical = posix.join(await canonicalDir(root, posix.dirname(current)), posix.basename(current));
    const st = await lstat(root + canonical).catch(() => null);
    if (!st) throw new EnvironmentError('rootfs', `${path} is missing from ${root} (looked for ${canonical})`, 'add the package that ships it to NODE_PACKAGES in kind/images/rootfs.ts');
    out.push(canonical);
    if (!st.isSymbolicLink()) return out;
    const target = await readlink(root + canonical);
    current = target.startsWith('/') ? target : posix.join(posix.dirname(canonical), target);
  }
  throw new Error(`too many symlinks resolving ${path} in ${root}`);
}

/** Shared objects a dynamically linked file needs, as ldd inside the rootfs names them (empty for static ones). */
export async function sharedLibraries(root: string, path: string): Promise<string[]> {
  const r = await execa('chroot', [root, '/usr/bin/ldd', path], { reject: false, all: true, env: { LANG: 'C' } });
  const text = r.all ?? '';
  if (/not a dynamic executable|statically linked/.test(text)) return [];
  if (r.exitCode !== 0) throw new EnvironmentError('ldd', `ldd ${path} in ${root} failed`, 'check the rootfs tarball (delete it from the cache to rebuild)', text.split('\n').slice(-5));
  const libs: string[] = [];
  for (const line of text.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(0x/.exec(line);
    if (m?.[1]) libs.push(m[1]);
    if (/=> not found/.test(line)) throw new EnvironmentError('ldd', `${path} needs a library the rootfs lacks: ${line.trim()}`, 'add its package to NODE_PACKAGES');
  }
  return libs;
}

/** Every path (canonical, inside root) to copy so that `paths` run: their link chains and library closures. */
export async function closure(root: string, paths: string[]): Promise<string[]> {
  const seen = new Set<string>();
  const queue = [...paths];
  while (queue.length) {
    const p = queue.shift()!;
    for (const q of await linkChain(root, p)) {
      if (seen.has(q)) continue;
      seen.add(q);
      const st = await lstat(root + q);
      if (st.isFile() && (st.mode & 0o111 || /\.so(\.|$)/.test(q))) queue.push(...(await sharedLibraries(root, q)));
    }
  }
  return [...seen].sort();
}

/** Copies `paths` (absolute, inside `from`) into `to` at the same places, symlinks as symlinks. */
export async function copyPaths(from: string, to: string, paths: string[]): Promise<void> {
  if (!paths.length) return;
  const list = paths.map((p) => `.${p}`).join('\n');
  const pack = execa('tar', ['-C', from, '--numeric-owner', '--no-recursion', '-cf', '-', '-T', '-'], { input: list, encoding: 'buffer' });
  const { stdout } = await pack;
  await execa('tar', ['-C', to, '--numeric-owner', '-xf', '-'], { input: stdout });
}
