// From the facts about one Issuer to its failure class, the chain behind it, the smallest fix and two scenarios.
import { loadPlans } from '../scenarios/plan.ts';
import { judge, mismatchText } from '../scenarios/outcome.ts';
import type { FailureClass } from '../scenarios/types.ts';
import { consistent, enumerate, type Candidate, type CandidateContext } from './candidates.ts';
import { fixChain, type FixStep } from './fixes.ts';
import { normalizeMessage, signatureOf, type MessageSignature } from './message.ts';
import type { DiagnosisFacts } from './model.ts';
import type { Plan } from '../scenarios/types.ts';
import { scenarioObject, scenarioYaml, writeFiles } from './scenario-file.ts';

export type Outcome = FailureClass | 'ready';

export interface Alternative {
  outcome: Outcome;
  weight: number;
  assumptions: string[];
}

export interface Diagnosis {
  facts: DiagnosisFacts;
  message?: string;
  observed: MessageSignature;
  /** undefined: no setup the oracle knows says what the Issuer says. */
  chosen?: Candidate;
  /** certain: every setup consistent with the facts fails this way; likely: the most ordinary of several. */
  confidence: 'certain' | 'likely' | 'ambiguous' | 'unexplained';
  /** Other outcomes consistent with the facts, most ordinary first. */
  alternatives: Alternative[];
  /** The oracle's text equals the observed message character for character. */
  exactText: boolean;
  fixes?: { steps: FixStep[]; fixed: Plan; ready: boolean };
}

export function diagnose(ctx: CandidateContext): Diagnosis {
  const { facts } = ctx;
  const message = facts.message ?? facts.issuer.ready?.message;
  const observed = signatureOf(message);
  const all = enumerate(ctx);
  const fitting = consistent(all, observed).sort((a, b) => a.weight - b.weight);
  const base = { facts, ...(message !== undefined ? { message } : {}), observed };
  const chosen = fitting[0];
  if (!chosen) return { ...base, confidence: 'unexplained', alternatives: [], exactText: false };
  const best = new Map<Outcome, Candidate>();
  for (const c of fitting) if (!best.has(c.outcome)) best.set(c.outcome, c);
  const others = [...best.values()].filter((c) => c.outcome !== chosen.outcome);
  const confidence = others.length === 0 ? 'certain' : others.every((o) => o.weight > chosen.weight) ? 'likely' : 'ambiguous';
  const predictedText = chosen.prediction.rejection?.message ?? chosen.prediction.issuer?.message;
  const exactText = message !== undefined && predictedText !== undefined && normalizeMessage(message) === predictedText;
  const fixes = chosen.prediction.ready ? undefined : fixChain(chosen, { facts, controller: facts.controller, versions: ctx.versions, env: chosen.env });
  return {
    ...base,
    chosen,
    confidence,
    alternatives: others.map((o) => ({ outcome: o.outcome, weight: o.weight, assumptions: o.assumptions })),
    exactText,
    ...(fixes ? { fixes } : {}),
  };
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'issuer';
}

export interface WrittenScenarios {
  failure: string;
  fix?: string;
  ids: string[];
}

/** The failure (and its fix) as scenario files in `dir`, loaded back and checked against the oracle. */
export function writeScenarios(d: Diagnosis, dir: string, versionsFile?: string): WrittenScenarios | undefined {
  const c = d.chosen;
  if (!c) return undefined;
  const who = `${c.plan.issuer.kind} ${c.plan.issuer.namespace ? `${c.plan.issuer.namespace}/` : ''}${c.plan.issuer.name}`;
  const id = `diagnosed-${slug(c.plan.issuer.namespace ? `${c.plan.issuer.namespace}-${c.plan.issuer.name}` : c.plan.issuer.name)}`;
  const header = [`written by \`cm-vault-e2e diagnose\` for ${who}`, ...c.assumptions.map((a) => `assumed: ${a}`), `replay: npx cm-vault-e2e run --scenarios ${dir} --filter tag=diagnosed`];
  const files: Record<string, string> = {};
  const failureId = `${id}-${c.outcome}`;
  files['failure.yaml'] = scenarioYaml(
    scenarioObject(c.plan, c.env, {
      id: failureId,
      description: c.prediction.ready ? `${who} as diagnosed: ready` : `${who} as diagnosed: ${c.outcome}`,
      expect: c.prediction.ready ? { ready: true } : { ready: false, failure: c.prediction.failure! },
    }),
    header,
  );
  const ids = [failureId];
  if (d.fixes) {
    const fixId = `${id}-fixed`;
    files['fix.yaml'] = scenarioYaml(
      scenarioObject(d.fixes.fixed, c.env, {
        id: fixId,
        description: `${who} after: ${d.fixes.steps.map((s) => s.fix.title).join('; ')}`,
        expect: { ready: true },
      }),
      [...header.slice(0, -1), ...d.fixes.steps.map((s) => `fix: ${s.fix.title}`), header[header.length - 1]!],
    );
    if (!d.fixes.ready) delete files['fix.yaml'];
    else ids.push(fixId);
  }
  const paths = writeFiles(dir, files);
  // They must load with the catalogue's schema and agree with the oracle, or they prove nothing.
  const plans = loadPlans({ files: paths, ...(versionsFile ? { versionsFile } : {}) });
  for (const p of plans) {
    const j = judge(p);
    if (!j.agrees) throw new Error(`diagnose wrote a scenario the oracle disagrees with: ${mismatchText(j)}`);
  }
  return { failure: paths[0]!, ...(paths[1] ? { fix: paths[1] } : {}), ids };
}
