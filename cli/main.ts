import { Command, CommanderError } from 'commander';
import { EnvironmentError, InputError } from '../lib/errors.ts';
import { commands } from './commands/index.ts';

/** The CLI: its global options and every command (the docs' test reads their flags from it). */
export function cliProgram(): Command {
  const program = new Command('cm-vault-e2e')
    .description("Prove on real clusters that cert-manager's Vault issuer and Vault's auth agree on JWT audiences.")
    .option('--scenarios <dir...>', 'extra scenario directories (added to the shipped catalogue)')
    .option('--versions <file>', 'versions file (default: versions.yaml of this package)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = cliProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return report(err);
  }
}

function report(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  if (err instanceof InputError) {
    process.stderr.write(err.format() + '\n');
    return 2;
  }
  if (err instanceof EnvironmentError) {
    process.stderr.write(err.format() + '\n');
    return 3;
  }
  throw err;
}
