// Zip archives for the unit tests of the archive readers, written by yazl (a maintained writer, so the reader is
// checked against archives it did not make itself).
import yazl from 'yazl';

export interface ZipFixtureFile {
  name: string;
  data: Buffer;
  /** Deflated (true) or stored. */
  deflate: boolean;
}

/** The zip holding `files`; `zip64` writes the zip64 records even where sizes do not need them. */
export async function zipOf(files: readonly ZipFixtureFile[], opts: { zip64?: boolean } = {}): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const f of files) zip.addBuffer(f.data, f.name, { compress: f.deflate, forceZip64Format: !!opts.zip64, mtime: new Date(0) });
  zip.end({ forceZip64Format: !!opts.zip64, comment: '' });
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
