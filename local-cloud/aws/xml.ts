/** A value the writer renders: objects become child elements in key order, arrays become `<item>` lists. */
export type XmlValue =
  | string
  | number
  | boolean
  | undefined
  | readonly XmlValue[]
  | { readonly [name: string]: XmlValue };

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
// Characters XML 1.0 cannot carry at all, not even as references (controls, lone surrogates, U+FFFE/FFFF).
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Escapes text for element content or attribute values; characters XML cannot carry become U+FFFD. */
export function escapeXml(text: string): string {
  return text.replace(NOT_XML_CHAR, '\uFFFD').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Renders one element; `undefined` renders nothing so optional fields can be listed unconditionally. */
export function xmlElement(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (!NAME.test(name)) throw new Error(`invalid XML element name: ${name}`);
  if (Array.isArray(value)) return `<${name}>${value.map((v) => xmlElement('item', v)).join('')}</${name}>`;
  if (typeof value === 'object') return `<${name}>${xmlChildren(value as Record<string, XmlValue>)}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** Renders the fields of an object as sibling elements. */
export function xmlChildren(fields: { readonly [name: string]: XmlValue }): string {
  return Object.entries(fields)
    .map(([k, v]) => xmlElement(k, v))
    .join('');
}

/** A complete document: declaration, a root element with an optional namespace, and its children. */
export function xmlDocument(root: string, fields: { readonly [name: string]: XmlValue }, xmlns?: string): string {
  if (!NAME.test(root)) throw new Error(`invalid XML element name: ${root}`);
  const ns = xmlns === undefined ? '' : ` xmlns="${escapeXml(xmlns)}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${ns}>${xmlChildren(fields)}</${root}>`;
}
