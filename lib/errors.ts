/**
 * Bad input: the user can fix it. The CLI prints `format()` and exits 2, never a stack trace.
 */
export class InputError extends Error {
  constructor(
    readonly where: { file: string; line?: number; field?: string },
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${InputError.location(where)}: ${problem}`);
    this.name = 'InputError';
  }

  static location(where: { file: string; line?: number; field?: string }): string {
    const at = where.line ? `${where.file}:${where.line}` : where.file;
    return where.field ? `${at} (${where.field})` : at;
  }

  format(): string {
    return `error: ${InputError.location(this.where)}: ${this.problem}\n  fix: ${this.fix}`;
  }
}

/** A real component misbehaved or is missing: the message says which one and what to do. */
export class EnvironmentError extends Error {
  constructor(
    readonly component: string,
    readonly problem: string,
    readonly advice: string,
    readonly evidence: string[] = [],
  ) {
    super(`${component}: ${problem}`);
    this.name = 'EnvironmentError';
  }

  format(): string {
    const tail = this.evidence.length ? `\n  last lines:\n${this.evidence.map((l) => `    ${l}`).join('\n')}` : '';
    return `error: ${this.component}: ${this.problem}\n  do: ${this.advice}${tail}`;
  }
}
