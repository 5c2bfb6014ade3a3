import { isAbsolute, relative } from 'node:path';
import { packageFile } from '../lib/package-root.ts';

/** The shipped catalogue and cluster profiles. */
export const CATALOGUE_DIR = packageFile('scenarios', 'catalogue');
export const PROFILES_DIR = packageFile('scenarios', 'profiles');

/** A path as the user should see it: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
