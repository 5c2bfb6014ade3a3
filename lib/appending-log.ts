import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/**
 * An append-only log file read as it grows. Every scenario running side by side reads the API server's and Vault's
 * logs again and again while it waits for a line; reading whole files each time made that cost grow with the log
 * and with the number of scenarios. Here a read takes only the bytes written since the last one and keeps the
 * complete lines so far, so positions (`markLogs`) stay valid indexes into one growing list.
 *
 * A line is complete at its newline: a half-written last line waits for the next read. Reads are queued, each one
 * starting after the call that asked for it, so a caller never gets a read begun before its call.
 *
 * When the path names another file than last time (rotated) or the file got shorter (truncated), reading starts
 * again at that file's beginning; the lines read so far stay. What the old file gained between the last read and
 * its rotation is not read.
 */
export class AppendingLog {
  private readonly all: string[] = [];
  private ino?: number;
  private offset = 0;
  private partial = '';
  private decoder = new StringDecoder('utf8');
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * `toLine`: each raw line as it is kept (redacted, unwrapped), or undefined to skip it; applied once per line.
   */
  constructor(
    private readonly path: string,
    private readonly toLine: (raw: string) => string | undefined = (l) => l,
  ) {}

  /** The complete lines so far, in file order (a copy). A missing file has none. */
  async lines(): Promise<string[]> {
    const read = this.queue.then(() => this.catchUp());
    this.queue = read.catch(() => undefined);
    await read;
    return this.all.slice();
  }

  private async catchUp(): Promise<void> {
    const handle = await open(this.path, 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (!handle) return;
    try {
      const { ino, size } = await handle.stat();
      if (ino !== this.ino || size < this.offset) this.restart(ino);
      const chunk = Buffer.allocUnsafe(1 << 20);
      for (;;) {
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, this.offset);
        if (!bytesRead) return;
        this.offset += bytesRead;
        this.take(this.decoder.write(chunk.subarray(0, bytesRead)));
      }
    } finally {
      await handle.close();
    }
  }

  /** Another file under the path (or the same one truncated): what was left of a line ends with it. */
  private restart(ino: number) {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest) this.take(`${rest}\n`);
    this.ino = ino;
    this.offset = 0;
    this.decoder = new StringDecoder('utf8');
  }

  private take(text: string) {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop()!;
    for (const raw of parts) {
      const line = this.toLine(raw);
      if (line !== undefined) this.all.push(line);
    }
  }
}
