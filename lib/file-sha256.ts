import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The SHA-256 of a file's bytes, in hex. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const memos = new Map<string, Promise<Map<string, string>>>();

/**
 * sha256File, remembered by path, size, modification time and inode — in memory, and in `memoFile` for later
 * processes. Image keys hash the same few hundred MB of provisioned binaries at every run's start, and those never
 * change in place (a rebuild publishes new files), so a file whose metadata is unchanged is not read again.
 */
export async function rememberedSha256(path: string, memoFile: string): Promise<string> {
  const s = await stat(path);
  const key = `${path}:${s.size}:${s.mtimeMs}:${s.ino}`;
  let loading = memos.get(memoFile);
  if (!loading) {
    loading = readFile(memoFile, 'utf8').then((t) => new Map(Object.entries(JSON.parse(t) as Record<string, string>)), () => new Map<string, string>());
    memos.set(memoFile, loading);
  }
  const memo = await loading;
  const known = memo.get(key);
  if (known) return known;
  const hex = await sha256File(path);
  memo.set(key, hex);
  await remember(memoFile, memo);
  return hex;
}

let writes = 0;

/**
 * Replaces the memo file whole, through a temp file of its own (hashes of one process run side by side). Two
 * writers at once lose at most each other's new entries, which are hashed again; a memo that cannot be written
 * costs time only, so that is not an error.
 */
async function remember(memoFile: string, memo: Map<string, string>): Promise<void> {
  const tmp = `${memoFile}.${process.pid}.${++writes}`;
  try {
    await mkdir(dirname(memoFile), { recursive: true });
    await writeFile(tmp, JSON.stringify(Object.fromEntries(memo)));
    await rename(tmp, memoFile);
  } catch {
    await rm(tmp, { force: true });
  }
}
