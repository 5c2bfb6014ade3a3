import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // Hermetic: no network, Go module cache, suite cache, Docker or browser (`.ci/run` proves it with empty
          // caches and GOPROXY=off). Whatever needs a real binary, module or image is an e2e file.
          include: ['**/*.test.ts'],
          exclude: ['node_modules/**'],
          environment: 'node',
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
        },
      },
    ],
  },
});
