import type { Command } from 'commander';
import { registerList } from './list.ts';
import { registerExplain } from './explain.ts';
import { registerMatrix } from './matrix.ts';

export const commands: Array<(program: Command) => void> = [registerList, registerExplain, registerMatrix];
