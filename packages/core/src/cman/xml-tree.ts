/**
 * A small, strict XML element tree over fast-xml-parser (pure: no I/O), used by the cman
 * `cluster.conf` import. Internal to `core/src/cman`.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ConfigError } from '../errors.js';

/** One XML element: its name, attributes (strings, as written), child elements and text. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated non-blank text directly inside the element. */
  text: string;
  /** Where it is, for messages: `cluster/clusternodes/clusternode[2]`. */
  path: string;
}

type Ordered = Record<string, unknown>;

function malformed(what: string, element: string, detail: string): ConfigError {
  const message = `✖ cluster.conf is not well-formed XML: ${detail}\n  → at ${element}`;
  return new ConfigError(message, [{ path: [element], message: `${what}: ${detail}` }]);
}

/** The element a validator message names, so the error says where: `closing tag 'b'` → `b`. */
function elementNamed(msg: string): string {
  const m = /tag '([^']+)'/.exec(msg) ?? /'([A-Za-z_][\w.-]*)'/.exec(msg);
  return m?.[1] ?? 'cluster';
}

function convert(node: Ordered): XmlElement | null {
  const name = Object.keys(node).find((k) => k !== ':@');
  if (name === undefined || name.startsWith('#') || name.startsWith('?') || name.startsWith('!')) return null;
  const attrsIn = (node[':@'] ?? {}) as Record<string, unknown>;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrsIn)) {
    const value = String(v);
    if (value.includes('<')) {
      // fast-xml-parser tolerates this; XML does not. A placeholder like <name_node1> was left in.
      throw malformed(
        'attribute value',
        name,
        `attribute '${k}' of element '${name}' contains '<', which XML forbids in attribute values (a placeholder left in?)`,
      );
    }
    attrs[k] = value;
  }
  const children: XmlElement[] = [];
  const texts: string[] = [];
  for (const child of (node[name] ?? []) as Ordered[]) {
    if ('#text' in child) {
      const t = String(child['#text']).trim();
      if (t !== '') texts.push(t);
      continue;
    }
    const el = convert(child);
    if (el !== null) children.push(el);
  }
  return { name, attrs, children, text: texts.join(' '), path: name };
}

/**
 * Gives every element a readable path: `cluster/clusternodes/clusternode[node1]/fence` (by its
 * `name` or `vmid` attribute when it has one, else by position among same-named siblings).
 */
function assignPaths(el: XmlElement, path: string): void {
  el.path = path;
  const counts = new Map<string, number>();
  for (const c of el.children) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const c of el.children) {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    const key = c.attrs.name ?? c.attrs.vmid;
    const suffix = key !== undefined ? `[${key}]` : (counts.get(c.name) ?? 0) > 1 ? `[${n}]` : '';
    assignPaths(c, `${path}/${c.name}${suffix}`);
  }
}

/**
 * Parses `xml` into its single root element. Throws `ConfigError` naming the element when the
 * text is not well-formed XML (unclosed or mismatched tags, `<` in an attribute value, several
 * root elements, no element at all). Entities are decoded; DOCTYPE entity declarations are refused.
 */
export function parseXmlTree(xml: string): XmlElement {
  if (/<!ENTITY/i.test(xml)) {
    // cluster.conf never declares entities; refusing them rules out entity-expansion bombs.
    throw malformed('document', 'cluster', 'entity declarations (<!ENTITY ...>) are not accepted');
  }
  const valid = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (valid !== true) {
    const { msg, line, col } = valid.err as { msg: string; line: number; col?: number };
    const where = col === undefined ? `line ${line}` : `line ${line}, column ${col}`;
    throw malformed('syntax', elementNamed(msg), `${msg} (${where})`);
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
    ignoreDeclaration: true,
    ignorePiTags: true,
    commentPropName: '#comment',
  });
  const top = parser.parse(xml) as Ordered[];
  const roots: XmlElement[] = [];
  for (const node of top) {
    if ('#text' in node && String(node['#text']).trim() !== '') {
      throw malformed(
        'text',
        'cluster',
        `text outside the root element: '${String(node['#text']).trim().slice(0, 40)}'`,
      );
    }
    const el = convert(node);
    if (el !== null) roots.push(el);
  }
  if (roots.length === 0) throw malformed('document', 'cluster', 'no root element');
  if (roots.length > 1) {
    throw malformed(
      'document',
      roots[1]?.name ?? 'cluster',
      `more than one root element ('${roots.map((r) => r.name).join("', '")}')`,
    );
  }
  const root = roots[0] as XmlElement;
  assignPaths(root, root.name);
  return root;
}
