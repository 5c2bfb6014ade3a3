import { InputError } from '../errors.ts';

/** The InputError `f` throws (other errors pass through); fails when it throws none. */
export function inputErrorOf(f: () => unknown): InputError {
  try {
    f();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

/** The InputError `p` rejects with (other errors pass through); fails when it resolves. */
export async function inputErrorFrom(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}
