// Pasted inputs: `kubectl get issuer -o yaml` (or json) and `vault read -format=json …` / `vault auth list
// -format=json` output, with or without the `{data: {…}}` wrapper. Bad input is one InputError naming the field.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { InputError } from '../lib/errors.ts';
import type { AuthConfigFacts, IssuerFacts, RoleFacts } from './model.ts';

const MOUNT_PATH = /^\/?v1\/auth\/(.+?)\/?$/;

function readText(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError({ file, field: flag }, `cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, `give the path of a readable file to ${flag}`);
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function at(value: unknown, path: string[]): unknown {
  return path.reduce<unknown>((v, k) => (isObj(v) ? v[k] : undefined), value);
}

/** The Issuer or ClusterIssuer in `kubectl get … -o yaml|json` output (a List holding one is accepted). */
export function parseIssuer(text: string, file: string): IssuerFacts {
  const flag = '--issuer-file';
  let docs: unknown[];
  try {
    docs = parseAllDocuments(text).map((d) => {
      if (d.errors.length) throw new Error(d.errors[0]!.message);
      return d.toJS() as unknown;
    });
  } catch (err) {
    throw new InputError({ file, field: flag }, `not YAML or JSON: ${(err as Error).message.split('\n')[0]}`, 'pass the output of `kubectl get issuer NAME -n NS -o yaml`');
  }
  const items = docs.flatMap((d) => (isObj(d) && Array.isArray(d.items) ? d.items : [d])).filter((d) => isObj(d) && (d.kind === 'Issuer' || d.kind === 'ClusterIssuer')) as Obj[];
  if (items.length !== 1) {
    throw new InputError({ file, field: 'kind' }, items.length ? `holds ${items.length} Issuers` : 'holds no Issuer or ClusterIssuer', 'pass exactly one: `kubectl get issuer NAME -n NS -o yaml` or `kubectl get clusterissuer NAME -o yaml`');
  }
  const o = items[0]!;
  const kind = o.kind as IssuerFacts['kind'];
  const field = (path: string[], fix: string): unknown => {
    const v = at(o, path);
    if (v === undefined || v === null || v === '') throw new InputError({ file, field: path.join('.') }, 'is missing', fix);
    return v;
  };
  const str = (path: string[], fix: string): string => {
    const v = field(path, fix);
    if (typeof v !== 'string') throw new InputError({ file, field: path.join('.') }, `must be a string, is ${JSON.stringify(v)}`, fix);
    return v;
  };
  const name = str(['metadata', 'name'], 'pass the whole object as kubectl prints it');
  const namespace = kind === 'Issuer' ? str(['metadata', 'namespace'], 'an Issuer is namespaced: pass `kubectl get issuer NAME -n NS -o yaml` (which includes metadata.namespace)') : undefined;
  if (!isObj(at(o, ['spec', 'vault']))) throw new InputError({ file, field: 'spec.vault' }, 'is missing: this is not a Vault issuer', 'diagnose explains Vault issuers only; pass one with spec.vault');
  const k8s = at(o, ['spec', 'vault', 'auth', 'kubernetes']);
  if (!isObj(k8s)) {
    throw new InputError({ file, field: 'spec.vault.auth.kubernetes' }, 'is missing: the Issuer does not use the Kubernetes auth', 'diagnose explains spec.vault.auth.kubernetes with serviceAccountRef; other auth methods are out of its scope');
  }
  const server = str(['spec', 'vault', 'server'], 'set spec.vault.server to Vault\'s address, e.g. https://vault.vault.svc:8200');
  const role = str(['spec', 'vault', 'auth', 'kubernetes', 'role'], 'set spec.vault.auth.kubernetes.role to the Vault role');
  const mountPath = at(k8s, ['mountPath']);
  let mount = 'kubernetes';
  if (mountPath !== undefined && mountPath !== '') {
    const m = typeof mountPath === 'string' ? MOUNT_PATH.exec(mountPath) : null;
    if (!m) throw new InputError({ file, field: 'spec.vault.auth.kubernetes.mountPath' }, `${JSON.stringify(mountPath)} is not /v1/auth/<mount>`, 'write it as /v1/auth/kubernetes (the mount Vault\'s auth method is enabled at)');
    mount = m[1]!;
  }
  if (isObj(at(k8s, ['secretRef'])) && !isObj(at(k8s, ['serviceAccountRef']))) {
    throw new InputError({ file, field: 'spec.vault.auth.kubernetes.secretRef' }, 'uses a static token Secret, not serviceAccountRef: cert-manager sends whatever that Secret holds', 'diagnose explains serviceAccountRef (cert-manager ≥ v1.12); switch to it, or decode the Secret\'s token and compare its aud with Vault\'s role');
  }
  const serviceAccount = str(['spec', 'vault', 'auth', 'kubernetes', 'serviceAccountRef', 'name'], 'set spec.vault.auth.kubernetes.serviceAccountRef.name');
  const audiences = at(k8s, ['serviceAccountRef', 'audiences']);
  if (audiences !== undefined && (!Array.isArray(audiences) || !audiences.every((a) => typeof a === 'string' && a))) {
    throw new InputError({ file, field: 'spec.vault.auth.kubernetes.serviceAccountRef.audiences' }, 'must be a list of strings', 'e.g. audiences: [https://kubernetes.default.svc.cluster.local]');
  }
  const conditions = at(o, ['status', 'conditions']);
  const readyRaw = Array.isArray(conditions) ? conditions.find((c) => isObj(c) && c.type === 'Ready') : undefined;
  const ready = isObj(readyRaw) ? { status: String(readyRaw.status ?? ''), reason: String(readyRaw.reason ?? ''), message: String(readyRaw.message ?? '') } : undefined;
  return {
    kind,
    name,
    ...(namespace ? { namespace } : {}),
    server,
    mount,
    role,
    serviceAccount,
    ...(Array.isArray(audiences) && audiences.length ? { audiences: audiences as string[] } : {}),
    ...(ready ? { ready } : {}),
  };
}

export function readIssuerFile(file: string): IssuerFacts {
  return parseIssuer(readText(file, '--issuer-file'), file);
}

/** `vault read -format=json` prints `{request_id, data: {…}, …}`; the API's own answer has the same `data`. */
function dataOf(text: string, file: string, flag: string, what: string): Obj {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError({ file, field: flag }, `not JSON: ${(err as Error).message}`, `pass the output of \`vault read -format=json ${what}\``);
  }
  if (isObj(value) && isObj(value.data)) return value.data;
  if (isObj(value)) return value;
  throw new InputError({ file, field: flag }, 'is not a JSON object', `pass the output of \`vault read -format=json ${what}\``);
}

function strings(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String).filter((s) => s !== '');
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  return [];
}

/** A kubernetes role (bound_service_account_*) or a JWT role (role_type, bound_audiences, user_claim). */
export function parseRole(text: string, file: string): RoleFacts {
  const flag = '--vault-role';
  const d = dataOf(text, file, flag, 'auth/<mount>/role/<role>');
  const policies = [...new Set([...strings(d.token_policies), ...strings(d.policies)])];
  if ('bound_service_account_names' in d || 'bound_service_account_namespaces' in d) {
    const audience = typeof d.audience === 'string' && d.audience.trim() ? d.audience : undefined;
    return {
      type: 'kubernetes',
      ...(audience ? { audience } : {}),
      boundServiceAccountNames: strings(d.bound_service_account_names),
      boundServiceAccountNamespaces: strings(d.bound_service_account_namespaces),
      policies,
    };
  }
  if ('role_type' in d || 'bound_audiences' in d || 'user_claim' in d) {
    return {
      type: 'jwt',
      boundAudiences: strings(d.bound_audiences),
      ...(typeof d.bound_subject === 'string' && d.bound_subject ? { boundSubject: d.bound_subject } : {}),
      ...(typeof d.user_claim === 'string' ? { userClaim: d.user_claim } : {}),
      ...(typeof d.role_type === 'string' ? { roleType: d.role_type } : {}),
      policies,
    };
  }
  throw new InputError({ file, field: 'data' }, 'is neither a kubernetes role (bound_service_account_names) nor a JWT role (bound_audiences, user_claim)', 'pass `vault read -format=json auth/<mount>/role/<role>` for the role the Issuer names');
}

export function readRoleFile(file: string): RoleFacts {
  return parseRole(readText(file, '--vault-role'), file);
}

/** auth/<mount>/config of the kubernetes method (token_reviewer_jwt_set, disable_local_ca_jwt) or the JWT method. */
export function parseAuthConfig(text: string, file: string): AuthConfigFacts {
  const flag = '--vault-auth-config';
  const d = dataOf(text, file, flag, 'auth/<mount>/config');
  if ('kubernetes_host' in d || 'token_reviewer_jwt_set' in d || 'disable_local_ca_jwt' in d) {
    if ('token_reviewer_jwt' in d && typeof d.token_reviewer_jwt === 'string' && d.token_reviewer_jwt.split('.').length === 3) {
      throw new InputError({ file, field: 'token_reviewer_jwt' }, 'holds a JWT: never paste it anywhere', 'remove the field (Vault itself only ever shows token_reviewer_jwt_set) and revoke that token');
    }
    return {
      type: 'kubernetes',
      tokenReviewerJwtSet: d.token_reviewer_jwt_set === true,
      disableLocalCaJwt: d.disable_local_ca_jwt === true,
      ...(typeof d.kubernetes_host === 'string' ? { kubernetesHost: d.kubernetes_host } : {}),
      ...(typeof d.kubernetes_ca_cert === 'string' && d.kubernetes_ca_cert ? { kubernetesCaPem: d.kubernetes_ca_cert } : {}),
    };
  }
  if ('jwt_validation_pubkeys' in d || 'oidc_discovery_url' in d || 'jwks_url' in d || 'bound_issuer' in d) {
    return { type: 'jwt', ...(typeof d.bound_issuer === 'string' && d.bound_issuer ? { boundIssuer: d.bound_issuer } : {}) };
  }
  throw new InputError({ file, field: 'data' }, 'is neither a kubernetes auth config (kubernetes_host) nor a JWT auth config (jwt_validation_pubkeys, oidc_discovery_url, jwks_url)', 'pass `vault read -format=json auth/<mount>/config` for the mount the Issuer names');
}

export function readAuthConfigFile(file: string): AuthConfigFacts {
  return parseAuthConfig(readText(file, '--vault-auth-config'), file);
}

/** `vault auth list -format=json` (`{"kubernetes/": {"type": "kubernetes", …}}`) or the sys/auth answer. */
export function parseAuthList(text: string, file: string): Record<string, string> {
  const flag = '--vault-auth-list';
  const d = dataOf(text, file, flag, 'sys/auth` (or `vault auth list -format=json');
  const mounts: Record<string, string> = {};
  for (const [path, entry] of Object.entries(d)) {
    if (!path.endsWith('/') || !isObj(entry) || typeof entry.type !== 'string') continue;
    mounts[path.replace(/\/$/, '')] = entry.type;
  }
  if (!Object.keys(mounts).length) throw new InputError({ file, field: 'data' }, 'lists no auth mount (`<path>/: {type: …}`)', 'pass the output of `vault auth list -format=json`');
  return mounts;
}

export function readAuthListFile(file: string): Record<string, string> {
  return parseAuthList(readText(file, '--vault-auth-list'), file);
}
