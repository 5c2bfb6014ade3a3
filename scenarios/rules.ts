import type { CertificateSpec, ClusterProfile, Scenario } from './types.ts';
import { resolvePkiRole } from './pki-role.ts';
import { PLACEHOLDERS, unknownPlaceholders } from './placeholders.ts';
import { CUSTOM_PROFILE } from './profiles.ts';
import { FAILURE_CLASSES, type RawScenario } from './schema.ts';
import { suggestion } from './suggest.ts';
import { compareVersions, engineVersions, type Versions } from './versions.ts';
import type { Problem } from './zod-errors.ts';
import type { Path } from './yaml-source.ts';

export interface RuleContext {
  versions: Versions;
  profiles: ReadonlyMap<string, ClusterProfile>;
}

/** The first cert-manager release with serviceAccountRef.audiences on the Vault issuer. */
export const AUDIENCES_SINCE = 'v1.15.0';

/** Fields whose values may name placeholders (they are audiences). */
const AUDIENCE_FIELDS = [/^issuer\.audiences\.\d+$/, /^auth\.roleAudience$/, /^auth\.boundAudiences\.\d+$/];

/** Impossible or unknown combinations in a schema-valid scenario. */
export function checkScenario(s: RawScenario, ctx: RuleContext): Problem[] {
  return [...checkCluster(s, ctx), ...checkVersions(s, ctx), ...checkAuth(s), ...checkIssuer(s), ...checkExpect(s), ...checkPolicy(s), ...checkPlaceholders(s)];
}

function checkCluster(s: RawScenario, ctx: RuleContext): Problem[] {
  const problems: Problem[] = [];
  const { profile } = s.cluster;
  const known = [...ctx.profiles.keys(), CUSTOM_PROFILE];
  if (!known.includes(profile)) {
    problems.push({ path: ['cluster', 'profile'], problem: `unknown cluster profile \`${profile}\``, fix: `${suggestion(profile, known, 'profile')}; a new profile is one file in scenarios/profiles/` });
  } else if (profile === CUSTOM_PROFILE) {
    if (!s.cluster.serviceAccountIssuer) {
      problems.push({ path: ['cluster'], problem: 'the custom profile needs the cluster’s service account issuer', fix: 'add `serviceAccountIssuer: https://…` (and `apiAudiences: […]` if they differ from the issuer)' });
    }
  } else {
    for (const field of ['serviceAccountIssuer', 'apiAudiences'] as const) {
      if (s.cluster[field] !== undefined) {
        problems.push({ path: ['cluster', field], problem: `\`cluster.${field}\` only applies to profile custom (profile ${profile} defines its own)`, fix: `remove it, or set \`profile: custom\`` });
      }
    }
  }
  return problems;
}

function checkVersions(s: RawScenario, ctx: RuleContext): Problem[] {
  const problems: Problem[] = [];
  const { versions } = ctx;
  const pinned = (path: Path, version: string | undefined, list: string[], what: string) => {
    if (version !== undefined && !list.includes(version)) {
      problems.push({ path, problem: `${what} ${version} is not pinned in ${versions.file}`, fix: `use one of: ${list.join(', ')} — or add it to ${versions.file}` });
    }
  };
  pinned(['cluster', 'kubernetes'], s.cluster.kubernetes, versions.kubernetes.versions, 'Kubernetes');
  const engine = s.vault.engine ?? 'vault';
  pinned(['vault', 'version'], s.vault.version, engineVersions(versions, engine).versions, engine === 'openbao' ? 'OpenBao' : 'Vault');

  const cm = s.certManager;
  if ((cm.version === undefined) === (cm.upgrade === undefined)) {
    problems.push({ path: ['certManager'], problem: 'certManager needs exactly one of `version` or `upgrade`', fix: 'write `certManager: {version: v1.16.5}` or `certManager: {upgrade: {from: v1.19.5, to: v1.20.3}}`' });
    return problems;
  }
  const list = versions.certManager.versions;
  pinned(['certManager', 'version'], cm.version, list, 'cert-manager');
  if (cm.upgrade) {
    pinned(['certManager', 'upgrade', 'from'], cm.upgrade.from, list, 'cert-manager');
    pinned(['certManager', 'upgrade', 'to'], cm.upgrade.to, list, 'cert-manager');
    if (cm.upgrade.from === cm.upgrade.to) {
      problems.push({ path: ['certManager', 'upgrade', 'to'], problem: `upgrade from ${cm.upgrade.from} to the same version`, fix: 'pick two different versions, or use `certManager: {version: …}`' });
    }
  }
  if ((cm.installer ?? versions.certManagerInstaller) === 'helm4' && !versions.pinned.helm4) {
    problems.push({ path: ['certManager', 'installer'], problem: `installer helm4 needs a Helm 4 pinned in ${versions.file}`, fix: `add \`helm4: { version: v4.x.y, module: helm.sh/helm/v4 }\` to ${versions.file}, or use installer: helm3` });
  }
  const version = cm.upgrade?.to ?? cm.version ?? '';
  if (s.issuer.audiences && compareVersions(version, AUDIENCES_SINCE) < 0 && s.issuer.fieldValidation !== 'warn' && s.expect.failure !== 'crd-unknown-field') {
    problems.push({
      path: ['issuer', 'audiences'],
      problem: `cert-manager ${version} has no serviceAccountRef.audiences field (added in v1.15)`,
      fix: 'remove issuer.audiences, use cert-manager v1.15.5 or later, set issuer.fieldValidation: warn (the field is pruned), or expect `{ready: false, failure: crd-unknown-field}`',
    });
  }
  return problems;
}

function checkAuth(s: RawScenario): Problem[] {
  const problems: Problem[] = [];
  const a = s.auth;
  if (a.method === 'kubernetes') {
    if (!a.tokenReviewer) problems.push({ path: ['auth'], problem: 'Kubernetes auth needs `tokenReviewer`', fix: 'add `tokenReviewer: local-token|reviewer-jwt|client-jwt`' });
    if (a.boundAudiences !== undefined) problems.push({ path: ['auth', 'boundAudiences'], problem: '`boundAudiences` belongs to JWT auth', fix: 'use `roleAudience: …` for a Kubernetes auth role, or set `method: jwt`' });
    if (a.tokenReviewer === 'local-token' && s.vault.placement === 'external') {
      problems.push({ path: ['auth', 'tokenReviewer'], problem: 'local-token needs Vault inside the cluster (it reviews with its own pod token); placement is external', fix: 'set `vault.placement: in-cluster`, or use `tokenReviewer: reviewer-jwt` or `client-jwt`' });
    }
  } else {
    if (a.boundAudiences === undefined) problems.push({ path: ['auth'], problem: 'JWT auth needs `boundAudiences`', fix: 'add `boundAudiences: [...]` (`[]` for a role with none bound)' });
    for (const field of ['tokenReviewer', 'roleAudience', 'boundServiceAccountNames', 'boundServiceAccountNamespaces', 'reviewHost'] as const) {
      if (a[field] !== undefined) problems.push({ path: ['auth', field], problem: `\`${field}\` belongs to Kubernetes auth`, fix: 'remove it, or set `method: kubernetes`' });
    }
  }
  return problems;
}

function checkIssuer(s: RawScenario): Problem[] {
  const i = s.issuer;
  if (i.kind === 'Issuer' && !i.namespace) {
    return [{ path: ['issuer'], problem: 'an Issuer is namespaced but has no `namespace`', fix: 'add `namespace: team-a`, or use `kind: ClusterIssuer`' }];
  }
  if (i.kind === 'ClusterIssuer' && i.namespace) {
    return [{ path: ['issuer', 'namespace'], problem: 'a ClusterIssuer has no namespace (its ServiceAccount lives in the cluster resource namespace)', fix: 'remove `namespace`, or use `kind: Issuer`' }];
  }
  return [];
}

function checkExpect(s: RawScenario): Problem[] {
  if (s.expect.ready && s.expect.failure) {
    return [{ path: ['expect', 'failure'], problem: 'a scenario expected to be ready has no failure', fix: 'remove `failure`, or set `ready: false`' }];
  }
  if (!s.expect.ready && !s.expect.failure) {
    return [{ path: ['expect'], problem: 'a scenario expected to fail must name how', fix: `add \`failure:\` one of ${FAILURE_CLASSES.join(', ')}` }];
  }
  return [];
}

function checkPolicy(s: RawScenario): Problem[] {
  const problems: Problem[] = [];
  const c = s.certificate;
  if (c && !c.commonName && !c.dnsNames?.length && !c.ipAddresses?.length && !c.uriSANs?.length) {
    problems.push({ path: ['certificate'], problem: 'names nothing: cert-manager refuses a Certificate without a commonName, dnsNames, ipAddresses, uris or emailAddresses', fix: 'add `dnsNames: [app.example.com]` (or a commonName, ipAddresses, uriSANs)' });
  }
  const policy = s.vault.policy;
  if (policy !== undefined && policy !== 'default' && !c) {
    problems.push({ path: ['vault', 'policy'], problem: 'a hardened policy judges the names a Certificate asks for, and the scenario names none', fix: 'add `certificate: {commonName: app.example.com}`' });
  }
  if (s.vault.pkiRole && !c) {
    problems.push({ path: ['vault', 'pkiRole'], problem: 'a PKI role judges the names a Certificate asks for, and the scenario names none', fix: 'add `certificate: {dnsNames: [app.example.com]}`' });
  }
  if (s.vault.pkiRole?.allowedDomains && s.vault.pkiRole.allowAnyName) {
    problems.push({ path: ['vault', 'pkiRole', 'allowAnyName'], problem: 'allow_any_name lets every name through, so allowedDomains restricts nothing', fix: 'drop `allowAnyName: true` (with allowedDomains it defaults to false)' });
  }
  return problems;
}

function checkPlaceholders(s: RawScenario): Problem[] {
  const problems: Problem[] = [];
  const known = Object.keys(PLACEHOLDERS).map((n) => `\${${n}}`);
  // The description is prose: it may mention a placeholder by name.
  for (const [path, value] of strings({ ...s, description: '' }, [])) {
    const unknown = unknownPlaceholders(value);
    const first = unknown[0];
    if (first !== undefined) {
      problems.push({ path, problem: `unknown placeholder \`\${${first}}\``, fix: suggestion(`\${${first}}`, known, 'placeholder') });
    } else if (value.includes('${') && !AUDIENCE_FIELDS.some((re) => re.test(path.join('.')))) {
      problems.push({ path, problem: 'placeholders are resolved only in audience fields', fix: 'write the literal value here (placeholders work in issuer.audiences, auth.roleAudience, auth.boundAudiences)' });
    }
  }
  return problems;
}

function strings(value: unknown, path: Array<string | number>): Array<[Path, string]> {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, [...path, k]));
  return [];
}

/** Vault's conventional mount for the method (the runner re-creates it for every scenario, so scenarios can share it). */
export function defaultMount(auth: RawScenario['auth']): string {
  return auth.method;
}

/** A checked scenario with every default filled in. */
export function toScenario(s: RawScenario, ctx: RuleContext, source: Scenario['source']): Scenario {
  const engine = s.vault.engine ?? 'vault';
  const a = s.auth;
  const auth: Scenario['auth'] =
    a.method === 'kubernetes'
      ? {
          method: 'kubernetes',
          mount: a.mount ?? defaultMount(a),
          tokenReviewer: a.tokenReviewer ?? 'reviewer-jwt',
          ...(a.roleAudience !== undefined ? { roleAudience: a.roleAudience } : {}),
          ...(a.boundServiceAccountNames !== undefined ? { boundServiceAccountNames: a.boundServiceAccountNames } : {}),
          ...(a.boundServiceAccountNamespaces !== undefined ? { boundServiceAccountNamespaces: a.boundServiceAccountNamespaces } : {}),
          ...(a.reviewHost !== undefined ? { reviewHost: a.reviewHost } : {}),
        }
      : { method: 'jwt', mount: a.mount ?? defaultMount(a), boundAudiences: a.boundAudiences ?? [] };
  const i = s.issuer;
  const c = s.cluster;
  return {
    id: s.id,
    description: s.description,
    cluster: {
      profile: c.profile as Scenario['cluster']['profile'],
      kubernetes: c.kubernetes ?? ctx.versions.kubernetes.default,
      ...(c.serviceAccountIssuer !== undefined ? { serviceAccountIssuer: c.serviceAccountIssuer } : {}),
      ...(c.apiAudiences !== undefined ? { apiAudiences: c.apiAudiences } : {}),
    },
    certManager: {
      ...(s.certManager.upgrade ? { version: s.certManager.upgrade.to, upgrade: { ...s.certManager.upgrade } } : { version: s.certManager.version ?? ctx.versions.certManager.default }),
      installer: s.certManager.installer ?? ctx.versions.certManagerInstaller,
    },
    vault: {
      engine,
      version: s.vault.version ?? engineVersions(ctx.versions, engine).default,
      placement: s.vault.placement,
      ...(s.vault.policy && s.vault.policy !== 'default'
        ? {
            policy: {
              kind: 'hardened' as const,
              allowedParameters: s.vault.policy.allowedParameters ?? {},
              requiredParameters: s.vault.policy.requiredParameters ?? [],
              deniedParameters: s.vault.policy.deniedParameters ?? {},
              paths: s.vault.policy.paths ?? ['sign', 'issue'],
            },
          }
        : {}),
      ...(s.vault.pkiRole ? { pkiRole: resolvePkiRole(s.vault.pkiRole) } : {}),
    },
    ...(s.certificate ? { certificate: certificateSpec(s.certificate) } : {}),
    auth,
    issuer: {
      kind: i.kind,
      name: i.name,
      ...(i.namespace !== undefined ? { namespace: i.namespace } : {}),
      serviceAccount: i.serviceAccount,
      ...(i.mount !== undefined ? { mount: i.mount } : {}),
      ...(i.audiences !== undefined ? { audiences: i.audiences } : {}),
      tokenRequestRole: i.tokenRequestRole ?? true,
      authDelegator: i.authDelegator ?? false,
      ...(i.extraRoleBinding !== undefined ? { extraRoleBinding: i.extraRoleBinding } : {}),
      fieldValidation: i.fieldValidation ?? 'strict',
    },
    expect: { ready: s.expect.ready, ...(s.expect.failure ? { failure: s.expect.failure } : {}) },
    source,
    tags: [...new Set(s.tags ?? [])],
  };
}

/** A Certificate's names; dnsNames default to the commonName (as a scenario naming only a CN always meant). */
function certificateSpec(c: NonNullable<RawScenario['certificate']>): CertificateSpec {
  return {
    ...(c.commonName !== undefined ? { commonName: c.commonName } : {}),
    dnsNames: c.dnsNames ?? (c.commonName !== undefined ? [c.commonName] : []),
    ipAddresses: c.ipAddresses ?? [],
    uriSANs: c.uriSANs ?? [],
  };
}
