// The contract between the catalogue, the oracle and the backends.
// Data flows one way: Scenario (YAML) -> Plan (validated, defaults filled) -> environment facts
// (what only a running cluster and Vault know) -> observations -> verdict against the oracle's Prediction.

export type ProfileName = 'kind' | 'aks-like' | 'eks-like' | 'custom';
export type VaultEngine = 'vault' | 'openbao';
export type Placement = 'in-cluster' | 'external';
export type IssuerKind = 'Issuer' | 'ClusterIssuer';
/** Who authorizes Vault's TokenReview call. */
export type TokenReviewer = 'local-token' | 'reviewer-jwt' | 'client-jwt';

export interface ClusterProfile {
  name: string;
  /** --service-account-issuer: the `iss` of every ServiceAccount token. */
  serviceAccountIssuer: string;
  /** --api-audiences: the implicit audiences the API server accepts on bearer tokens (defaults to the issuer). */
  apiAudiences: string[];
  description?: string;
}

export interface KubernetesAuth {
  method: 'kubernetes';
  /** Vault mount, without `auth/` (default `kubernetes`). */
  mount: string;
  tokenReviewer: TokenReviewer;
  /** The role's `audience`; absent = no local audience check. May hold placeholders. */
  roleAudience?: string;
  /** The role's `bound_service_account_names`; absent = the Issuer's ServiceAccount. */
  boundServiceAccountNames?: string[];
  /** The role's `bound_service_account_namespaces`; absent = the Issuer's ServiceAccount namespace. */
  boundServiceAccountNamespaces?: string[];
  /** `kubernetes_host`/`kubernetes_ca_cert` that miss the API server; absent = the ones that reach it. */
  reviewHost?: ReviewHost;
}

/** How auth/<mount>/config misses the API server: a stale host, or a CA that does not sign its certificate. */
export type ReviewHost = 'unreachable' | 'wrong-ca';

export interface JwtAuth {
  method: 'jwt';
  mount: string;
  /** The role's `bound_audiences`; empty = none bound. May hold placeholders. */
  boundAudiences: string[];
}

export type AuthSpec = KubernetesAuth | JwtAuth;

export interface CertManagerSpec {
  /** The version the scenario runs (for an upgrade: the version after it). */
  version: string;
  upgrade?: { from: string; to: string };
  /** The Helm that installs and upgrades it (kind); the process cluster renders the chart's RBAC with it. */
  installer: 'helm3' | 'helm4';
}

export interface IssuerSpec {
  kind: IssuerKind;
  name: string;
  /** Required for an Issuer; absent for a ClusterIssuer. */
  namespace?: string;
  serviceAccount: string;
  /** The auth mount the Issuer's `mountPath` names (`/v1/auth/<mount>`); absent = `auth.mount`. */
  mount?: string;
  /** serviceAccountRef.audiences (cert-manager >= 1.15). Absent = field not set. May hold placeholders. */
  audiences?: string[];
  /** Grant `create` on serviceaccounts/token for the ServiceAccount to cert-manager's controller. */
  tokenRequestRole: boolean;
  /** Bind the issuer's ServiceAccount to system:auth-delegator. */
  authDelegator: boolean;
  /** A careless RoleBinding: the ServiceAccount bound to this ClusterRole (e.g. `edit`) in its namespace. */
  extraRoleBinding?: string;
  /**
   * How the client creates the Issuer: `strict` (kubectl's default) refuses unknown fields; `warn` (a client that
   * sends no fieldValidation) gets it stored with unknown fields pruned and only a warning.
   */
  fieldValidation: 'strict' | 'warn';
}

/** What failed, as a class a human picks when writing a scenario. The oracle supplies exact texts. */
export type FailureClass =
  | 'apiserver-audience'
  | 'vault-role-audience'
  | 'jwt-bound-audience'
  | 'jwt-no-bound-audiences'
  | 'token-request-forbidden'
  | 'reviewer-forbidden'
  | 'crd-unknown-field'
  | 'vault-mount-path'
  | 'role-bound-service-account'
  /** The Issuer is Ready, but Vault's ACL refuses the sign request: the CertificateRequest fails. */
  | 'vault-policy-denied'
  /** The ACL lets the sign request through, and the PKI role refuses a name (or a missing CN): HTTP 400. */
  | 'pki-role-denied'
  /** Vault's TokenReview call never reaches an API server it trusts: a stale kubernetes_host or a wrong kubernetes_ca_cert. */
  | 'review-host';

/**
 * The ACL policy the Vault role hands out. Absent = the default: create/update on `<pki>/sign/<role>` and
 * `<pki>/issue/<role>` with no parameter constraints (vault/configure/policy.ts).
 */
export interface HardenedVaultPolicy {
  kind: 'hardened';
  /** Parameter -> allowed value globs; `[]` = any value; key `*` = any other parameter. Empty = no constraint. */
  allowedParameters: Record<string, string[]>;
  requiredParameters: string[];
  /** Parameter -> denied value globs; `[]` = every value denied. Judged before allowedParameters. */
  deniedParameters: Record<string, string[]>;
  paths: Array<'sign' | 'issue'>;
}

/** The names the probe Certificate asks for; absent = a name derived from the probe object. */
export interface CertificateSpec {
  /** Absent: the CSR's subject has no CN and cert-manager sends `common_name=""`. */
  commonName?: string;
  dnsNames: string[];
  ipAddresses: string[];
  uriSANs: string[];
}

/** A PKI role's name checks, Vault's fields (builtin/logical/pki/path_roles.go), every one resolved. */
export interface PkiRoleSpec {
  allowedDomains: string[];
  allowSubdomains: boolean;
  allowBareDomains: boolean;
  allowAnyName: boolean;
  enforceHostnames: boolean;
  requireCn: boolean;
  useCsrSans: boolean;
  useCsrCommonName: boolean;
}

export interface Expectation {
  ready: boolean;
  failure?: FailureClass;
}

export interface Scenario {
  id: string;
  description: string;
  cluster: { profile: ProfileName; kubernetes: string; serviceAccountIssuer?: string; apiAudiences?: string[] };
  certManager: CertManagerSpec;
  /** pkiRole absent: the environment's shared role (vault/configure/pki.ts#DEFAULT_PKI_ROLE_SPEC). */
  vault: { engine: VaultEngine; version: string; placement: Placement; policy?: HardenedVaultPolicy; pkiRole?: PkiRoleSpec };
  certificate?: CertificateSpec;
  auth: AuthSpec;
  issuer: IssuerSpec;
  expect: Expectation;
  /** Where it came from, for error messages and `explain FILE`. */
  source: { file: string; line: number };
  tags: string[];
}

/** A scenario with everything resolved that does not need a running environment. */
export interface Plan extends Scenario {
  profile: ClusterProfile;
  /** Key of the environment this plan shares with others (same cluster and cert-manager; see scenarios/plan.ts). */
  environmentKey: string;
  /** Every version it needs is one CI builds (versions.yaml `ci`), so CI runs it; the rest run in the main job. */
  ci: boolean;
}

/** What only the running environment knows; placeholders resolve against these. */
export interface EnvironmentFacts {
  /** spec.vault.server as the Issuer will carry it, e.g. https://127.0.0.1:8200. */
  vaultServer: string;
  /** The namespace cert-manager uses for ClusterIssuer credentials (default `cert-manager`). */
  clusterResourceNamespace: string;
  /** The API server's implicit audiences as observed (normally the profile's). */
  apiAudiences: string[];
  serviceAccountIssuer: string;
}

export interface ExplainStep {
  /** Short title: "token audiences", "role audience check", … */
  step: string;
  detail: string;
  /** Upstream source the rule comes from: repo@tag path#symbol. */
  source: string;
}

export interface Prediction {
  ready: boolean;
  failure?: FailureClass;
  /** Audiences cert-manager asks the TokenRequest for, in order. Empty when no token is requested. */
  tokenAudiences: string[];
  /** The Issuer's Ready condition. */
  issuer: { status: 'True' | 'False'; reason: string; message: string } | null;
  /** Rejected before the Issuer exists (CRD validation). */
  rejection?: { message: string };
  /** Vault's answer to the login and, where it has one, its debug log line. */
  vault?: { status: number; errors: string[]; logLine?: string };
  /** The kube-apiserver line that names the audience mismatch. */
  apiserver?: { line: string };
  /** cert-manager's sign request and Vault's ACL answer; present when the Issuer is predicted Ready. */
  sign?: SignPrediction;
  /** The audit entries that show this scenario's login (and sign) in Vault's audit log. */
  audit?: AuditPrediction;
  /** What the issuer's token can do against the API server; absent when no token is issued. */
  exposure?: ExposurePrediction;
  steps: ExplainStep[];
}

export interface ExposurePrediction {
  /**
   * The token's audiences meet the API audiences: it authenticates to the API server. Absent: the token is not used
   * at this stage (no token cert-manager would get, e.g. before an upgrade whose old CRD refuses the Issuer).
   */
  apiAudience?: boolean;
  user?: string;
  /** The bindings that give it rights beyond the self-reviews; empty = none. */
  grants?: string[];
  /** A rule the review must list, `verb resource.group`. */
  mustInclude?: string;
  /** Who may mint tokens for the ServiceAccounts that matter here (create serviceaccounts/token), per subject asked. */
  requesters?: TokenRequesterPrediction[];
  /** Rights every ServiceAccount has on this Kubernetes by default RBAC (oracle/service-account-defaults.ts): not flagged. */
  defaultRights?: string[];
}

/** Whether `subject` may create serviceaccounts/token for `namespace/serviceAccount` (a SubjectAccessReview). */
export interface TokenRequester {
  subject: string;
  namespace: string;
  serviceAccount: string;
  allowed: boolean;
}

export interface TokenRequesterPrediction extends TokenRequester {
  /** Which binding grants it, or why nothing does. */
  why: string;
}

/** What the SelfSubjectReview and SelfSubjectRulesReview answered for the issuer's token. */
export interface ExposureObservation {
  /** The audiences of the token used; absent when no token was used (only the requesters were asked). */
  audiences?: string[];
  /** HTTP status and reason when the API server refused the token. */
  refused?: string;
  user?: string;
  /** Resource rules beyond the self-reviews, `verbs resources.group`, sorted. */
  rights?: string[];
  /** The SubjectAccessReview answers for the predicted requesters, in their order. */
  requesters?: TokenRequester[];
}

export interface SignPrediction {
  allowed: boolean;
  /** The CertificateRequest's Ready condition once Vault answered (Issued, or Failed with Vault's error). */
  certificateRequest: { status: 'True' | 'False'; reason: string; message: string };
  /** Where the scenario names its Certificate: the names the signed certificate carries (CN '' = none). */
  signed?: SignedNames;
}

/** A certificate's subject CN ('' = none) and SANs as Node's X509Certificate#subjectAltName entries, sorted. */
export interface SignedNames {
  commonName: string;
  sans: string[];
}

/** One fact per scenario read from the audit log: the login entry, and where the sign is refused its entry too. */
export interface AuditPrediction {
  /** null: cert-manager never reaches Vault, so no login entry carries the scenario's role. */
  login: { path: string; error?: string; policies?: string[] } | null;
  sign?: { path: string; error: string };
}

/** One audit log entry as the suite keeps it: only fields that are safe and in clear (HMAC'd values stay HMAC'd). */
export interface AuditEntry {
  type: 'request' | 'response';
  time: string;
  path: string;
  operation: string;
  remoteAddress: string;
  /** request.data.role as written, normally `hmac-sha256:…`. */
  role?: string;
  error?: string;
  /** An error response's `data.error` as written (HMAC'd by default: compare with the HMAC of a known text). */
  responseError?: string;
  /** The known error text whose HMAC `responseError` equals, when one does. */
  responseErrorIs?: string;
  /** Token policies on the response of a successful login (clear text in the audit log). */
  policies?: string[];
  /** auth.metadata (role, service_account_name, …) on a successful login. */
  metadata?: Record<string, string>;
  /** The calling token's display name (`<mount>-…`, clear text): whose token made a request after login. */
  displayName?: string;
}

export interface Observation {
  issuer: { status: string; reason: string; message: string } | null;
  rejection?: { message: string };
  vaultLog: string[];
  apiserverLog: string[];
  certificate?: {
    ready: boolean;
    secretName?: string;
    serial?: string;
    chainVerified?: boolean;
    sansMatch?: boolean;
    /** The leaf's subject CN and SANs. */
    names?: SignedNames;
    /** The CertificateRequest's Ready condition (the sign step's outcome). */
    request?: { status: string; reason: string; message: string };
  };
  /** The audit entries of this scenario's login and sign requests. */
  audit?: AuditEntry[];
  exposure?: ExposureObservation;
}

export interface SideVerdict {
  side: 'issuer' | 'vault' | 'apiserver' | 'certificate' | 'audit' | 'exposure';
  /** For upgrade scenarios: the stage the side was judged at. */
  stage?: 'before' | 'during' | 'after';
  /** Not a failure; with `unobserved` also not a pass. */
  ok: boolean;
  /** The backend cannot observe this side (e.g. no API server log on a managed cluster): not judged, counted apart. */
  unobserved?: true;
  expected: string;
  observed: string;
}

export interface Verdict {
  id: string;
  pass: boolean;
  sides: SideVerdict[];
  durationMs: number;
}
