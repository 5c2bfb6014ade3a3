import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/**
 * The lines of a log followed as it is written (a container's `docker logs --follow` stream), kept from the first
 * so that positions stay valid indexes, each mapped once as it arrives (redacted). A half-written last line waits
 * for its newline. `following` turns false when the stream ended or failed: from then on what was kept is all this
 * will ever hold, and a caller that still needs new lines reads them another way.
 */
export class FollowedLines {
  private readonly all: string[] = [];
  private open = true;

  constructor(input: Readable, toLine: (raw: string) => string | undefined = (l) => l) {
    const close = () => {
      this.open = false;
    };
    // readline passes its input's error on to the interface: both are handled, either ends the following
    input.on('error', close);
    createInterface({ input, crlfDelay: Infinity })
      .on('error', close)
      .on('line', (raw) => {
        const line = toLine(raw);
        if (line !== undefined) this.all.push(line);
      })
      .once('close', close);
  }

  get following(): boolean {
    return this.open;
  }

  /** The complete lines so far (a copy). */
  lines(): string[] {
    return this.all.slice();
  }
}
