import { execa } from 'execa';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw } from 'node:zlib';

/** Takes one member out of a .tar.gz (GNU tar, as the kind image builds use). */
export async function extractTarGz(archive: string, member: string, dest: string): Promise<void> {
  const tmp = await mkdtemp(join(dirname(dest), '.untar-'));
  try {
    const r = await execa('tar', ['-xzf', archive, '-C', tmp, member], { reject: false, all: true });
    if (r.exitCode !== 0) throw new Error(`${member} not taken out of the archive: ${(r.all ?? '').trim().split('\n').slice(-2).join(' ')}`);
    await rename(join(tmp, member), dest);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeader: number;
}

/** The central directory of a zip (no zip64: every archive read here is far below 4 GiB). */
async function zipEntries(archive: string): Promise<ZipEntry[]> {
  const fh = await open(archive, 'r');
  try {
    const { size } = await fh.stat();
    const tailLen = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error('not a zip archive (no end of central directory)');
    const count = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (cdOffset === 0xffffffff || count === 0xffff) throw new Error('zip64 archives are not supported');
    const cd = Buffer.alloc(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (cd.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt zip central directory');
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      entries.push({
        method: cd.readUInt16LE(p + 10),
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
        localHeader: cd.readUInt32LE(p + 42),
        name: cd.toString('utf8', p + 46, p + 46 + nameLen),
      });
      p += 46 + nameLen + extraLen + commentLen;
    }
    return entries;
  } finally {
    await fh.close();
  }
}

/** Takes one member out of a zip (stored or deflated), streaming. */
export async function extractZip(archive: string, member: string, dest: string): Promise<void> {
  const entry = (await zipEntries(archive)).find((e) => e.name === member);
  if (!entry) throw new Error(`${member} is not in the archive`);
  if (entry.method !== 0 && entry.method !== 8) throw new Error(`${member}: unsupported zip compression method ${entry.method}`);
  const fh = await open(archive, 'r');
  let dataStart: number;
  try {
    const header = Buffer.alloc(30);
    await fh.read(header, 0, 30, entry.localHeader);
    if (header.readUInt32LE(0) !== 0x04034b50) throw new Error('corrupt zip local header');
    dataStart = entry.localHeader + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  } finally {
    await fh.close();
  }
  await mkdir(dirname(dest), { recursive: true });
  const raw = entry.compressedSize === 0 ? null : createReadStream(archive, { start: dataStart, end: dataStart + entry.compressedSize - 1 });
  if (!raw) {
    await pipeline(new PassThrough().end(), createWriteStream(dest));
  } else {
    await pipeline(raw, entry.method === 8 ? createInflateRaw() : new PassThrough(), createWriteStream(dest));
  }
  const written = (await stat(dest)).size;
  if (written !== entry.size) throw new Error(`${member}: unpacked ${written} bytes, the archive says ${entry.size}`);
}
