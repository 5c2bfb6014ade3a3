import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, visit, type Document, type Node } from 'yaml';
import { InputError } from '../lib/errors.ts';

export type Path = ReadonlyArray<string | number>;

/**
 * How many times aliases may be expanded in one document: a few nested aliases (an "alias bomb") otherwise expand
 * into millions of nodes. Scenarios, profiles and versions files use a handful at most.
 */
const MAX_ALIAS_COUNT = 100;

/** One YAML document of a file, with the line of every node kept for error messages. */
export class SourceDoc {
  constructor(
    readonly file: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    /** The document as plain data, expanded once at parse time (where a bad alias is an InputError). */
    readonly value: unknown,
  ) {}

  /** Line of the document's first content. */
  get line(): number {
    return this.lineOfOffset(this.doc.contents?.range?.[0] ?? this.doc.range[0]);
  }

  /**
   * Line of `path`: the key's line when the path names a map entry, else the value's line.
   * A path that does not exist resolves to its deepest existing ancestor (where a missing field belongs).
   */
  lineAt(path: Path): number {
    let node: unknown = this.doc.contents;
    let line = this.line;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) return line;
        line = this.lineOf(pair.key as Node) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (item === undefined) return line;
        line = this.lineOf(item as Node) ?? line;
        node = item;
      } else {
        return line;
      }
    }
    return line;
  }

  private lineOf(node: Node): number | undefined {
    const start = node.range?.[0];
    return start === undefined ? undefined : this.lineOfOffset(start);
  }

  private lineOfOffset(offset: number): number {
    return this.lines.linePos(offset).line;
  }
}

/** Parse every document of a YAML file; malformed YAML is an InputError at the parser's line. */
export function readYamlFile(file: string, label = file): SourceDoc[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError({ file: label }, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, 'check the path');
  }
  return parseYaml(text, label);
}

export function parseYaml(text: string, file: string): SourceDoc[] {
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const docs = Array.isArray(parsed) ? parsed : [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0].line ?? lines.linePos(error.pos[0]).line;
      throw new InputError({ file, line }, `malformed YAML: ${firstLine(error.message)}`, yamlFix(error.code));
    }
  }
  return docs.filter((d) => d.contents !== null).map((d) => new SourceDoc(file, d, lines, plainValue(d, file, lines)));
}

/** The document's data; an alias that names no anchor, or expands too often, is an InputError at the alias. */
function plainValue(doc: Document.Parsed, file: string, lines: LineCounter): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // yaml throws ReferenceError for exactly these two; anything else is not the input's fault
    if (!(err instanceof ReferenceError)) throw err;
    const unresolved = /^Unresolved alias/.test(err.message);
    let at: number | undefined;
    visit(doc, {
      Alias(_, alias) {
        if (unresolved && alias.resolve(doc)) return undefined;
        at = alias.range?.[0];
        return visit.BREAK;
      },
    });
    const where = { file, ...(at !== undefined ? { line: lines.linePos(at).line } : {}) };
    if (unresolved) throw new InputError(where, `malformed YAML: ${firstLine(err.message)}`, 'define the anchor (`&name`) before the alias (`*name`) in the same document, or write the value out');
    throw new InputError(where, `YAML aliases expand more than ${MAX_ALIAS_COUNT} times (an alias bomb?)`, 'write the values out instead of nesting aliases of aliases');
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message;
}

function yamlFix(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'remove one of the two entries with the same key';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'check the indentation and the `key: value` syntax on this line';
    case 'BAD_SCALAR_START':
      return 'quote values that start with a special character (`@`, `` ` ``, `%`, `*`, `&`, `!`, `|`, `>`)';
    default:
      return 'fix the YAML syntax on this line (a YAML linter shows the exact character)';
  }
}
