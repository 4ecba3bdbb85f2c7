import type { Element } from '@xmldom/xmldom';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_XML_DEPTH, parseScreenedXml, screenXml } from '../../../main/saml/safe-xml.js';
import { samlErrorFrom } from '../../support/saml-expect.js';

interface Tree {
  children: (Tree | string)[];
}

// Content chosen to trip a naive scanner: '>' and '/>' inside attribute values, tags inside comments and CDATA.
const DECOYS = ['text', '<!-- <a><b> -->', '<![CDATA[<a><b><c>]]>', '<?pi <a> ?>', '&lt;a&gt;', '<e x="/>"/>', "<e y='>'/>"];

const trees = fc.letrec<{ tree: Tree; node: Tree | string }>((tie) => ({
  tree: fc.record({ children: fc.array(tie('node'), { maxLength: 3 }) }),
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constantFrom(...DECOYS), tie('tree')),
})).tree;

function serialize(tree: Tree): string {
  const inner = tree.children.map((child) => (typeof child === 'string' ? child : serialize(child))).join('');
  return `<t a=">" b='/>'>${inner}</t>`;
}

function treeDepth(tree: Tree): number {
  // Decoys that are elements (<e …/>) add one level below their parent.
  const childDepths = tree.children.map((child) => (typeof child === 'string' ? (child.startsWith('<e') ? 1 : 0) : treeDepth(child)));
  return 1 + Math.max(0, ...childDepths);
}

function domDepth(element: Element): number {
  let deepest = 0;
  for (let node = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === node.ELEMENT_NODE) deepest = Math.max(deepest, domDepth(node as Element));
  }
  return 1 + deepest;
}

describe('screenXml', () => {
  it('measures nesting exactly as the parser builds it, whatever hides in attributes, comments and CDATA', () => {
    fc.assert(
      fc.property(trees, (tree) => {
        const xml = serialize(tree);
        const depth = treeDepth(tree);
        expect(domDepth(parseScreenedXml(xml).documentElement!)).toBe(depth);
        expect(() => screenXml(xml, depth)).not.toThrow();
        expect(samlErrorFrom(() => screenXml(xml, depth - 1)).code).toBe('SAML_TOO_DEEP');
      }),
      { numRuns: 300 },
    );
  });

  it('allows the default depth and refuses one more', () => {
    const nested = (depth: number) => `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`;
    expect(() => screenXml(nested(MAX_XML_DEPTH))).not.toThrow();
    expect(samlErrorFrom(() => screenXml(nested(MAX_XML_DEPTH + 1))).code).toBe('SAML_TOO_DEEP');
  });

  it.each([
    ['<!DOCTYPE a><a/>', 'SAML_DOCTYPE'],
    ['<a><!ELEMENT a ANY></a>', 'SAML_DOCTYPE'],
    ['<a><!-- never closed', 'SAML_NOT_XML'],
    ['<a><![CDATA[ never closed', 'SAML_NOT_XML'],
    ['<?xml version="1.0"', 'SAML_NOT_XML'],
    ['<a b="never closed>', 'SAML_NOT_XML'],
  ])('refuses %j as %s', (xml, code) => {
    expect(samlErrorFrom(() => screenXml(xml)).code).toBe(code);
  });
});

describe('parseScreenedXml', () => {
  it('turns every parser complaint into SAML_NOT_XML, quoting it briefly', () => {
    expect(samlErrorFrom(() => parseScreenedXml('<a>&nbsp;</a>')).message).toMatch(/\("error: entity not found:&nbsp;"\)$/);
    for (const xml of ['<a>&nbsp;</a>', '<a></b>', '<a/><b/>', '<x:a/>', '']) {
      const error = samlErrorFrom(() => parseScreenedXml(xml));
      expect(error.code).toBe('SAML_NOT_XML');
      expect(error.message.length).toBeLessThan(400);
      expect(error.message).not.toMatch(/Reporting|ParseError/);
    }
  });
});
