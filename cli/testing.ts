// For the CLI's unit tests: run `main` with stdout and stderr captured.
import { afterEach, beforeEach, vi } from 'vitest';
import { main } from './main.ts';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Captures process output around each test; returns `cli(...args)`. */
export function cliHarness(): (...args: string[]) => Promise<Run> {
  let out: string[] = [];
  let err: string[] = [];
  beforeEach(() => {
    out = [];
    err = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });
  return async (...args: string[]) => {
    process.exitCode = undefined;
    out = [];
    err = [];
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  };
}
