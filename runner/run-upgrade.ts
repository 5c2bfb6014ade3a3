import { predictStages } from '../scenarios/oracle/index.ts';
import type { Observation, Plan, SideVerdict } from '../scenarios/types.ts';
import type { ScenarioEnvironment } from './environment.ts';
import { DEFAULT_TIMEOUT_MS, judgeOptions, notesFor, type RunScenarioOptions, type ScenarioResult } from './run-scenario.ts';
import { issuerObservation } from './observe.ts';
import { ScenarioSession } from './session.ts';
import { judge } from './verdict.ts';

export interface UpgradeResult extends ScenarioResult {
  /** The observation before the upgrade (the result's `observation` is the one after it). */
  before: Observation;
  upgradeMs: number;
}

/**
 * An upgrade scenario: the setup on `from`, judged; cert-manager upgraded in place (CRDs first, then the
 * controller); the same objects judged again on `to`. A certificate issued before must keep its serial through
 * the controller restart, and a new one must issue afterwards when the oracle says Ready.
 */
export async function runUpgradeScenario(env: ScenarioEnvironment, plan: Plan, opts: RunScenarioOptions = {}): Promise<UpgradeResult> {
  const upgrade = plan.certManager.upgrade!;
  const started = Date.now();
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const s = await ScenarioSession.open(env, plan);
  const [before, after] = predictStages(plan, s.facts).map((x) => x.prediction);
  const obsBefore: Observation = { issuer: null, vaultLog: [], apiserverLog: [] };
  const obsAfter: Observation = { issuer: null, vaultLog: [], apiserverLog: [] };
  const sides: SideVerdict[] = [];
  let upgradeMs = 0;
  let evidence: Record<string, string> = {};
  try {
    await s.markLogs();
    await s.setUp();
    const rejected = await s.createIssuer();
    if (rejected) obsBefore.rejection = rejected;
    else {
      const c = (await s.waitIssuer(timeout)).condition;
      obsBefore.issuer = issuerObservation(c);
      if (c?.status === 'True') obsBefore.certificate = await s.issueCertificate(timeout);
    }
    Object.assign(obsBefore, await s.logsSinceMark());
    sides.push(...judge(before!, obsBefore, judgeOptions(env)).map((x) => ({ ...x, stage: 'before' as const })));

    await s.markLogs();
    const t = Date.now();
    await env.upgradeCertManager(upgrade.to);
    upgradeMs = Date.now() - t;

    // Fields the old CRD refused are accepted now: the same Issuer is created again.
    if (obsBefore.rejection) {
      const again = await s.createIssuer();
      if (again) obsAfter.rejection = again;
    }
    if (!obsAfter.rejection) {
      const want = after!.issuer;
      const c = (await s.waitIssuer(timeout, (x) => !want || (x.status === want.status && x.message === want.message))).condition;
      obsAfter.issuer = issuerObservation(c);
      if (obsBefore.certificate?.secretName && obsBefore.certificate.serial) {
        const serial = await s.serialOf(obsBefore.certificate.secretName);
        sides.push({ side: 'certificate', stage: 'during', ok: serial === obsBefore.certificate.serial, expected: `serial ${obsBefore.certificate.serial} kept through the upgrade`, observed: `serial ${serial ?? '(secret gone)'}` });
      }
      if (c?.status === 'True') obsAfter.certificate = await s.issueCertificate(timeout);
    }
    Object.assign(obsAfter, await s.logsSinceMark());
    sides.push(...judge(after!, obsAfter, judgeOptions(env)).map((x) => ({ ...x, stage: 'after' as const })));
    evidence = await s.evidence(obsAfter);
    await opts.beforeCleanup?.({ id: plan.id, pass: sides.every((x) => x.ok), sides, durationMs: Date.now() - started });
  } finally {
    if (!opts.keepObjects) await s.cleanUp();
  }
  return {
    plan,
    facts: s.facts,
    prediction: after!,
    observation: obsAfter,
    before: obsBefore,
    upgradeMs,
    verdict: { id: plan.id, pass: sides.every((x) => x.ok), sides, durationMs: Date.now() - started },
    evidence,
    notes: [...notesFor(env, plan), `cert-manager ${upgrade.from} -> ${upgrade.to} took ${(upgradeMs / 1000).toFixed(1)}s`],
  };
}
