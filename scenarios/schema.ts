import { z } from 'zod';
import { INSTALLERS, VERSION_PATTERN } from './versions.ts';
import { FIX } from './zod-errors.ts';

// The YAML shape of a scenario (see scenarios/README.md). Objects are strict so a typo is an error,
// not a silently ignored field. Cross-field rules (what combinations are possible) live in rules.ts.

export const FAILURE_CLASSES = [
  'apiserver-audience',
  'vault-role-audience',
  'jwt-bound-audience',
  'jwt-no-bound-audiences',
  'token-request-forbidden',
  'reviewer-forbidden',
  'crd-unknown-field',
  'vault-mount-path',
  'role-bound-service-account',
  'vault-policy-denied',
  'pki-role-denied',
  'review-host',
] as const;

/** A Kubernetes auth config that reviews against no API server it can trust (vault/configure/review-host.ts). */
export const REVIEW_HOSTS = ['unreachable', 'wrong-ca'] as const;

export const TOKEN_REVIEWERS = ['local-token', 'reviewer-jwt', 'client-jwt'] as const;

export const ID_PATTERN = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
const Id = z.string().regex(ID_PATTERN, `must be lowercase letters, digits, \`.\` and \`-\`${FIX}rename it, e.g. k8s-client-jwt-ready`);
const Version = z.string().regex(VERSION_PATTERN, `must be a version like v1.16.5${FIX}write it as vMAJOR.MINOR.PATCH`);
const Tag = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, `must be lowercase letters, digits and dashes${FIX}e.g. smoke`);
const K8sName = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, `must be a Kubernetes name (lowercase, digits, \`-\`)${FIX}e.g. vault-issuer`);
const Mount = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*(\/[A-Za-z0-9_-]+)*$/, `must be a Vault mount path without \`auth/\`${FIX}e.g. kubernetes`);
const Audience = z.string().min(1);
const OneLine = z.string().min(1).regex(/^[^\n]*$/, `must be one line${FIX}say in one line what the scenario proves`);

/** A Vault ACL rule in the shape the article recommends: parameter name -> allowed value globs (`[]` = any value). */
export const HardenedPolicy = z.strictObject({
  allowedParameters: z.record(z.string().min(1), z.array(z.string())).optional(),
  requiredParameters: z.array(z.string().min(1)).optional(),
  /** denied_parameters: parameter name -> denied value globs (`[]` = any value denied). */
  deniedParameters: z.record(z.string().min(1), z.array(z.string())).optional(),
  /** The PKI endpoints the rule is written for (default both; cert-manager only calls `sign`). */
  paths: z.array(z.enum(['sign', 'issue'])).min(1).optional(),
});

/**
 * The PKI role a scenario signs with, in Vault's field names camel-cased. Absent = the environment's shared role
 * (vault/configure/pki.ts#DEFAULT_PKI_ROLE_SPEC); a field left out keeps that role's value.
 */
export const PkiRole = z.strictObject({
  allowedDomains: z.array(z.string().min(1)).min(1).optional(),
  allowSubdomains: z.boolean().optional(),
  allowBareDomains: z.boolean().optional(),
  /** Default: true without `allowedDomains`, false with them (a list under allow_any_name would restrict nothing). */
  allowAnyName: z.boolean().optional(),
  enforceHostnames: z.boolean().optional(),
  requireCn: z.boolean().optional(),
  useCsrSans: z.boolean().optional(),
  useCsrCommonName: z.boolean().optional(),
});

/** The probe Certificate's names: each is one of the sign parameters cert-manager sends (internal/vault/vault.go). */
export const CertificateNames = z.strictObject({
  commonName: z.string().min(1).max(64).optional(),
  dnsNames: z.array(z.string().min(1)).optional(),
  ipAddresses: z.array(z.union([z.ipv4(), z.ipv6()], { error: `must be an IP address${FIX}write it like 192.0.2.10 or 2001:db8::1` })).optional(),
  uriSANs: z.array(z.url({ error: `must be an absolute URI${FIX}write it like spiffe://example.com/app` })).optional(),
});

export const Expect = z.strictObject({
  ready: z.boolean(),
  failure: z.enum(FAILURE_CLASSES).optional(),
});

export const RawScenario = z.strictObject({
  id: Id,
  description: OneLine,
  tags: z.array(Tag).optional(),
  cluster: z.strictObject({
    profile: z.string().min(1),
    kubernetes: Version.optional(),
    serviceAccountIssuer: z.url({ error: `must be an absolute URL${FIX}write it like https://issuer.example.com` }).optional(),
    apiAudiences: z.array(Audience).min(1).optional(),
  }),
  certManager: z.strictObject({
    version: Version.optional(),
    upgrade: z.strictObject({ from: Version, to: Version }).optional(),
    /** Which Helm installs (and upgrades) cert-manager; default versions.yaml's certManager.installer. */
    installer: z.enum(INSTALLERS).optional(),
  }),
  vault: z.strictObject({
    engine: z.enum(['vault', 'openbao']).optional(),
    version: Version.optional(),
    placement: z.enum(['in-cluster', 'external']),
    policy: z.union([z.literal('default'), HardenedPolicy], { error: `must be \`default\` or {allowedParameters, deniedParameters, requiredParameters, paths}${FIX}see "Vault policy" in scenarios/README.md` }).optional(),
    pkiRole: PkiRole.optional(),
  }),
  certificate: CertificateNames.optional(),
  auth: z.strictObject({
    method: z.enum(['kubernetes', 'jwt']),
    mount: Mount.optional(),
    tokenReviewer: z.enum(TOKEN_REVIEWERS).optional(),
    roleAudience: Audience.optional(),
    boundServiceAccountNames: z.array(z.string().min(1)).min(1).optional(),
    boundServiceAccountNamespaces: z.array(z.string().min(1)).min(1).optional(),
    boundAudiences: z.array(Audience).optional(),
    reviewHost: z.enum(REVIEW_HOSTS).optional(),
  }),
  issuer: z.strictObject({
    kind: z.enum(['Issuer', 'ClusterIssuer']),
    name: K8sName,
    namespace: K8sName.optional(),
    serviceAccount: K8sName,
    mount: Mount.optional(),
    audiences: z.array(Audience).min(1).optional(),
    tokenRequestRole: z.boolean().optional(),
    authDelegator: z.boolean().optional(),
    extraRoleBinding: K8sName.optional(),
    fieldValidation: z.enum(['strict', 'warn']).optional(),
  }),
  expect: Expect,
});
export type RawScenario = z.infer<typeof RawScenario>;

/** The top-level fields of a scenario: an axis whose first segment is one of these sets a field. */
export const SCENARIO_FIELDS = Object.keys(RawScenario.shape);

/** `{axis: label}` or `{axis: [label, label]}` (any of); checked in matrix.ts, which knows the axes. */
const Condition = z.record(z.string(), z.unknown());

const Rule = z.strictObject({ when: Condition.optional(), expect: Expect });

export const RawMatrix = z.strictObject({
  matrix: z.strictObject({
    id: z.string().min(1),
    description: OneLine,
    base: z.record(z.string(), z.unknown()),
    /** Axis values are checked in matrix.ts: a list of scalars, or a mapping label -> value. */
    axes: z.record(z.string(), z.unknown()),
    expect: z.array(Rule).min(1),
    exclude: z.array(Condition).optional(),
    tags: z.array(z.strictObject({ when: Condition.optional(), tags: z.array(Tag).min(1) })).optional(),
  }),
});
export type RawMatrix = z.infer<typeof RawMatrix>['matrix'];
export type Condition = z.infer<typeof Condition>;
