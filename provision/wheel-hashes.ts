// pip checks a wheel against a hash only where the page that links it carries one, and this machine's pip also
// looks in a local `find-links` directory whose files carry none: a wheel found there would be used unchecked.
// So every wheel is checked here against the SHA-256 the index publishes for that file name (PyPI's JSON API,
// the source pip downloads from), and refused on a mismatch or a file the index does not list. The digests are
// not pinned in versions.yaml: none could be read on the machine this was written on without trusting the same
// download, which would pin whatever it served.
import { basename } from 'node:path';
import { EnvironmentError } from '../lib/errors.ts';
import { sha256File } from '../lib/file-sha256.ts';
import { fetchText } from './official/fetch.ts';

/** PyPI's JSON API for a project: `releases` maps each version to its files and their digests. */
export const PYPI_JSON = 'https://pypi.org/pypi';

/** `project==version`, as a wheel recipe's requirement names it. */
export function parseRequirement(requirement: string): { project: string; version: string } {
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!-]+)$/.exec(requirement.trim());
  if (!m) throw new Error(`"${requirement}" is not project==version`);
  return { project: m[1]!, version: m[2]! };
}

type IndexFile = { filename?: unknown; digests?: { sha256?: unknown } };

/** File name -> SHA-256 (hex) of each file of `version`, from the index's JSON answer for the project. */
export function parsePublishedHashes(json: string, version: string): Map<string, string> {
  const files = (JSON.parse(json) as { releases?: Record<string, IndexFile[]> }).releases?.[version] ?? [];
  const out = new Map<string, string>();
  for (const f of files) {
    if (typeof f.filename === 'string' && typeof f.digests?.sha256 === 'string' && /^[0-9a-f]{64}$/.test(f.digests.sha256)) out.set(f.filename, f.digests.sha256);
  }
  if (!out.size) throw new Error(`the index lists no file with a SHA-256 for version ${version}`);
  return out;
}

export type TextFetcher = (url: string) => Promise<string>;

/** The digests the index publishes for `requirement`'s files; an unreachable index is an error, never a pass. */
export async function publishedWheelHashes(requirement: string, fetch: TextFetcher = (url) => fetchText(url)): Promise<Map<string, string>> {
  const { project, version } = parseRequirement(requirement);
  // the project's document, not the release's (`/<project>/<version>/json`), which the index this was written
  // against does not serve
  const url = `${PYPI_JSON}/${project}/json`;
  try {
    return parsePublishedHashes(await fetch(url), version);
  } catch (err) {
    throw new EnvironmentError(project, `could not read the SHA-256 the index publishes for ${requirement} (${url}): ${(err as Error).message}`, 'check that this machine reaches the Python package index; a wheel is not used unchecked');
  }
}

/** Refuses a wheel whose SHA-256 is not what the index publishes for its file name. */
export async function verifyWheel(path: string, published: ReadonlyMap<string, string>, requirement: string): Promise<void> {
  const name = basename(path);
  const expected = published.get(name);
  const what = requirement.split('==')[0]!;
  if (!expected) {
    throw new EnvironmentError(what, `pip fetched ${name}, which the index does not list for ${requirement} (it lists ${[...published.keys()].join(', ')})`, 'remove that file from pip\'s find-links directory or cache, then run provision again');
  }
  const got = await sha256File(path);
  if (got !== expected) {
    throw new EnvironmentError(what, `${name}: SHA-256 ${got} is not the ${expected} the index publishes; the wheel was not used`, 'remove that file from pip\'s find-links directory or cache, then run provision again; if it persists, report it');
  }
}
