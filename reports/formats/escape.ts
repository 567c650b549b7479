/**
 * Escaping for the text formats: XML/HTML attribute-and-text safe, JSON safe inside <script>,
 * and control characters shown, never acted on, in a terminal or an HTML page.
 */

/** Characters XML 1.0 cannot carry at all (controls other than tab/newline/CR, lone surrogates, U+FFFE/F). */
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXml(text: string): string {
  return text
    .replace(XML_INVALID, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * HTML text and attributes: escapeXml() of the text with its controls made visible first. An
 * entity would not help: the browser acts on `&#x202e;` as on U+202E itself (it reverses the
 * rest of the cell), and shows ESC as an empty box.
 */
export function escapeHtml(text: string): string {
  return escapeXml(visibleControls(text));
}

/** JSON that can sit inside <script> without closing it or starting a comment. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * What a terminal or the Unicode bidi algorithm would act on instead of showing: C0 controls
 * but tab and newline (ESC starts every escape sequence, CR and BS overwrite), DEL, C1
 * controls (U+009B is a one-character CSI), the bidi embeddings, overrides, isolates and
 * marks (U+202E reverses the text after it), and the line and paragraph separators.
 */
const INVISIBLE_CLASS = '[\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u061C\\u200E\\u200F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069]';
const HAS_INVISIBLE = new RegExp(INVISIBLE_CLASS);
const INVISIBLE = new RegExp(INVISIBLE_CLASS, 'g');

function hex(c: string, width: number): string {
  return c.charCodeAt(0).toString(16).padStart(width, '0');
}

/**
 * Each such character as one visible form: `\r`, `\xHH` below U+0020, `\uHHHH` above (U+202E
 * is `\u202e`). Those above U+007E are written as JSON would escape them, so a JSON text stays
 * JSON with the same value (JSON.stringify already escapes everything below U+0020). A
 * backslash already in the text is left as it is: output that is JSON must stay JSON.
 */
export function visibleControls(text: string): string {
  if (!HAS_INVISIBLE.test(text)) return text;
  return text.replace(INVISIBLE, (c) => (c === '\r' ? '\\r' : c < ' ' ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));
}

/** A private-use pair and 64 random bits, made once per process: no input can contain it. */
let styleToken: string | undefined;

function token(): string {
  if (styleToken === undefined) {
    const bits = new Uint32Array(2);
    globalThis.crypto.getRandomValues(bits);
    styleToken = `\uE000${bits[0]?.toString(36)}.${bits[1]?.toString(36)}\uE001`;
  }
  return styleToken;
}

/**
 * gupsim's own SGR sequence (`sgr('31;1')`, a colour): a token that terminalText() turns into
 * ESC [ code m. The real sequence is never in the text, so terminalText() can show every
 * ESC it finds (a log's, a label's) and still colour gupsim's words.
 */
export function sgr(code: string): string {
  return `${token()}${code}m`;
}

/** Text for a terminal: gupsim's sgr() colours applied, every other control shown (visibleControls). */
export function terminalText(text: string): string {
  if (styleToken === undefined || !text.includes(styleToken)) return visibleControls(text);
  const [first = '', ...rest] = text.split(styleToken);
  let out = visibleControls(first);
  for (const piece of rest) {
    const m = /^([0-9;]*)m/.exec(piece);
    const code = m?.[1] ?? '';
    out += m ? `\x1b[${code}m${visibleControls(piece.slice(m[0].length))}` : visibleControls(piece);
  }
  return out;
}
