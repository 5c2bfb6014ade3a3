import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import { apiMessage } from '../lib/kube.ts';
import { predict } from '../scenarios/oracle/index.ts';
import { resolvePlaceholders } from '../scenarios/placeholders.ts';
import type { EnvironmentFacts, Observation, Plan, Prediction, Verdict } from '../scenarios/types.ts';
import { redact } from '../vault/redact.ts';
import type { ScenarioEnvironment } from './environment.ts';
import {
  authDelegatorBinding,
  certificateObject,
  issuerObject,
  namespaceObject,
  serviceAccount,
  serviceAccountNamespace,
  tokenRequestRbac,
} from './manifests.ts';
import { inspectIssued, waitCertificateReady, waitIssuerSettled } from './observe.ts';
import { judge } from './verdict.ts';
import { configureVaultAuth, VAULT_ROLE } from './vault-setup.ts';

export interface ScenarioResult {
  plan: Plan;
  facts: EnvironmentFacts;
  prediction: Prediction;
  observation: Observation;
  verdict: Verdict;
  /** Redacted evidence: objects and log excerpts, collected before cleanup. */
  evidence: Record<string, string>;
  notes: string[];
}

const PROBE_NAMESPACE = 'cm-vault-e2e-probe';

export function factsOf(env: ScenarioEnvironment, vaultServer: string): EnvironmentFacts {
  return {
    vaultServer,
    clusterResourceNamespace: env.clusterResourceNamespace,
    apiAudiences: env.profile.apiAudiences,
    serviceAccountIssuer: env.profile.serviceAccountIssuer,
  };
}

/**
 * One scenario, in order: environment facts -> prediction -> actions -> observations -> verdict.
 * Scenarios of one environment run one at a time (they reuse namespaces, issuer names and auth mounts),
 * and each removes what it created, in reverse order, after its evidence is taken.
 */
export async function runScenario(env: ScenarioEnvironment, plan: Plan, opts: { timeoutMs?: number } = {}): Promise<ScenarioResult> {
  const started = Date.now();
  const vault = await env.vault(plan.vault.engine, plan.vault.version);
  const facts = factsOf(env, vault.server);
  const prediction = predict(plan, facts);
  const secrets: string[] = [...env.secrets()];
  const redactAll = (s: string) => redact(s, secrets);
  const apiserverMark = (await env.apiserverLog()).length;
  const vaultMark = (await vault.logLines()).length;
  const created: KubernetesObject[] = [];
  const apply = async (o: KubernetesObject) => {
    await env.kube.apply(o);
    created.push(o);
  };
  const observation: Observation = { issuer: null, vaultLog: [], apiserverLog: [] };
  const evidence: Record<string, string> = {};
  try {
    const saNs = serviceAccountNamespace(plan.issuer, env.clusterResourceNamespace);
    if (plan.issuer.kind === 'Issuer') await apply(namespaceObject(saNs));
    await apply(serviceAccount(saNs, plan.issuer.serviceAccount));
    if (plan.issuer.tokenRequestRole) for (const o of tokenRequestRbac(saNs, plan.issuer.serviceAccount, env.controllerServiceAccount)) await apply(o);
    if (plan.issuer.authDelegator) await apply(authDelegatorBinding(saNs, plan.issuer.serviceAccount));
    created.push(...(await configureVaultAuth(env, vault, plan, facts, (s) => secrets.push(s))));

    const audiences = plan.issuer.audiences?.map((a) => resolvePlaceholders(a, plan, facts));
    const issuer = issuerObject(plan, { server: vault.server, caPem: vault.caPem, signPath: `${vault.pkiMount}/sign/${vault.pkiRole}`, role: VAULT_ROLE, ...(audiences ? { audiences } : {}) });
    try {
      await env.kube.create(issuer, { strict: true });
      created.push(issuer);
    } catch (err) {
      observation.rejection = { message: apiMessage(err) };
    }
    if (!observation.rejection) {
      const settled = await waitIssuerSettled(env.kube, issuer, opts.timeoutMs ?? 30_000);
      const c = settled.condition;
      observation.issuer = c ? { status: c.status, reason: c.reason ?? '', message: c.message ?? '' } : null;
      if (c?.status === 'True') {
        const certNs = plan.issuer.kind === 'Issuer' ? saNs : PROBE_NAMESPACE;
        if (plan.issuer.kind === 'ClusterIssuer') await apply(namespaceObject(certNs));
        const certName = `probe-${createHash('sha256').update(`${plan.id}/${started}`).digest('hex').slice(0, 10)}`;
        const cert = certificateObject(plan, certNs, certName);
        await apply(cert);
        const ready = await waitCertificateReady(env.kube, cert, opts.timeoutMs ?? 30_000);
        const dnsNames = (cert as unknown as { spec: { dnsNames: string[] } }).spec.dnsNames;
        const issued = await inspectIssued(env.kube, certNs, `${certName}-tls`, vault.pkiRootPem, dnsNames);
        observation.certificate = { ready: ready.condition?.status === 'True', ...(issued ? { serial: issued.serial, chainVerified: issued.chainVerified, sansMatch: issued.sansMatch } : {}) };
        created.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `${certName}-tls`, namespace: certNs } });
      }
    }
    // A moment for the last log lines of the login attempt to be flushed.
    await new Promise((r) => setTimeout(r, 300));
    observation.apiserverLog = (await env.apiserverLog()).slice(apiserverMark).map(redactAll);
    observation.vaultLog = (await vault.logLines()).slice(vaultMark).map(redactAll);
    await collectEvidence(env, created, observation, evidence, redactAll);
  } finally {
    for (const o of [...created].reverse()) {
      if (o.kind === 'Namespace') continue;
      await env.kube.delete(o).catch(() => undefined);
    }
  }
  const sides = judge(prediction, observation);
  return {
    plan,
    facts,
    prediction,
    observation,
    verdict: { id: plan.id, pass: sides.every((s) => s.ok), sides, durationMs: Date.now() - started },
    evidence,
    notes: plan.vault.placement === 'in-cluster' && env.backend === 'local' ? [env.notes[1]!] : [],
  };
}

async function collectEvidence(env: ScenarioEnvironment, created: KubernetesObject[], o: Observation, evidence: Record<string, string>, redactAll: (s: string) => string) {
  for (const obj of created) {
    if (!['Issuer', 'ClusterIssuer', 'Certificate'].includes(obj.kind!)) continue;
    const live = await env.kube.read(obj.apiVersion!, obj.kind!, obj.metadata!.name!, obj.metadata?.namespace);
    if (live) evidence[`${obj.kind}-${obj.metadata!.name}.json`] = redactAll(JSON.stringify(live, null, 2));
  }
  evidence['apiserver.log'] = o.apiserverLog.filter((l) => /authenticat|audience|forbidden/i.test(l)).join('\n');
  evidence['vault.log'] = o.vaultLog.filter((l) => /auth|login|audience|denied/i.test(l)).join('\n');
  evidence['cert-manager.log'] = (await env.certManagerLog()).slice(-80).map(redactAll).join('\n');
}
