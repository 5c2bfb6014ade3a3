// Test plans: the smallest Plan that reads like the scenario it stands for.
import { nominalFacts } from '../facts.ts';
import type { AuthSpec, ClusterProfile, EnvironmentFacts, IssuerSpec, Plan, ProfileName } from '../types.ts';

export const KIND_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';

/** Illustrative clusters: kind's issuer is its audience; the managed ones have an API audience unlike `vault://…`. */
export const PROFILES: Record<Exclude<ProfileName, 'custom'>, ClusterProfile> = {
  kind: { name: 'kind', serviceAccountIssuer: KIND_AUDIENCE, apiAudiences: [KIND_AUDIENCE] },
  'aks-like': {
    name: 'aks-like',
    serviceAccountIssuer: 'https://eastus.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/11111111-1111-1111-1111-111111111111/',
    apiAudiences: ['https://aks-like-dns-12345678.hcp.eastus.azmk8s.io'],
  },
  'eks-like': {
    name: 'eks-like',
    serviceAccountIssuer: 'https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B716D3041E',
    apiAudiences: ['https://kubernetes.default.svc'],
  },
};

export interface PlanOverrides {
  id?: string;
  certManager?: string;
  upgrade?: { from: string; to: string };
  profile?: Exclude<ProfileName, 'custom'>;
  engine?: Plan['vault']['engine'];
  placement?: Plan['vault']['placement'];
  auth?: AuthSpec;
  issuer?: Partial<IssuerSpec>;
}

/** Defaults: cert-manager v1.16.5, Vault external, kind, Issuer team-a/vault-issuer, kubernetes auth with client-jwt, RBAC granted. */
export function plan(o: PlanOverrides = {}): Plan {
  const profile = PROFILES[o.profile ?? 'kind'];
  const version = o.upgrade?.to ?? o.certManager ?? 'v1.16.5';
  const issuer: IssuerSpec = {
    kind: 'Issuer',
    name: 'vault-issuer',
    namespace: 'team-a',
    serviceAccount: 'vault-issuer',
    fieldValidation: 'strict',
    tokenRequestRole: true,
    authDelegator: true,
    ...o.issuer,
  };
  if (issuer.kind === 'ClusterIssuer' && !o.issuer?.namespace) delete issuer.namespace;
  return {
    id: o.id ?? 'fixture',
    description: 'fixture plan',
    cluster: { profile: profile.name as ProfileName, kubernetes: 'v1.34.4' },
    certManager: o.upgrade ? { version, upgrade: o.upgrade, installer: 'helm3' } : { version, installer: 'helm3' },
    vault: { engine: o.engine ?? 'vault', version: 'v1.21.0', placement: o.placement ?? 'external' },
    auth: o.auth ?? kubernetesAuth(),
    issuer,
    expect: { ready: true },
    source: { file: 'fixture.yaml', line: 1 },
    tags: [],
    profile,
    environmentKey: `${profile.name}/${version}`,
    ci: true,
  };
}

export function kubernetesAuth(o: Partial<Omit<Extract<AuthSpec, { method: 'kubernetes' }>, 'method'>> = {}): AuthSpec {
  return { method: 'kubernetes', mount: 'kubernetes', tokenReviewer: 'client-jwt', ...o };
}

export function jwtAuth(boundAudiences: string[], mount = 'jwt'): AuthSpec {
  return { method: 'jwt', mount, boundAudiences };
}

export function facts(p: Plan, o: Partial<EnvironmentFacts> = {}): EnvironmentFacts {
  return { ...nominalFacts(p), ...o };
}
