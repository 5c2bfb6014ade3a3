// Members taken out of release archives and wheels by maintained readers: `tar` (npm's own) for .tar.gz, `yauzl`
// for zips (zip64 too; it checks each member's sizes as it streams). Nothing is unpacked but what is asked for.
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { x as untar } from 'tar';
import yauzl from 'yauzl';

/** Takes one member out of a .tar.gz. */
export async function extractTarGz(archive: string, member: string, dest: string): Promise<void> {
  const tmp = await mkdtemp(join(dirname(dest), '.untar-'));
  try {
    await untar({ file: archive, cwd: tmp, strict: true }, [member]);
    // a member the archive lacks extracts nothing
    if (!existsSync(join(tmp, member))) throw new Error(`${member} is not in the archive`);
    await rename(join(tmp, member), dest);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** One member wanted from a zip, and where it goes. */
export interface ZipMember {
  member: string;
  dest: string;
}

/** Whether a zip entry is the member asked for: by default its exact name. */
export type MemberMatch = (entryName: string, member: string) => boolean;

/** Takes members out of a zip, streaming; the first entry each `matches` is taken. Throws naming a member not there. */
export async function extractZipMembers(archive: string, wanted: readonly ZipMember[], matches: MemberMatch = (name, member) => name === member): Promise<void> {
  const zip = await yauzl.openPromise(archive, { lazyEntries: true, autoClose: false });
  try {
    const left = [...wanted];
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue;
      for (const w of left.filter((x) => matches(entry.fileName, x.member))) {
        left.splice(left.indexOf(w), 1);
        await mkdir(dirname(w.dest), { recursive: true });
        await pipeline(await zip.openReadStreamPromise(entry), createWriteStream(w.dest));
      }
      if (!left.length) break;
    }
    if (left.length) throw new Error(`${left.map((w) => w.member).join(', ')} ${left.length > 1 ? 'are' : 'is'} not in the archive`);
  } finally {
    zip.close();
  }
}

/** Takes one member out of a zip, by its exact name. */
export async function extractZip(archive: string, member: string, dest: string): Promise<void> {
  await extractZipMembers(archive, [{ member, dest }]);
}
