import { InputError } from '../lib/errors.ts';
import { ID_PATTERN, SCENARIO_FIELDS, type Condition, type RawMatrix } from './schema.ts';
import { suggestion } from './suggest.ts';
import type { Locator } from './zod-errors.ts';
import type { Path, SourceDoc } from './yaml-source.ts';

/** One scenario produced by a matrix, still unvalidated, with a locator that points into the matrix. */
export interface Expanded {
  value: Record<string, unknown>;
  where: Locator;
}

/** Fields the matrix itself writes; axes and base may not set them. */
const MANAGED = ['id', 'description', 'expect'];
const LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

interface AxisValue {
  label: string;
  /** Dotted path -> value to set (null = leave the field unset); the source key of each entry for line lookup. */
  sets: Array<{ path: string[]; value: unknown; at: Path }>;
}

interface Axis {
  name: string;
  values: AxisValue[];
}

type Combination = Array<{ axis: Axis; value: AxisValue }>;

/** Expand `matrix:` into one raw scenario per combination of axis values, minus `exclude`. */
export function expandMatrix(m: RawMatrix, src: SourceDoc): Expanded[] {
  const fail = (path: Path, problem: string, fix: string, field?: string): never => {
    throw new InputError({ file: src.file, line: src.lineAt(['matrix', ...path]), field: field ?? ['matrix', ...path].join('.') }, problem, fix);
  };
  for (const key of MANAGED) {
    if (key in m.base) fail(['base', key], `\`${key}\` is written by the matrix, not its base`, `move it to \`matrix.${key}\``);
  }
  const axes = Object.entries(m.axes).map(([name, raw]) => parseAxis(name, raw, fail));
  const byName = new Map(axes.map((a) => [a.name, a]));
  const exclude = (m.exclude ?? []).map((c, i) => checkCondition(c, ['exclude', i], byName, fail));
  const rules = m.expect.map((r, i) => ({ ...r, when: checkCondition(r.when ?? {}, ['expect', i, 'when'], byName, fail), index: i }));
  const tagRules = (m.tags ?? []).map((r, i) => ({ tags: r.tags, when: checkCondition(r.when ?? {}, ['tags', i, 'when'], byName, fail) }));

  const seen = new Map<string, string>();
  const out: Expanded[] = [];
  for (const combo of product(axes)) {
    if (exclude.some((c) => matches(c, combo))) continue;
    const value = structuredClone(m.base) as Record<string, unknown>;
    for (const { value: v } of combo) for (const s of v.sets) setPath(value, s.path, s.value);
    const combination = combo.map((c) => `${c.axis.name}=${c.value.label}`).join(', ');
    const id = render(m.id, combo, value, () => fail(['id'], `the id template refers to something that is neither an axis nor a field`, `refer to axes with {axis}: ${axes.map((a) => `{${a.name}}`).join(', ')}`));
    const description = render(m.description, combo, value, () => fail(['description'], 'the description template refers to something that is neither an axis nor a field', `refer to axes with {axis}: ${axes.map((a) => `{${a.name}}`).join(', ')}`));
    if (!ID_PATTERN.test(id)) fail(['id'], `the id template gives \`${id}\` for ${combination || 'the base'}, which is not a valid id`, 'ids are lowercase letters, digits, `.` and `-`; use lowercase labels');
    const previous = seen.get(id);
    if (previous !== undefined) {
      fail(['id'], `the id template gives \`${id}\` to two combinations (${previous} and ${combination})`, `add the axis that tells them apart to the template, e.g. {${axes.find((a) => a.values.length > 1)?.name ?? 'axis'}}`);
    }
    seen.set(id, combination);
    const rule = rules.find((r) => matches(r.when, combo));
    if (!rule) fail(['expect'], `no expect rule matches ${combination || 'the base'}`, 'add a last rule without `when` (the default)');
    const tags = [...((value.tags as unknown[] | undefined) ?? []), ...tagRules.filter((r) => matches(r.when, combo)).flatMap((r) => r.tags)];
    Object.assign(value, { id, description, expect: structuredClone(rule!.expect), ...(tags.length ? { tags } : {}) });
    out.push({ value, where: locator(src, combo, rule!.index, id, combination) });
  }
  return out;
}

function parseAxis(name: string, raw: unknown, fail: (p: Path, problem: string, fix: string) => never): Axis {
  const at: Path = ['axes', name];
  const head = name.split('.')[0] ?? '';
  const isPath = SCENARIO_FIELDS.includes(head);
  if (isPath && MANAGED.includes(head)) fail(at, `an axis may not set \`${head}\``, `matrix.${head} is a template; vary the fields it refers to instead`);
  const path = name.split('.');
  if (Array.isArray(raw)) {
    if (!isPath) fail(at, `axis \`${name}\` is not a scenario field, so it must map labels to {dotted.path: value}`, `${suggestion(head, SCENARIO_FIELDS)} — or write \`${name}: {label: {field.path: value}}\``);
    if (raw.length === 0) fail(at, `axis \`${name}\` has no values`, 'list at least one value');
    const values = raw.map((v, i) => {
      if (v === null || typeof v === 'object') fail([...at, i], `axis \`${name}\` lists a ${v === null ? 'null' : 'non-scalar'} value`, 'a list axis holds plain values; for lists, objects or "unset" use a mapping `label: value` (null = unset)');
      return { label: String(v), sets: [{ path, value: v, at: [...at, i] }] };
    });
    return { name, values: unique(values, name, fail) };
  }
  if (!raw || typeof raw !== 'object') fail(at, `axis \`${name}\` needs a list of values or a mapping label: value`, 'write `[a, b]` or `{label: value}`');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) fail(at, `axis \`${name}\` has no values`, 'add at least one `label: value`');
  const values = entries.map(([label, v]): AxisValue => {
    if (!LABEL.test(label)) fail([...at, label], `axis label \`${label}\` cannot appear in an id`, 'use letters, digits, `.`, `_` and `-`');
    if (isPath) return { label, sets: [{ path, value: v, at: [...at, label] }] };
    if (!v || typeof v !== 'object' || Array.isArray(v)) fail([...at, label], `\`${name}.${label}\` must map field paths to values`, 'write e.g. `{auth.tokenReviewer: client-jwt, vault.placement: external}`');
    const sets = Object.entries(v as Record<string, unknown>).map(([p, value]) => {
      const field = p.split('.')[0] ?? '';
      if (!SCENARIO_FIELDS.includes(field) || MANAGED.includes(field)) fail([...at, label, p], `\`${p}\` is not a field an axis can set`, suggestion(field, SCENARIO_FIELDS.filter((f) => !MANAGED.includes(f))));
      return { path: p.split('.'), value, at: [...at, label, p] };
    });
    return { label, sets };
  });
  return { name, values };
}

function unique(values: AxisValue[], name: string, fail: (p: Path, problem: string, fix: string) => never): AxisValue[] {
  const labels = values.map((v) => v.label);
  const dup = labels.find((l, i) => labels.indexOf(l) !== i);
  if (dup !== undefined) fail(['axes', name], `axis \`${name}\` lists \`${dup}\` twice`, 'remove the duplicate');
  return values;
}

/** Check a `when`/`exclude` condition against the axes; values are axis labels. */
function checkCondition(c: Condition, at: Path, axes: Map<string, Axis>, fail: (p: Path, problem: string, fix: string) => never): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, raw] of Object.entries(c)) {
    const axis = axes.get(name);
    if (!axis) fail([...at, name], `\`${name}\` is not an axis of this matrix`, suggestion(name, [...axes.keys()], 'axis'));
    const wanted = Array.isArray(raw) ? raw : [raw];
    const labels = axis!.values.map((v) => v.label);
    for (const w of wanted) {
      if (w === null || typeof w === 'object' || !labels.includes(String(w))) {
        fail([...at, name], `axis \`${name}\` has no value \`${String(w)}\``, suggestion(String(w), labels, 'value'));
      }
    }
    out.set(name, wanted.map(String));
  }
  return out;
}

function matches(condition: Map<string, string[]>, combo: Combination): boolean {
  return [...condition].every(([name, labels]) => {
    const picked = combo.find((c) => c.axis.name === name);
    return picked !== undefined && labels.includes(picked.value.label);
  });
}

function product(axes: Axis[]): Combination[] {
  return axes.reduce<Combination[]>((acc, axis) => acc.flatMap((combo) => axis.values.map((value) => [...combo, { axis, value }])), [[]]);
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const seg of path.slice(0, -1)) {
    const next = node[seg];
    if (!next || typeof next !== 'object' || Array.isArray(next)) node[seg] = {};
    node = node[seg] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === null) delete node[last];
  else node[last] = structuredClone(value);
}

/** `{axis}` gives the axis label, `{field.path}` a scalar field; `${…}` placeholders are left alone. */
function render(template: string, combo: Combination, value: Record<string, unknown>, unknown: () => never): string {
  return template.replace(/(?<!\$)\{([^{}]+)\}/g, (_whole, ref: string) => {
    const axis = combo.find((c) => c.axis.name === ref);
    if (axis) return axis.value.label;
    const field = ref.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), value);
    if (typeof field === 'string' || typeof field === 'number' || typeof field === 'boolean') return String(field);
    return unknown();
  });
}

function locator(src: SourceDoc, combo: Combination, rule: number, id: string, where: string): Locator {
  const sets = combo.flatMap((c) => c.value.sets);
  return {
    file: src.file,
    context: `in ${id}: ${where || 'matrix base'}`,
    lineAt(path: Path): number {
      if (path.length === 0) return src.line;
      const head = String(path[0]);
      if (head === 'id' || head === 'description') return src.lineAt(['matrix', head]);
      if (head === 'expect') return src.lineAt(['matrix', 'expect', rule]);
      // The most specific axis entry that set this field (or a parent of it).
      const set = sets.filter((s) => s.path.every((seg, i) => String(path[i]) === seg)).sort((a, b) => b.path.length - a.path.length)[0];
      if (set) return src.lineAt(['matrix', ...set.at]);
      return src.lineAt(['matrix', 'base', ...path]);
    },
  };
}
