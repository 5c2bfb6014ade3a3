import type { ChecksumFormat } from './sources.ts';

const HEX64 = /^[0-9a-fA-F]{64}$/;

/**
 * The SHA-256 a published checksum file gives for `name` (lower-case hex). `bare`: the first token is the digest;
 * `sums`: the line whose file name (after `sha256sum`'s two spaces or `shasum`'s ` *`, any directory dropped) is `name`.
 */
export function expectedSha256(text: string, format: ChecksumFormat, name: string): string {
  if (format === 'bare') {
    const token = text.trim().split(/\s+/)[0] ?? '';
    if (!HEX64.test(token)) throw new Error(`the checksum file does not start with a SHA-256 (got "${token.slice(0, 80)}")`);
    return token.toLowerCase();
  }
  for (const line of text.split('\n')) {
    const m = /^([0-9a-fA-F]{64})\s+\*?(.+?)\s*$/.exec(line.trim());
    if (!m) continue;
    const file = m[2]!.split('/').pop();
    if (file === name) return m[1]!.toLowerCase();
  }
  throw new Error(`the checksum file lists no ${name}`);
}
