import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseXmlTree, type XmlElement } from '../src/cib/xml-tree.js';

const kinds = ['scan', 'saxes', 'fast-xml-parser'] as const;
const corpus = new URL('../../../../shared/conformance/pacemaker/', import.meta.url).pathname;

const plain = (e: XmlElement): unknown => ({
  name: e.name,
  attrs: { ...e.attrs },
  children: e.children.map(plain),
});

describe('parseXmlTree', () => {
  it('builds the same tree with every parser (entities, comments, CDATA, attribute normalisation)', () => {
    const xml = `<?xml version="1.0"?>\n<!-- c --><cib a="x &amp; y &#65;&#x42;" b='q"t'>\n<n id="1"\tv="a\tb"/><![CDATA[<ignored>]]><m/></cib>`;
    const trees = kinds.map((k) => plain(parseXmlTree(xml, k)));
    expect(trees[0]).toEqual({
      name: 'cib',
      attrs: { a: 'x & y AB', b: 'q"t' },
      children: [
        { name: 'n', attrs: { id: '1', v: 'a b' }, children: [] },
        { name: 'm', attrs: {}, children: [] },
      ],
    });
    expect(trees[1]).toEqual(trees[0]);
    expect(trees[2]).toEqual(trees[0]);
  });

  it.each([
    '',
    'x',
    '<a>',
    '<a></b>',
    '<a><b></a></b>',
    '<a x="1" x="2"/>',
    '<a x=1/>',
    '<a/><b/>',
    'text<a/>',
    '<a><!-- open </a>',
  ])('refuses %j with the scanner and saxes', (text) => {
    expect(() => parseXmlTree(text, 'scan')).toThrow(/not well-formed XML/);
    expect(() => parseXmlTree(text, 'saxes')).toThrow(/not well-formed XML/);
  });

  it.skipIf(!existsSync(corpus))('agrees across parsers on every CIB of the Pacemaker corpus', () => {
    const files = readdirSync(corpus).filter((f) => f.endsWith('.xml'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const xml = readFileSync(`${corpus}${f}`, 'utf8');
      const [a, b, c] = kinds.map((k) => plain(parseXmlTree(xml, k)));
      expect(b, f).toEqual(a);
      expect(c, f).toEqual(a);
    }
  });
});
