// A stand-in for `run` in cli/interrupt.test.ts: takes the run's stop as run.ts does, "unwinds" for argv[2] ms once
// stopped, then exits with the stop's code.
import { stopOnSignals } from '../interrupt.ts';

const stopping = stopOnSignals({ log: (l) => process.stdout.write(`${l.trim()}\n`) });
// the work a run does keeps it alive until stopped
const working = setInterval(() => {}, 1000);
process.stdout.write('ready\n');
await new Promise((resolve) => stopping.signal.addEventListener('abort', resolve, { once: true }));
await new Promise((resolve) => setTimeout(resolve, Number(process.argv[2] ?? '300')));
process.stdout.write('unwound\n');
clearInterval(working);
stopping.dispose();
process.exitCode = stopping.exitCode;
