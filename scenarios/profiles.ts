import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../lib/errors.ts';
import type { ClusterProfile } from './types.ts';
import { displayPath, PROFILES_DIR } from './paths.ts';
import { FIX, firstError, zodProblems } from './zod-errors.ts';
import { readYamlFile } from './yaml-source.ts';

/** The profile whose issuer and audiences come from the scenario itself. */
export const CUSTOM_PROFILE = 'custom';

const Url = z.url({ error: `must be an absolute URL${FIX}write it like https://issuer.example.com` });

const ProfileFile = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, `must be lowercase letters, digits and dashes${FIX}rename it, e.g. gke-like`),
  description: z.string().min(1),
  serviceAccountIssuer: Url,
  apiAudiences: z.array(z.string().min(1)).min(1),
  /** Where the profile's values come from. */
  references: z.array(z.string()).optional(),
});

/** Every cluster profile in `dir`, by name: one YAML file per profile, named after it. */
export function loadProfiles(dir: string = PROFILES_DIR): Map<string, ClusterProfile> {
  const profiles = new Map<string, ClusterProfile>();
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  for (const name of files) {
    const file = join(dir, name);
    const label = displayPath(file);
    const [doc, ...rest] = readYamlFile(file, label);
    if (!doc || rest.length) throw new InputError({ file: label }, 'a profile file holds exactly one YAML document', 'keep one mapping per file');
    const value = doc.value;
    const parsed = ProfileFile.safeParse(value);
    const where = { file: label, lineAt: (p: ReadonlyArray<string | number>) => doc.lineAt(p) };
    if (!parsed.success) throw firstError(zodProblems(parsed.error.issues, ProfileFile, value), where)!;
    const stem = basename(name).replace(/\.ya?ml$/, '');
    if (parsed.data.name !== stem) {
      throw new InputError({ file: label, line: doc.lineAt(['name']), field: 'name' }, `profile name \`${parsed.data.name}\` differs from its file name`, `rename the file to ${parsed.data.name}.yaml or set name: ${stem}`);
    }
    if (stem === CUSTOM_PROFILE) {
      throw new InputError({ file: label, field: 'name' }, '`custom` is reserved for scenarios that carry their own issuer', 'choose another name');
    }
    const { references: _references, ...profile } = parsed.data;
    profiles.set(stem, profile);
  }
  return profiles;
}

/** The `custom` profile a scenario defines: its issuer, and audiences that default to the issuer as kube-apiserver does. */
export function customProfile(serviceAccountIssuer: string, apiAudiences?: string[]): ClusterProfile {
  return {
    name: CUSTOM_PROFILE,
    serviceAccountIssuer,
    apiAudiences: apiAudiences?.length ? apiAudiences : [serviceAccountIssuer],
    description: 'issuer and API audiences from the scenario',
  };
}
