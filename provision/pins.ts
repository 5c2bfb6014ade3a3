import { InputError } from '../lib/errors.ts';
import { loadVersions, type Versions } from '../scenarios/versions.ts';
import type { Pins } from './recipes/index.ts';

/** The versions file as provisioning needs it: every component resolved to build inputs. */
export function pinsOf(v: Versions): Pins {
  const single = (name: string) => {
    const p = v.pinned[name];
    if (!p) throw new InputError({ file: v.file, field: name }, `no ${name} pinned`, `add \`${name}: { version: vX.Y.Z }\``);
    return p.version;
  };
  return {
    kubernetes: v.kubernetes.versions,
    etcd: single('etcd'),
    coredns: single('coredns'),
    kind: single('kind'),
    helm: single('helm'),
    ...(v.pinned.helm4 ? { helm4: v.pinned.helm4.version } : {}),
    crictl: single('crictl'),
    certManager: v.certManager.versions.map((version) => {
      const entry = v.certManager.entries[version];
      const commit = entry?.commit;
      // A tag whose commit no source here names may say why instead; its binaries then report an empty git commit.
      if (!commit && typeof entry?.commitUnknown === 'string' && entry.commitUnknown.trim()) return { version, commit: '' };
      if (!commit) {
        throw new InputError({ file: v.file, field: `certManager.versions.${version}.commit` }, 'no commit for this cert-manager version', 'add the release tag’s commit hash (the launcher records it as the controller’s git commit), or `commitUnknown: <why>` when no source names it');
      }
      return { version, commit };
    }),
    vault: v.vault.versions.map((version) => ({ version, replace: v.vault.entries[version]?.replace as Record<string, string> | undefined })),
    openbao: v.openbao.versions,
  };
}

export async function loadPins(file?: string): Promise<Pins> {
  return pinsOf(loadVersions(file));
}
