// The unit project's setup file: runs in every test file, so each file's temporary directories go when it ends.
import { afterAll } from 'vitest';
import { removeTestTempDirs } from './test-temp.ts';

afterAll(removeTestTempDirs);
