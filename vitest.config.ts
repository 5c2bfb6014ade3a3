import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Vitest keeps a core for itself by default, which leaves one worker on a 2-core machine and doubles the unit
    // suite's wall time; its main process is idle while files run, so every core gets a worker.
    maxWorkers: '100%',
    projects: [
      {
        test: {
          name: 'unit',
          // Hermetic: no network, Go module cache, suite cache, Docker or browser (`.ci/run` proves it with empty
          // caches and GOPROXY=off). Whatever needs a real binary, module or image is an e2e file.
          include: ['**/*.test.ts'],
          exclude: ['node_modules/**'],
          environment: 'node',
          // A few tests start real child processes (tsx, bash with jq, node scripts taking signals): on a 2-core
          // machine busy with builds they take several seconds, which vitest's 5 s default turns into failures.
          // Time is measured by bench/, not by tests.
          testTimeout: 30_000,
          // One module graph per worker instead of one per file: importing client-node and the rest again for
          // each of ~90 files was most of the suite's time. Safe while no unit test mocks a module; tests that set
          // process.env restore it in afterEach.
          isolate: false,
          // removes each file's temporary directories (lib/test-temp.ts)
          setupFiles: ['lib/unit-setup.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          // After `provision`: real programs, images and modules. Files live next to their module or in e2e/.
          include: ['**/*.e2e.ts'],
          exclude: ['node_modules/**'],
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 900_000,
          pool: 'forks',
          fileParallelism: false,
          setupFiles: ['e2e/close-process-ledger.ts'],
        },
      },
    ],
  },
});
