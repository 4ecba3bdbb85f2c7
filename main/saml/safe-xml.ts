import { DOMParser } from '@xmldom/xmldom';
import type { Document } from '@xmldom/xmldom';
import { SamlError, quoteForMessage } from './saml-error.js';

/**
 * Real SAML responses nest about eight elements deep (Response › Assertion › Signature › KeyInfo › X509Data …);
 * the bound leaves room for IdP extensions while keeping every later walk over the tree shallow.
 */
export const MAX_XML_DEPTH = 64;

const NOT_XML_MESSAGE =
  'The sign-in response from your identity provider is not a readable SAML document. Try signing in again; ' +
  'if it keeps happening, your IdP administrator should check what the IdP sends to AWS.';

function notXml(detail: string, cause?: unknown): SamlError {
  return new SamlError('SAML_NOT_XML', `${NOT_XML_MESSAGE} (${quoteForMessage(detail)})`, { cause });
}

function tooDeep(maxDepth: number): SamlError {
  return new SamlError(
    'SAML_TOO_DEEP',
    `The sign-in response nests elements more than ${maxDepth} levels deep, which no SAML response does. ` +
      'Cloudtoken refuses it to stay safe.',
  );
}

/** Index just past `terminator`, searching from `from`; a missing terminator means the document is cut short. */
function skipPast(xml: string, from: number, terminator: string): number {
  const end = xml.indexOf(terminator, from);
  if (end === -1) throw notXml('the document ends in the middle of markup');
  return end + terminator.length;
}

/** Index of the `>` closing the tag that starts at `start`, skipping `>` inside quoted attribute values. */
function endOfTag(xml: string, start: number): number {
  let quote = '';
  for (let i = start + 1; i < xml.length; i++) {
    const c = xml[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '>') {
      return i;
    }
  }
  throw notXml('the document ends in the middle of a tag');
}

/**
 * A linear scan over the markup, run before any parser sees the text: any DOCTYPE or other declaration is
 * refused outright (so no entity can be defined, expanded or fetched), and nesting deeper than the bound is
 * refused before a tree is built. Character data cannot contain a raw `<`, so every `<` starts markup.
 */
export function screenXml(xml: string, maxDepth = MAX_XML_DEPTH): void {
  let depth = 0;
  let i = xml.indexOf('<');
  while (i !== -1) {
    if (xml.startsWith('<!--', i)) {
      i = skipPast(xml, i + 4, '-->');
    } else if (xml.startsWith('<![CDATA[', i)) {
      i = skipPast(xml, i + 9, ']]>');
    } else if (xml.startsWith('<?', i)) {
      i = skipPast(xml, i + 2, '?>');
    } else if (xml.startsWith('<!', i)) {
      throw new SamlError(
        'SAML_DOCTYPE',
        'The sign-in response contains a DOCTYPE or entity declaration, which a SAML response never needs. ' +
          'Cloudtoken refuses it to stay safe. Ask your IdP administrator to check what the IdP sends to AWS.',
      );
    } else {
      const end = endOfTag(xml, i);
      if (xml[i + 1] === '/') {
        depth--;
      } else {
        // A self-closing element sits one level down too, it just does not stay open.
        if (depth + 1 > maxDepth) throw tooDeep(maxDepth);
        if (xml[end - 1] !== '/') depth++;
      }
      i = end + 1;
    }
    i = xml.indexOf('<', i);
  }
}

/** Parses text already screened by `screenXml`; any parser warning or error is a typed SAML_NOT_XML. */
export function parseScreenedXml(xml: string): Document {
  // xmldom rethrows what onError throws as its own ParseError without the cause, so keep the complaint here.
  let complaint: string | undefined;
  const parser = new DOMParser({
    onError: (level, message) => {
      complaint ??= `${level}: ${message}`;
      throw new Error(complaint);
    },
  });
  let document: Document;
  try {
    document = parser.parseFromString(xml, 'text/xml');
  } catch (error) {
    throw notXml(complaint ?? (error instanceof Error ? error.message : String(error)), error);
  }
  if (document.doctype) throw notXml('unexpected document type declaration');
  return document;
}
