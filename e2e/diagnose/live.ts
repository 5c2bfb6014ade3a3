// For e2e/diagnose.e2e.ts: run `diagnose` live against a scenario environment, and apply the fix it printed
// exactly as its data says (the same action the text was rendered from).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { diagnose, writeScenarios, type Diagnosis } from '../../diagnose/diagnose.ts';
import type { FixAction } from '../../diagnose/fixes.ts';
import { liveFacts } from '../../diagnose/live.ts';
import { renderDiagnosis } from '../../diagnose/render.ts';
import { kubeConfigFor } from '../../lib/kube.ts';
import type { ScenarioEnvironment, VaultHandle } from '../../runner/environment.ts';
import { loadPlans } from '../../scenarios/plan.ts';
import { loadProfiles } from '../../scenarios/profiles.ts';
import type { Plan } from '../../scenarios/types.ts';
import { loadVersions } from '../../scenarios/versions.ts';

export interface LiveDiagnosis {
  diagnosis: Diagnosis;
  text: string;
  /** The two scenario files diagnose wrote, loaded. */
  written: Plan[];
}

/** Files only this process reads (kubeconfig, Vault token and CA), removed afterwards. */
function scratch(): { dir: string; file: (name: string, text: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'cm-vault-e2e-diagnose-'));
  return {
    dir,
    file: (name, text) => {
      const path = join(dir, name);
      writeFileSync(path, text, { mode: 0o600 });
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * diagnose --kubeconfig … --issuer NS/NAME --vault-addr … --vault-token-file … --vault-ca …, as the CLI runs it.
 * The process cluster has no cert-manager Deployment to read a version from: `certManagerVersion` says it there.
 * `issuerFile` + `message`: an Issuer the API server refused (diagnosed from the file, facts read live).
 */
export async function diagnoseLive(env: ScenarioEnvironment, vault: VaultHandle, plan: Plan, o: { certManagerVersion?: string; refused?: { issuer: KubernetesObject; message: string } } = {}): Promise<LiveDiagnosis> {
  const s = scratch();
  try {
    const kubeconfig = s.file('kubeconfig', kubeConfigFor(env.access).exportConfig());
    const vaultTokenFile = s.file('vault-token', vault.admin.token);
    const vaultCa = s.file('vault-ca.pem', vault.caPem);
    const target = o.refused
      ? { issuerFile: s.file('issuer.yaml', stringify(o.refused.issuer)), message: o.refused.message }
      : plan.issuer.kind === 'Issuer'
        ? { issuer: `${plan.issuer.namespace}/${plan.issuer.name}` }
        : { clusterIssuer: plan.issuer.name };
    const facts = await liveFacts(
      { kubeconfig, ...target, vaultAddr: vault.admin.endpoint, vaultTokenFile, vaultCa, ...(o.certManagerVersion ? { certManagerVersion: o.certManagerVersion } : {}) },
      {},
    );
    const versions = loadVersions();
    const diagnosis = diagnose({ facts, versions, profiles: loadProfiles() });
    const written = writeScenarios(diagnosis, join(s.dir, 'scenarios'));
    const plans = written ? loadPlans({ files: [written.failure, ...(written.fix ? [written.fix] : [])] }) : [];
    return { diagnosis, text: renderDiagnosis(diagnosis, written), written: plans };
  } finally {
    s.remove();
  }
}

/** Applies one printed fix; returns the objects it created (to delete afterwards). */
export async function applyFix(env: ScenarioEnvironment, vault: VaultHandle, action: FixAction): Promise<KubernetesObject[]> {
  switch (action.kind) {
    case 'issuer-patch': {
      const { kind, name, namespace } = action.issuer;
      const patch = { apiVersion: 'cert-manager.io/v1', kind, metadata: { name, ...(namespace ? { namespace } : {}) }, spec: { vault: { auth: { kubernetes: action.patch } } } };
      await env.kube.objects.patch(patch, undefined, undefined, 'cm-vault-e2e-diagnose', undefined, PatchStrategy.MergePatch);
      return [];
    }
    case 'vault-write': {
      const unknown = Object.entries(action.body).find(([, v]) => String(v).includes('<'));
      if (unknown) throw new Error(`diagnose printed a vault write with an unknown value (${unknown[0]}=${String(unknown[1])}) although it read Vault`);
      await vault.admin.write(action.path, action.body);
      return [];
    }
    case 'manifests': {
      const objects = action.objects as KubernetesObject[];
      for (const o of objects) await env.kube.apply(o);
      return objects;
    }
    case 'cert-manager-upgrade':
      await env.upgradeCertManager(action.version);
      return [];
    case 'manual':
      throw new Error(`the suggested fix needs a person: ${action.text}`);
  }
}

/** Touch the Issuer so cert-manager reconciles it now rather than at its next back-off (a fix made outside it). */
export async function nudge(env: ScenarioEnvironment, plan: Plan): Promise<void> {
  const metadata = { name: plan.issuer.name, ...(plan.issuer.namespace ? { namespace: plan.issuer.namespace } : {}), annotations: { 'cm-vault-e2e/diagnose-fix-applied': new Date().toISOString() } };
  await env.kube.objects.patch({ apiVersion: 'cert-manager.io/v1', kind: plan.issuer.kind, metadata }, undefined, undefined, 'cm-vault-e2e-diagnose', undefined, PatchStrategy.MergePatch);
}

export async function waitReady(env: ScenarioEnvironment, plan: Plan, timeoutMs = 60_000): Promise<{ status: string; reason?: string; message?: string } | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last: { status: string; reason?: string; message?: string } | undefined;
  while (Date.now() < deadline) {
    const obj = await env.kube.read<KubernetesObject & { status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> } }>('cert-manager.io/v1', plan.issuer.kind, plan.issuer.name, plan.issuer.namespace);
    last = obj?.status?.conditions?.find((c) => c.type === 'Ready');
    if (last?.status === 'True') return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  return last;
}
