import { type EolEntry, EOL, eolOf } from './eol.ts';
import { compareVersions, lineOf, newest, parseRelease, releaseText, type SemVer } from '../../lib/semver.ts';
import type { RadarComponent, RegistrySource } from './sources.ts';

/** One registry's answer for one component: the versions it lists, or why it did not answer. */
export type Listing = { ok: true; versions: string[] } | { ok: false; registry: string; problem: string };

/** Fetches the published versions of one source; never throws (failures are a Listing). */
export type Fetcher = (source: RegistrySource) => Promise<Listing>;

/**
 * Whether the registry answers for one exact version. A proxy's version list can be partial (it lists what it has
 * cached), so the patch after a pin's newest listed one is asked for directly, once per pin.
 */
export type Prober = (source: RegistrySource, version: string) => Promise<boolean>;

export interface PinRow {
  version: string;
  line: string;
  /** Newest release the registry lists in this pin's line (absent: the line is not listed). */
  newestPatch?: string;
  /** A newer patch of the pinned line is published. */
  patchBehind: boolean;
  /** The patch after the newest listed one, which the registry serves although its list leaves it out. */
  unlisted?: string;
  /** Why the newest patch is not pinned: it was tried here and does not build (versions.yaml `tried`). */
  triedWhy?: string;
  /** The newest patch is pinned too, beside this one (an upgrade's from-version, say). */
  newestPinned?: boolean;
  eol?: { date: string; source: string; past: boolean };
}

export interface ComponentRow {
  name: string;
  source: string;
  default?: string;
  pins: PinRow[];
  /** Newest release the registry lists at all. */
  newest?: string;
  /** Release lines newer than every pin. */
  newerLines: string[];
  /** Set when the registry did not answer: nothing else is known. */
  failure?: { registry: string; problem: string };
}

export interface Radar {
  /** The day EOL dates were compared with (YYYY-MM-DD, UTC). */
  today: string;
  components: ComponentRow[];
}

export function radarRow(c: RadarComponent, sourceName: string, listing: Listing, today: string, eol: readonly EolEntry[] = EOL): ComponentRow {
  const base = { name: c.name, source: sourceName, ...(c.default ? { default: c.default } : {}) };
  const pinRows = (published: SemVer[]): PinRow[] =>
    c.pinned.map((version) => {
      const r = parseRelease(version);
      const line = r ? lineOf(r) : version;
      // A pin the (partial) list does not reach yet is itself the newest known of its line.
      const listed = published.length ? newest(published, line) : undefined;
      const top = listed && r && compareVersions(r, listed) > 0 ? r : listed;
      const e = eolOf(c.name, line, eol);
      return {
        version,
        line,
        ...(top ? { newestPatch: releaseText(top) } : {}),
        patchBehind: !!(r && top && compareVersions(top, r) > 0),
        ...(e ? { eol: { date: e.date, source: e.source, past: e.date <= today } } : {}),
      };
    });
  if (!listing.ok) return { ...base, pins: pinRows([]), newerLines: [], failure: { registry: listing.registry, problem: listing.problem } };
  const published = listing.versions.map(parseRelease).filter((r): r is SemVer => !!r);
  const top = newest(published);
  const pinnedReleases = c.pinned.map(parseRelease).filter((r): r is SemVer => !!r);
  const highestPin = newest(pinnedReleases);
  const newer = published.filter((r) => !highestPin || r.major > highestPin.major || (r.major === highestPin.major && r.minor > highestPin.minor));
  const newerLines = [...new Set(newer.sort(compareVersions).map(lineOf))];
  return { ...base, pins: pinRows(published), ...(top ? { newest: releaseText(top) } : {}), newerLines };
}

/** Asks every component's registry and compares its answer with the pins. */
export async function buildRadar(
  components: RadarComponent[],
  fetcher: Fetcher,
  opts: { today: string; sourceName: (c: RadarComponent) => string; eol?: readonly EolEntry[]; probe?: Prober },
): Promise<Radar> {
  const listings = await Promise.all(components.map((c) => fetcher(c.source)));
  const rows = components.map((c, i) => radarRow(c, opts.sourceName(c), listings[i]!, opts.today, opts.eol));
  if (opts.probe) {
    const probe = opts.probe;
    await Promise.all(rows.flatMap((row, i) => (row.failure ? [] : row.pins.map((pin) => probeNextPatch(components[i]!.source, pin, probe)))));
  }
  // after probing: the newest patch is known only then
  components.forEach((c, i) => {
    for (const pin of rows[i]!.pins) {
      if (!pin.patchBehind || !pin.newestPatch) continue;
      if (c.pinned.includes(pin.newestPatch)) pin.newestPinned = true;
      const why = c.tried?.[pin.newestPatch];
      if (why) pin.triedWhy = why;
    }
  });
  return { today: opts.today, components: rows };
}

/** Patches asked for beyond the list, one after another until the registry does not answer, at most this many. */
const MAX_PROBES = 8;

/** Asks for the patches after the newest the list shows for this pin's line (or after the pin itself). */
async function probeNextPatch(source: RegistrySource, pin: PinRow, probe: Prober): Promise<void> {
  // From the newer of the pin and the newest listed patch: a pin may itself be newer than the list.
  const pinned = parseRelease(pin.version);
  const listed = pin.newestPatch ? parseRelease(pin.newestPatch) : undefined;
  const base = pinned && listed && compareVersions(listed, pinned) > 0 ? listed : pinned;
  if (!base) return;
  for (let patch = base.patch + 1; patch <= base.patch + MAX_PROBES; patch++) {
    const next = releaseText({ ...base, patch });
    if (!(await probe(source, next))) return;
    pin.unlisted = next;
    pin.newestPatch = next;
    pin.patchBehind = true;
  }
}

/** A newer patch someone can pin: behind, not pinned already, and not one tried here that does not build. */
export const actionable = (p: PinRow) => p.patchBehind && !p.newestPinned && !p.triedWhy;

/**
 * `versions --check`: 3 when a registry did not answer, 1 when a pinned line has a newer patch not recorded as
 * tried (a nightly job stays red only while there is something to do), else 0.
 */
export function radarExitCode(r: Radar): 0 | 1 | 3 {
  if (r.components.some((c) => c.failure)) return 3;
  return r.components.some((c) => c.pins.some(actionable)) ? 1 : 0;
}
