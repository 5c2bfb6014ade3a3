import type { KubernetesObject } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { Cleaner } from '../lib/cleaner.ts';
import { sleep } from '../lib/wait.ts';
import { apiMessage } from '../lib/kube.ts';
import { resolvePlaceholders } from '../scenarios/placeholders.ts';
import type { EnvironmentFacts, Observation, Plan, Prediction } from '../scenarios/types.ts';
import { redact } from '../vault/redact.ts';
import type { ScenarioEnvironment, VaultHandle } from './environment.ts';
import {
  authDelegatorBinding,
  certificateObject,
  issuerObject,
  namespaceObject,
  serviceAccount,
  serviceAccountNamespace,
  tokenRequestRbac,
} from './manifests.ts';
import { inspectIssued, requestedSans, readyCondition, waitIssuerSettled, type Condition } from './observe.ts';
import { certificateRequestOf, waitSignOutcome } from './sign-observe.ts';
import { auditEvidence, observeAudit } from './audit-observe.ts';
import { extraRoleBinding, measureExposure, measureTokenRequesters } from './exposure.ts';
import { configureVaultAuth, ensureShared, VAULT_ROLE } from './vault-setup.ts';
import { scenarioSignPath } from './vault-policy.ts';
import { objectKey, PROBE_NAMESPACE } from '../lib/names.ts';
import { accessorMarker, audienceMarker, completeLines, nameMarker, Neighbourhood } from './attribution.ts';
import { vaultLogMark } from './vault-mark.ts';

export function factsOf(env: ScenarioEnvironment, vaultServer: string): EnvironmentFacts {
  return {
    vaultServer,
    clusterResourceNamespace: env.clusterResourceNamespace,
    apiAudiences: env.profile.apiAudiences,
    serviceAccountIssuer: env.profile.serviceAccountIssuer,
  };
}

/**
 * The actions and observations of one scenario in one environment. Everything it creates is registered with its
 * Cleaner and removed by `cleanUp()` newest first — after `evidence()` has been taken. Namespaces stay: the next
 * scenario of the environment uses them again.
 *
 * `plan` is the plan as it runs (under isolated names when scenarios run side by side, runner/isolate.ts). What it
 * reads from the shared logs goes through the environment's Neighbourhood: lines that carry another scenario's
 * marker are not this scenario's (runner/attribution.ts).
 */
export class ScenarioSession {
  readonly secrets: string[];
  private readonly created: KubernetesObject[] = [];
  private readonly cleaner = new Cleaner();
  private issuer?: KubernetesObject;
  private marks = { apiserver: 0, vault: 0 };
  private certificates = 0;

  private constructor(
    readonly env: ScenarioEnvironment,
    readonly plan: Plan,
    readonly vault: VaultHandle,
    readonly facts: EnvironmentFacts,
    private readonly neighbours: Neighbourhood,
  ) {
    this.secrets = [...env.secrets()];
  }

  static async open(env: ScenarioEnvironment, plan: Plan, neighbours = new Neighbourhood()): Promise<ScenarioSession> {
    const vault = await env.vault(plan.vault.engine, plan.vault.version, plan.vault.placement);
    return new ScenarioSession(env, plan, vault, factsOf(env, vault.server), neighbours);
  }

  /** What marks this scenario's lines before anything runs: its token audiences, login paths and names. */
  claimMarkers(tokenAudiences: readonly string[][]): void {
    const { plan } = this;
    const mounts = [...new Set([plan.auth.mount, plan.issuer.mount ?? plan.auth.mount])];
    this.neighbours.add(plan.id, {
      apiserver: tokenAudiences.filter((a) => a.length).map(audienceMarker),
      auditPaths: mounts.map((m) => `auth/${m}/login`),
      auditDisplayPrefixes: [`${plan.auth.mount}-`],
      names: [plan.issuer.name, ...(plan.issuer.namespace ? [plan.issuer.namespace] : [])].map(nameMarker),
    });
  }

  redact = (s: string) => redact(s, this.secrets);

  get certNamespace(): string {
    return this.plan.issuer.kind === 'Issuer' ? this.plan.issuer.namespace! : PROBE_NAMESPACE;
  }

  private async apply(o: KubernetesObject) {
    await this.env.kube.apply(o);
    this.made(o);
  }

  /** Remembers an object for evidence and registers its removal. */
  private made(o: KubernetesObject) {
    this.created.push(o);
    if (o.kind !== 'Namespace') this.cleaner.add(objectKey(o), () => this.env.kube.delete(o));
  }

  /** Log positions: what a stage observes is what the logs gained after this call. */
  async markLogs(): Promise<void> {
    this.marks = { apiserver: completeLines(await this.env.apiserverLog()), vault: await vaultLogMark(this.vault) };
  }

  /** ServiceAccount, the RBAC the scenario grants, and Vault's auth mount and role. */
  async setUp(): Promise<void> {
    const { plan, env } = this;
    const saNs = serviceAccountNamespace(plan.issuer, env.clusterResourceNamespace);
    if (plan.issuer.kind === 'Issuer') await this.apply(namespaceObject(saNs));
    await this.apply(serviceAccount(saNs, plan.issuer.serviceAccount));
    if (plan.issuer.tokenRequestRole) for (const o of tokenRequestRbac(saNs, plan.issuer.serviceAccount, env.controllerServiceAccount)) await this.apply(o);
    if (plan.issuer.authDelegator) await this.apply(authDelegatorBinding(saNs, plan.issuer.serviceAccount));
    if (plan.issuer.extraRoleBinding) await this.apply(extraRoleBinding(saNs, plan.issuer.serviceAccount, plan.issuer.extraRoleBinding));
    const mount = plan.auth.mount;
    // Registered before the mount exists: a half-configured mount is removed too (a missing one is no failure).
    this.cleaner.add(`vault auth mount ${mount}`, () => this.vault.admin.delete(`sys/auth/${mount}`).then(() => undefined));
    await configureVaultAuth(env, this.vault, plan, this.facts, (s) => this.secrets.push(s));
    const accessor = await this.mountAccessor(mount);
    if (accessor) this.neighbours.add(plan.id, { vault: [accessorMarker(accessor)] });
  }

  /** The accessor Vault's plugin logger names the mount by. */
  private async mountAccessor(mount: string): Promise<string | undefined> {
    const res = (await this.vault.admin.read('sys/auth')) as { data?: Record<string, { accessor?: string }> } & Record<string, unknown>;
    const table = (res.data ?? res) as Record<string, { accessor?: string }>;
    return table[`${mount}/`]?.accessor;
  }

  /** Creates the Issuer with strict field validation; returns the API server's refusal, if any. */
  async createIssuer(): Promise<{ message: string } | undefined> {
    const { plan, facts, vault } = this;
    const audiences = plan.issuer.audiences?.map((a) => resolvePlaceholders(a, plan, facts));
    const issuer = issuerObject(plan, { server: vault.server, caPem: vault.caPem, signPath: scenarioSignPath(vault, plan), role: VAULT_ROLE, ...(audiences ? { audiences } : {}) });
    try {
      await this.env.kube.create(issuer, { strict: plan.issuer.fieldValidation === 'strict' });
      this.made(issuer);
      this.issuer = issuer;
      return undefined;
    } catch (err) {
      return { message: apiMessage(err) };
    }
  }

  async issuerCondition(): Promise<Condition | undefined> {
    return this.issuer ? readyCondition(this.env.kube, this.issuer) : undefined;
  }

  async waitIssuer(timeoutMs: number, until?: (c: Condition) => boolean) {
    return waitIssuerSettled(this.env.kube, this.issuer!, timeoutMs, until);
  }

  /** A new Certificate from the Issuer; its chain checked against Vault's PKI root and its SANs against the request. */
  async issueCertificate(timeoutMs: number): Promise<NonNullable<Observation['certificate']>> {
    const ns = this.certNamespace;
    if (this.plan.issuer.kind === 'ClusterIssuer') await ensureShared(this.env, `namespace ${ns}`, () => this.env.kube.apply(namespaceObject(ns)));
    const name = `probe-${createHash('sha256').update(`${this.plan.id}/${Date.now()}/${this.certificates++}`).digest('hex').slice(0, 10)}`;
    const cert = certificateObject(this.plan, ns, name);
    await this.apply(cert);
    this.made({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-tls`, namespace: ns } });
    const outcome = await waitSignOutcome(this.env.kube, cert, timeoutMs);
    const issued = await inspectIssued(this.env.kube, ns, `${name}-tls`, this.vault.pkiRootPem, requestedSans(cert as { spec?: { dnsNames?: string[]; ipAddresses?: string[]; uris?: string[] } }));
    const r = outcome.request;
    return {
      ready: outcome.certificate?.status === 'True',
      secretName: `${name}-tls`,
      ...(issued ? { serial: issued.serial, chainVerified: issued.chainVerified, sansMatch: issued.sansMatch, names: issued.names } : {}),
      ...(r ? { request: { status: r.status, reason: r.reason ?? '', message: r.message ?? '' } } : {}),
    };
  }

  /** The serial now in a Secret an earlier issuance wrote. */
  async serialOf(secretName: string): Promise<string | undefined> {
    return (await inspectIssued(this.env.kube, this.certNamespace, secretName, this.vault.pkiRootPem, []))?.serial;
  }

  /** What the logs gained since `markLogs()`, redacted. A moment first, for the last lines to be flushed. */
  async logsSinceMark(): Promise<Pick<Observation, 'apiserverLog' | 'vaultLog' | 'audit'>> {
    await sleep(300);
    const id = this.plan.id;
    const vaultLines = (await this.vault.logLines()).slice(this.marks.vault).map(this.redact);
    const audit = await observeAudit(this.vault, vaultLines, VAULT_ROLE, scenarioSignPath(this.vault, this.plan));
    return {
      apiserverLog: this.neighbours.lines(id, 'apiserver', (await this.env.apiserverLog()).slice(this.marks.apiserver).map(this.redact)),
      vaultLog: this.neighbours.lines(id, 'vault', audit.logLines),
      ...(audit.entries ? { audit: this.neighbours.audit(id, audit.entries) } : {}),
    };
  }

  /**
   * What the issuer's token (with cert-manager's audiences) may do against the API server, and who may mint it, as
   * far as the prediction asks; after the logs are read.
   */
  async exposure(p: Pick<Prediction, 'exposure' | 'tokenAudiences'>): Promise<NonNullable<Observation['exposure']>> {
    const namespace = serviceAccountNamespace(this.plan.issuer, this.env.clusterResourceNamespace);
    const measure = () => measureExposure(this.env, { namespace, serviceAccount: this.plan.issuer.serviceAccount, audiences: p.tokenAudiences, remember: (t) => this.secrets.push(t) });
    const used = p.exposure?.apiAudience === undefined ? {} : await measure();
    const asked = p.exposure?.requesters;
    return { ...used, ...(asked ? { requesters: await measureTokenRequesters(this.env.kube, asked) } : {}) };
  }

  /** The environment's log bundle under `cluster-logs/`, redacted; empty where the backend has none. */
  async clusterLogBundle(): Promise<Record<string, string>> {
    const files = (await this.env.exportLogs?.().catch((err: Error) => ({ 'export-failed.txt': err.message }))) ?? {};
    return Object.fromEntries(Object.entries(files).map(([path, text]) => [`cluster-logs/${path}`, this.redact(text)]));
  }

  async evidence(observation: Observation): Promise<Record<string, string>> {
    const evidence: Record<string, string> = {};
    for (const obj of this.created) {
      if (!['Issuer', 'ClusterIssuer', 'Certificate'].includes(obj.kind!)) continue;
      const live = await this.env.kube.read(obj.apiVersion!, obj.kind!, obj.metadata!.name!, obj.metadata?.namespace);
      if (live) evidence[`${obj.kind}-${obj.metadata!.name}.json`] = this.redact(JSON.stringify(live, null, 2));
      const request = obj.kind === 'Certificate' ? await certificateRequestOf(this.env.kube, obj) : undefined;
      // The CSR is public, but long: the evidence keeps the request's conditions and names, not its body.
      if (request) evidence[`CertificateRequest-${request.metadata!.name}.json`] = this.redact(JSON.stringify({ metadata: { name: request.metadata!.name, annotations: request.metadata!.annotations }, status: request.status }, null, 2));
    }
    evidence['apiserver.log'] = observation.apiserverLog.filter((l) => /authenticat|audience|forbidden/i.test(l)).join('\n');
    evidence['vault.log'] = observation.vaultLog.filter((l) => /auth|login|audience|denied/i.test(l)).join('\n');
    evidence['cert-manager.log'] = this.neighbours.lines(this.plan.id, 'names', await this.env.certManagerLog()).slice(-80).map(this.redact).join('\n');
    evidence['vault-audit.json'] = this.redact(auditEvidence(observation.audit, this.vault.auditUnavailable));
    if (observation.exposure) evidence['token-exposure.json'] = this.redact(JSON.stringify(observation.exposure, null, 2));
    return evidence;
  }

  /** Removes what the scenario made, newest first; an object already gone is no failure. */
  async cleanUp(): Promise<void> {
    await this.cleaner.unwind();
  }
}
