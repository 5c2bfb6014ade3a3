// A small strict XML parser for the tests: enough of XML 1.0 to prove the JUnit we write is well-formed
// (one root, balanced tags, quoted unique attributes, only known entities, no forbidden characters)
// and to read it back as a tree.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text content directly inside this element (entities decoded). */
  text: string;
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_.:-]*/;
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export class XmlError extends Error {}

function decode(raw: string, at: number): string {
  if (FORBIDDEN_CHAR.test(raw)) throw new XmlError(`forbidden character near offset ${at}`);
  return raw.replace(/&([^;&]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new XmlError(`bare & near offset ${at}`);
    if (ref in ENTITIES) return ENTITIES[ref]!;
    const m = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(ref);
    if (!m) throw new XmlError(`unknown entity &${ref}; near offset ${at}`);
    return String.fromCodePoint(m[1] ? parseInt(m[1], 16) : Number(m[2]));
  });
}

export function parseXml(xml: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  /** Past `open…close` (a comment, a processing instruction) when one starts at `i`. */
  const skip = (open: string, close: string, what: string): boolean => {
    if (!xml.startsWith(open, i)) return false;
    const end = xml.indexOf(close, i);
    if (end < 0) throw new XmlError(`unterminated ${what}`);
    i = end + close.length;
    return true;
  };
  const skipMisc = () => {
    do i += /^\s*/.exec(xml.slice(i))![0].length;
    while (skip('<?', '?>', 'processing instruction') || skip('<!--', '-->', 'comment'));
  };
  skipMisc();
  while (i < xml.length) {
    if (stack.length === 0 && root) {
      skipMisc();
      if (i < xml.length) throw new XmlError(`content after the root element at offset ${i}`);
      break;
    }
    if (skip('<!--', '-->', 'comment')) {
      // nothing: comments carry no content
    } else if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i);
      if (end < 0 || stack.length === 0) throw new XmlError('bad CDATA section');
      stack[stack.length - 1]!.text += xml.slice(i + 9, end);
      i = end + 3;
    } else if (xml.startsWith('</', i)) {
      const m = /^<\/([^\s>]+)\s*>/.exec(xml.slice(i));
      const open = stack.pop();
      if (!m || !open || m[1] !== open.name) throw new XmlError(`mismatched closing tag at offset ${i}`);
      i += m[0].length;
    } else if (xml[i] === '<') {
      i++;
      const name = NAME.exec(xml.slice(i))?.[0];
      if (!name) throw new XmlError(`bad element name at offset ${i}`);
      i += name.length;
      const el: XmlElement = { name, attributes: {}, children: [], text: '' };
      for (;;) {
        const ws = /^\s*/.exec(xml.slice(i))![0].length;
        i += ws;
        if (xml.startsWith('/>', i) || xml[i] === '>') break;
        if (ws === 0) throw new XmlError(`attributes must be separated by whitespace at offset ${i}`);
        const a = /^([A-Za-z_:][A-Za-z0-9_.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(xml.slice(i));
        if (!a) throw new XmlError(`bad attribute at offset ${i}`);
        if (a[1]! in el.attributes) throw new XmlError(`duplicate attribute ${a[1]} at offset ${i}`);
        el.attributes[a[1]!] = decode(a[3] ?? a[4] ?? '', i);
        i += a[0].length;
      }
      if (stack.length) stack[stack.length - 1]!.children.push(el);
      else if (root) throw new XmlError('two root elements');
      else root = el;
      if (xml.startsWith('/>', i)) i += 2;
      else {
        i += 1;
        stack.push(el);
      }
    } else {
      const end = xml.indexOf('<', i);
      const raw = xml.slice(i, end < 0 ? xml.length : end);
      if (stack.length === 0) throw new XmlError(`text outside the root element at offset ${i}`);
      if (raw.includes(']]>')) throw new XmlError(`]]> in text at offset ${i}`);
      stack[stack.length - 1]!.text += decode(raw, i);
      i += raw.length;
    }
  }
  if (stack.length) throw new XmlError(`unclosed element <${stack[stack.length - 1]!.name}>`);
  if (!root) throw new XmlError('no root element');
  return root;
}

/** Every descendant (depth first) with this name. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  return el.children.flatMap((c) => [...(c.name === name ? [c] : []), ...findAll(c, name)]);
}
