import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shipped catalogue and cluster profiles. */
export const CATALOGUE_DIR = fileURLToPath(new URL('./catalogue/', import.meta.url));
export const PROFILES_DIR = fileURLToPath(new URL('./profiles/', import.meta.url));

/** A path as the user should see it: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
