import { afterAll } from 'vitest';
import { closeProcessLedger } from '../runner/environment-spec.ts';

// Vitest stops its fork workers without an 'exit' event, so each e2e file closes the process ledger itself. Setup
// files' after-hooks run last (hooks unwind as a stack), after the file's own teardown has undone what it made.
afterAll(closeProcessLedger);
