/**
 * How a run stops early and still removes what it made. SIGINT (Ctrl-C), SIGTERM (how CI cancels a job: GitHub
 * Actions sends SIGINT then SIGTERM, GitLab and Kubernetes SIGTERM) and SIGHUP (its terminal closed) all do the
 * same: the run's AbortSignal fires, environments stop, everything in the ledger is undone, and the process exits
 * 128 + the signal's number (130, 143, 129), as a shell reports a process the signal ended. A second signal while
 * that goes on only says so (a CI's SIGINT-then-SIGTERM must not cut the unwinding short); a third exits at once,
 * leaving what is left in the ledger for the next run's reaping or `clean`.
 */
import { constants } from 'node:os';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** 128 + the signal's number: what a shell reports for a process that signal ended. */
export function signalExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}

export interface RunStop {
  /** Aborted by the first signal, or by `stop`. */
  readonly signal: AbortSignal;
  /** The exit code the first stop asked for (128 + signal, or the caller's), undefined while none came. */
  readonly exitCode: number | undefined;
  /** Stops the run for a reason of the caller's (a lost Lease), failing it with `exitCode`. */
  stop(why: string, exitCode: number): void;
  /** Removes the signal handlers (the run has unwound; a signal from here on ends the process as usual). */
  dispose(): void;
}

export interface StopOptions {
  log: (line: string) => void;
  /** Ends the process at the third signal (default process.exit). */
  exitNow?: (code: number) => void;
  /** Where signals arrive (default this process). */
  on?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
}

export function stopOnSignals(o: StopOptions): RunStop {
  const controller = new AbortController();
  const target = o.on ?? process;
  const exitNow = o.exitNow ?? ((code: number) => process.exit(code));
  let exitCode: number | undefined;
  let signals = 0;
  const stop = (why: string, code: number) => {
    if (controller.signal.aborted) return;
    exitCode = code;
    o.log(why);
    controller.abort();
  };
  const handlers = STOP_SIGNALS.map((s) => {
    const handler = () => {
      signals++;
      if (signals === 1) stop(`\ninterrupted (${s}): stopping environments and removing what this run made…`, signalExitCode(s));
      else if (signals === 2) o.log(`${s} again: still removing what this run made; a third signal exits at once and leaves the rest to the next run (or \`npx cm-vault-e2e clean\`)`);
      else {
        o.log(`${s}: exiting now; the next run (or \`npx cm-vault-e2e clean\`) removes what this run left`);
        exitNow(exitCode ?? signalExitCode(s));
      }
    };
    target.on(s, handler);
    return [s, handler] as const;
  });
  return {
    signal: controller.signal,
    get exitCode() {
      return exitCode;
    },
    stop,
    dispose: () => {
      for (const [s, h] of handlers) target.off(s, h);
    },
  };
}
