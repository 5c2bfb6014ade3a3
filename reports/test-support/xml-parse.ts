// XML for the tests, read by @rgrove/parse-xml (a strict XML 1.0 parser: one root, balanced tags, quoted unique
// attributes, only defined entities, no forbidden characters), so a test proves the JUnit we write is
// well-formed, and reads it back as a small tree.
import { parseXml as parseStrict, XmlElement as ParsedElement, XmlError, XmlText } from '@rgrove/parse-xml';

export { XmlError };

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text content directly inside this element (entities decoded, CDATA included). */
  text: string;
}

function tree(el: ParsedElement): XmlElement {
  return {
    name: el.name,
    attributes: { ...el.attributes },
    children: el.children.filter((c): c is ParsedElement => c instanceof ParsedElement).map(tree),
    text: el.children.filter((c): c is XmlText => c instanceof XmlText).map((c) => c.text).join(''),
  };
}

/** The root element; throws XmlError (with line and column) when the text is not well-formed XML. */
export function parseXml(xml: string): XmlElement {
  const root = parseStrict(xml).root;
  if (!root) throw new XmlError('no root element', 0, xml);
  return tree(root);
}

/** Every descendant (depth first) with this name. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  return el.children.flatMap((c) => [...(c.name === name ? [c] : []), ...findAll(c, name)]);
}
