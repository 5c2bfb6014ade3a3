import { execa } from 'execa';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../lib/package-root.ts';
import { signalExitCode, STOP_SIGNALS } from './interrupt.ts';

/** A node process taking the run's stop as run.ts does (cli/test-support/stop-child.ts), its output as it comes. */
async function child(unwindMs: number) {
  const proc = execa(process.execPath, ['--import', 'tsx', join(PACKAGE_ROOT, 'cli/test-support/stop-child.ts'), String(unwindMs)], { reject: false, all: true, stdin: 'ignore', cwd: PACKAGE_ROOT, timeout: 60_000 });
  let out = '';
  proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  const until = async (text: string) => {
    const deadline = Date.now() + 30_000;
    while (!out.includes(text)) {
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`no "${text}" from the child: ${out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await until('ready');
  return { proc, until, out: () => out };
}

/** Sends the signals one after the other, each once the child has said it took the one before. */
async function signalled(c: Awaited<ReturnType<typeof child>>, signals: NodeJS.Signals[]) {
  for (const [i, s] of signals.entries()) {
    c.proc.kill(s);
    if (i < signals.length - 1) await c.until(i === 0 ? `interrupted (${s})` : `${s} again`);
  }
  return { r: await c.proc, out: c.out() };
}

describe('a run stops the same way on SIGINT, SIGTERM and SIGHUP (issue 29 finding 9)', () => {
  it('exits 128 + the signal, as a shell reports it', () => {
    expect(STOP_SIGNALS.map(signalExitCode)).toEqual([130, 143, 129]);
  });

  it.each(STOP_SIGNALS)('%s: unwinds first, then exits 128 + its number', async (signal) => {
    const c = await child(200);
    c.proc.kill(signal);
    const r = await c.proc;
    expect(r.exitCode, r.all).toBe(signalExitCode(signal));
    expect(c.out()).toContain(`interrupted (${signal}): stopping environments and removing what this run made`);
    expect(c.out()).toContain('unwound');
  }, 60_000);

  it("a second signal while unwinding (CI's SIGINT then SIGTERM) only says so; the unwinding goes on to its end", async () => {
    const { r, out } = await signalled(await child(1_500), ['SIGINT', 'SIGTERM']);
    expect(out).toContain('SIGTERM again: still removing what this run made; a third signal exits at once');
    expect(out).toContain('unwound');
    expect(r.exitCode, r.all).toBe(130);
  }, 60_000);

  it('a third signal exits at once, leaving the rest to the next run', async () => {
    const { r, out } = await signalled(await child(30_000), ['SIGTERM', 'SIGTERM', 'SIGTERM']);
    expect(out).toContain('SIGTERM: exiting now; the next run (or `npx cm-vault-e2e clean`) removes what this run left');
    expect(out).not.toContain('unwound');
    expect(r.exitCode, r.all).toBe(143);
  }, 60_000);
});
