// The facts of `diagnose --issuer-file …`: pasted files and flags, nothing read from a cluster or Vault.
import { InputError } from '../lib/errors.ts';
import { CERT_MANAGER_CONTROLLER } from '../scenarios/oracle/messages.ts';
import type { ClusterProfile } from '../scenarios/types.ts';
import { suggestion } from '../scenarios/suggest.ts';
import { VERSION_PATTERN } from '../scenarios/versions.ts';
import { readAuthConfigFile, readAuthListFile, readIssuerFile, readRoleFile } from './inputs.ts';
import type { ClusterFacts, DiagnosisFacts } from './model.ts';

export interface OfflineOptions {
  issuerFile: string;
  vaultRole?: string;
  vaultAuthConfig?: string;
  vaultAuthList?: string;
  profile?: string;
  serviceAccountIssuer?: string;
  apiAudiences?: string;
  message?: string;
  certManagerVersion?: string;
  clusterResourceNamespace?: string;
  vaultInCluster?: boolean;
}

const CLI = 'command line';

export function offlineFacts(o: OfflineOptions, profiles: ReadonlyMap<string, ClusterProfile>): DiagnosisFacts {
  const issuer = readIssuerFile(o.issuerFile);
  const notes: string[] = [`Issuer read from ${o.issuerFile}`];
  const vault: DiagnosisFacts['vault'] = {};
  if (o.vaultRole) vault.role = readRoleFile(o.vaultRole);
  if (o.vaultAuthConfig) vault.config = readAuthConfigFile(o.vaultAuthConfig);
  if (o.vaultAuthList) vault.mounts = readAuthListFile(o.vaultAuthList);
  if (o.vaultInCluster !== undefined) vault.inCluster = o.vaultInCluster;
  if (vault.role && vault.config && vault.role.type !== vault.config.type) {
    throw new InputError({ file: o.vaultRole!, field: '--vault-role' }, `is a ${vault.role.type} role but ${o.vaultAuthConfig} is a ${vault.config.type} auth config`, 'pass the role and the config of the same mount (the one the Issuer names)');
  }
  if (vault.role || vault.config) notes.push(`role and config taken to be those of auth/${issuer.mount}, the mount the Issuer names`);
  const certManager = o.certManagerVersion ? { version: checkVersion(o.certManagerVersion), source: '--cert-manager-version' } : undefined;
  const cluster = clusterFacts(o, profiles);
  const message = o.message ?? issuer.ready?.message;
  if (message === undefined) notes.push('no Ready message and no --message: the outcome is predicted, not explained');
  return {
    issuer,
    ...(o.message !== undefined ? { message: o.message } : {}),
    ...(certManager ? { certManager } : {}),
    ...(cluster ? { cluster } : {}),
    clusterResourceNamespace: o.clusterResourceNamespace ?? CERT_MANAGER_CONTROLLER.namespace,
    controller: CERT_MANAGER_CONTROLLER,
    rbac: {},
    vault,
    notes,
  };
}

function checkVersion(v: string): string {
  const version = v.startsWith('v') ? v : `v${v}`;
  if (!VERSION_PATTERN.test(version)) throw new InputError({ file: CLI, field: '--cert-manager-version' }, `"${v}" is not a version`, 'write it as vMAJOR.MINOR.PATCH, e.g. v1.16.5 (the controller image tag)');
  return version;
}

function clusterFacts(o: OfflineOptions, profiles: ReadonlyMap<string, ClusterProfile>): ClusterFacts | undefined {
  if (o.profile && (o.serviceAccountIssuer || o.apiAudiences)) {
    throw new InputError({ file: CLI, field: '--profile' }, 'is exclusive with --service-account-issuer/--api-audiences', 'give either a profile or the cluster’s own values');
  }
  if (o.profile) {
    const p = profiles.get(o.profile);
    if (!p) throw new InputError({ file: CLI, field: '--profile' }, `unknown profile \`${o.profile}\``, suggestion(o.profile, [...profiles.keys()], 'profile'));
    return { serviceAccountIssuer: p.serviceAccountIssuer, apiAudiences: [...p.apiAudiences], source: `profile ${p.name}` };
  }
  if (o.apiAudiences && !o.serviceAccountIssuer) {
    throw new InputError({ file: CLI, field: '--api-audiences' }, 'needs --service-account-issuer too', 'add --service-account-issuer URL (kubectl get --raw /.well-known/openid-configuration shows it)');
  }
  if (!o.serviceAccountIssuer) return undefined;
  try {
    new URL(o.serviceAccountIssuer);
  } catch {
    throw new InputError({ file: CLI, field: '--service-account-issuer' }, `"${o.serviceAccountIssuer}" is not an absolute URL`, 'e.g. https://kubernetes.default.svc.cluster.local');
  }
  const apiAudiences = o.apiAudiences ? o.apiAudiences.split(',').map((a) => a.trim()).filter(Boolean) : [o.serviceAccountIssuer];
  if (!apiAudiences.length) throw new InputError({ file: CLI, field: '--api-audiences' }, 'is empty', 'list them comma-separated, in the API server’s order');
  return { serviceAccountIssuer: o.serviceAccountIssuer, apiAudiences, source: o.apiAudiences ? '--service-account-issuer, --api-audiences' : '--service-account-issuer (API audiences default to it)' };
}
