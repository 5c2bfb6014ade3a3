/**
 * Upstream end-of-life dates of release lines, as data: each date with the page that states it.
 * Only lines whose date is published are listed; a line missing here has no known date (the radar says so).
 */
export interface EolEntry {
  component: string;
  /** `vMAJOR.MINOR` */
  line: string;
  /** ISO date (UTC) from which the line gets no more fixes. */
  date: string;
  source: string;
}

const K8S = (minor: number) => `https://kubernetes.io/releases/1.${minor}/ (End Of Life Date)`;
// cert-manager supports a minor until the release of minor+2; the date is that release's tag time.
const CM = (plus2: string) => `https://cert-manager.io/docs/releases/ ("End of Life: Release of ${plus2}"), tag time of ${plus2}.0 from the Go module proxy`;

export const EOL: readonly EolEntry[] = [
  { component: 'kubernetes', line: 'v1.33', date: '2026-06-28', source: K8S(33) },
  { component: 'kubernetes', line: 'v1.34', date: '2026-10-27', source: K8S(34) },
  { component: 'kubernetes', line: 'v1.35', date: '2027-02-28', source: K8S(35) },
  { component: 'certManager', line: 'v1.14', date: '2024-10-02', source: CM('v1.16') },
  { component: 'certManager', line: 'v1.15', date: '2025-01-28', source: CM('v1.17') },
  { component: 'certManager', line: 'v1.16', date: '2025-06-10', source: CM('v1.18') },
  { component: 'certManager', line: 'v1.17', date: '2025-10-07', source: CM('v1.19') },
  { component: 'certManager', line: 'v1.18', date: '2026-03-10', source: CM('v1.20') },
  { component: 'certManager', line: 'v1.19', date: '2026-07-08', source: CM('v1.21') },
];

export function eolOf(component: string, line: string, table: readonly EolEntry[] = EOL): EolEntry | undefined {
  return table.find((e) => e.component === component && e.line === line);
}
