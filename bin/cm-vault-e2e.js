#!/usr/bin/env node
// Runs the TypeScript CLI directly: no build step between a clone and `npx cm-vault-e2e`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
