/**
 * A minimal, order-preserving XML element tree for reading CIBs. Two builders produce it:
 * fast-xml-parser (default) and saxes (streaming, faster on very large CIBs). Both are pure.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SaxesParser } from 'saxes';
import { CibError } from '../errors.js';

/** One XML element: name, attributes (entity-decoded), element children in document order. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
}

/** Which XML parser `parseXmlTree` uses. */
export type XmlParserKind = 'fast-xml-parser' | 'saxes';

type FxpNode = Record<string, unknown>;

function convertFxp(nodes: FxpNode[], out: XmlElement[]): void {
  for (const n of nodes) {
    let name: string | undefined;
    for (const k of Object.keys(n)) {
      if (k !== ':@') {
        name = k;
        break;
      }
    }
    if (name === undefined || name === '#text' || name.startsWith('?') || name === '#comment') continue;
    const attrs = (n[':@'] as Record<string, string> | undefined) ?? {};
    const el: XmlElement = { name, attrs: { ...attrs }, children: [] };
    const kids = n[name];
    if (Array.isArray(kids)) convertFxp(kids as FxpNode[], el.children);
    out.push(el);
  }
}

function parseWithFxp(xml: string): XmlElement {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new CibError(
      'CIB_INVALID',
      `not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`,
    );
  }
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: true,
    processEntities: true,
    htmlEntities: false,
  });
  const doc = parser.parse(xml) as FxpNode[];
  const roots: XmlElement[] = [];
  convertFxp(doc, roots);
  if (roots.length !== 1)
    throw new CibError('CIB_INVALID', `expected one root element, found ${roots.length}`);
  return roots[0] as XmlElement;
}

function parseWithSaxes(xml: string): XmlElement {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let error: string | undefined;
  parser.on('error', (e) => {
    if (error === undefined) error = e.message;
  });
  parser.on('opentag', (tag) => {
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes)) attrs[k] = String(v);
    const el: XmlElement = { name: tag.name, attrs, children: [] };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else if (root === undefined) root = el;
    if (!tag.isSelfClosing) stack.push(el);
  });
  parser.on('closetag', (tag) => {
    if (!tag.isSelfClosing) stack.pop();
  });
  parser.write(xml).close();
  if (error !== undefined) throw new CibError('CIB_INVALID', `not well-formed XML: ${error}`);
  if (root === undefined) throw new CibError('CIB_INVALID', 'not well-formed XML: no root element');
  return root;
}

/**
 * Parses XML text into an element tree, keeping document order. Throws `CibError`
 * (`CIB_INVALID`) when the text is not well-formed XML. Comments, text and processing
 * instructions are dropped.
 */
export function parseXmlTree(xml: string, kind: XmlParserKind = 'fast-xml-parser'): XmlElement {
  return kind === 'saxes' ? parseWithSaxes(xml) : parseWithFxp(xml);
}
