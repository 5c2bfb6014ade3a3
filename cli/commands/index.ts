import type { Command } from 'commander';
import { registerClean } from './clean.ts';
import { registerDoctor } from './doctor.ts';
import { registerExplain } from './explain.ts';
import { registerGate } from './gate.ts';
import { registerDiagnose } from './diagnose.ts';
import { registerList } from './list.ts';
import { registerMatrix } from './matrix.ts';
import { registerProvision } from './provision.ts';
import { registerRun } from './run.ts';
import { registerVersions } from './versions.ts';

export const commands: Array<(program: Command) => void> = [registerList, registerExplain, registerMatrix, registerProvision, registerDoctor, registerRun, registerClean, registerGate, registerDiagnose, registerVersions];
