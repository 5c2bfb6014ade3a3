/**
 * The e2e suites run on what `provision --filter ci=true` makes and on nothing else: `.ci/run` hands them a cache
 * holding exactly that (provision --view), so a test needing another pin fails there — after the long provisioning.
 * This check says so before anything is provisioned: it reads an e2e file's text and names every scenario id, run
 * filter and pinned version in it that versions.yaml's `ci` set does not provision.
 *
 * A line may be excused with a `// ci-scope: <why>` comment on it or alone on the line above, for what a test only
 * plans and never runs (a scenario the existing backend skips, a skip reason's text); an excuse must say why.
 */
import { filterPlans } from '../scenarios/filter.ts';
import { versionsNeeded } from '../scenarios/plan.ts';
import type { Plan } from '../scenarios/types.ts';
import type { Versions } from '../scenarios/versions.ts';

export interface ScopeFinding {
  file: string;
  line: number;
  problem: string;
  fix: string;
}

const EXCUSE = /\/\/\s*ci-scope:(.*)$/;
const VERSION_COMPONENTS = ['kubernetes', 'certManager', 'vault', 'openbao'] as const;
/** A quoted literal without interpolation: the whole of a string a test passes on. */
const LITERAL = /(['"`])((?:\\.|(?!\1)[^\\\n])*)\1/g;
/** `'--filter', 'expr'` and `FILTER ?? 'expr'` (a suite's default filter). */
const FILTER_ARGUMENT = /(?:['"]--filter['"]\s*,\s*|FILTER\s*\?\?\s*)(['"])((?:\\.|(?!\1)[^\\\n])*)\1/g;
/** A version standing on its own (not inside an id such as `jwt-cm-v1.16.5-bound-server`), dots maybe escaped. */
const VERSION = /(?<![\w.-])v(\d+)\\?\.(\d+)\\?\.(\d+)(?![\w-]|\\?\.\d)/g;

/** The findings of one e2e file's text against the plans it may name (the catalogue and its own --scenarios). */
export function ciScopeFindings(file: string, text: string, plans: readonly Plan[], versions: Versions): ScopeFinding[] {
  const byId = new Map(plans.map((p) => [p.id, p]));
  const lines = text.split('\n');
  const findings: ScopeFinding[] = [];
  const ciSet = (c: (typeof VERSION_COMPONENTS)[number]) => versions[c].ci;

  lines.forEach((line, i) => {
    const excuse = EXCUSE.exec(line) ?? (i > 0 && /^\s*\/\//.test(lines[i - 1]!) ? EXCUSE.exec(lines[i - 1]!) : null);
    if (excuse) {
      if (!excuse[1]!.trim()) findings.push({ file, line: i + 1, problem: 'a `// ci-scope:` excuse without a reason', fix: 'say why the test only plans what it names here and never runs it' });
      return;
    }
    const add = (problem: string, fix: string) => findings.push({ file, line: i + 1, problem, fix });
    const code = line.replace(/\/\/.*$/, (c) => (/['"`]/.test(c) ? c : ''));

    for (const m of code.matchAll(LITERAL)) {
      const plan = byId.get(m[2]!);
      if (plan && !plan.ci) add(`names scenario ${plan.id}, which needs ${outsideCi(plan, versions).join(', ')}`, CHOOSE_CI);
    }
    for (const m of code.matchAll(FILTER_ARGUMENT)) {
      const expr = m[2]!;
      let matched: Plan[];
      try {
        matched = filterPlans(plans, expr);
      } catch (err) {
        add(`filter "${expr}" does not parse: ${err instanceof Error ? err.message : String(err)}`, 'see `npx cm-vault-e2e list --help` for the filter syntax');
        continue;
      }
      const outside = matched.filter((p) => !p.ci);
      if (outside.length) {
        const some = outside.slice(0, 3).map((p) => `${p.id} (${outsideCi(p, versions).join(', ')})`);
        add(`filter "${expr}" matches ${outside.length} scenario(s) outside the ci set: ${some.join('; ')}${outside.length > 3 ? '; …' : ''}`, `narrow it with ci=true (\`${expr},ci=true\`), or ${CHOOSE_CI}`);
      }
    }
    for (const m of code.matchAll(VERSION)) {
      const version = `v${m[1]}.${m[2]}.${m[3]}`;
      const pinnedBy = VERSION_COMPONENTS.filter((c) => versions[c].versions.includes(version));
      if (pinnedBy.length && !pinnedBy.some((c) => ciSet(c).includes(version))) {
        add(`names ${pinnedBy.map(label).join(' / ')} ${version}, which the ci set does not provision`, `use one of ${pinnedBy.map((c) => `${label(c)} ${ciSet(c).join(', ')}`).join('; ')}, or ${CHOOSE_CI}`);
      }
    }
  });
  return findings;
}

const CHOOSE_CI =
  "use a scenario whose versions are all in versions.yaml's `ci` set (`npx cm-vault-e2e list --filter ci=true`), or add the version to that component's `ci` list and measure the cold CI (docs/provisioning.md)";

const LABELS: Record<(typeof VERSION_COMPONENTS)[number], string> = { kubernetes: 'Kubernetes', certManager: 'cert-manager', vault: 'Vault', openbao: 'OpenBao' };
const label = (c: (typeof VERSION_COMPONENTS)[number]) => LABELS[c];

/** What a plan needs that the ci set does not provision, e.g. `cert-manager v1.14.7`. */
function outsideCi(plan: Plan, versions: Versions): string[] {
  const needed = versionsNeeded(plan);
  return VERSION_COMPONENTS.flatMap((c) => needed[c].filter((v) => !versions[c].ci.includes(v)).map((v) => `${label(c)} ${v}`));
}
