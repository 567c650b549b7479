// The log reader's UTF-8 decoding (reports/parse/utf8.ts) gives exactly the text a
// TextDecoder('utf-8') gives, for any bytes cut into any chunks: valid text of every width, the
// BOM, and every kind of malformed input (stray continuations, overlongs, surrogates, bytes
// that never occur, sequences cut by the end of the input).
import t from 'tap';
import fc from 'fast-check';
import { completeEnd, Utf8Decoder } from '../reports/parse/utf8.js';
import { CHUNK_BYTES, textOfStream } from '../reports/parse/lines.js';

/**
 * The spec's text of the bytes: TextDecoder over the whole input at once. Not a streaming
 * TextDecoder over the same chunks (what the reader used before): Node 24.22's drops a BOM in
 * mid-stream when the chunk it starts is cut after an open character (`C2 | A0 EF BB BF` gives
 * U+00A0 alone; the WHATWG decoder drops a BOM at the start of the stream only), and chunking
 * may not change the text.
 */
function reference(chunks: readonly Uint8Array[]): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
}

function decoded(chunks: readonly Uint8Array[]): string {
  const d = new Utf8Decoder();
  let s = '';
  for (const c of chunks) s += d.decode(c);
  return s + d.end();
}

/** `bytes` cut at `cuts` (positions, any order, any repeats: empty chunks too). */
function cut(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...at, bytes.length]) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out;
}

/** Pieces of bytes: text of every UTF-8 width, a BOM, and malformed sequences of every kind. */
const piece: fc.Arbitrary<readonly number[]> = fc.oneof(
  fc.string({ maxLength: 8 }).map((s) => [...Buffer.from(s)]),
  fc.string({ unit: 'grapheme', maxLength: 4 }).map((s) => [...Buffer.from(s)]),
  fc.constantFrom(
    [0xef, 0xbb, 0xbf], // BOM
    [0x80],
    [0xbf],
    [0xc0, 0x80],
    [0xc1, 0xbf], // stray continuation, overlong 2-byte leads
    [0xe0, 0x80, 0x80],
    [0xe0, 0x9f, 0xbf], // overlong 3-byte
    [0xed, 0xa0, 0x80],
    [0xed, 0xbf, 0xbf], // UTF-16 surrogates encoded
    [0xf0, 0x80, 0x80, 0x80],
    [0xf4, 0x90, 0x80, 0x80], // overlong 4-byte, above U+10FFFF
    [0xf5],
    [0xf8, 0x88, 0x80, 0x80, 0x80],
    [0xfe],
    [0xff], // never valid
    [0xc3],
    [0xe2, 0x82],
    [0xf0, 0x9f, 0x98], // cut sequences
    [0x0a],
    [0x0d, 0x0a],
  ),
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 }),
);

t.test('any bytes in any chunks: the text of TextDecoder over the whole input', async () => {
  fc.assert(
    fc.property(
      fc.array(piece, { maxLength: 40 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      (pieces, cuts) => {
        const bytes = Uint8Array.from(pieces.flat());
        const chunks = cut(bytes, cuts);
        return decoded(chunks) === reference(chunks) && decoded([bytes]) === reference([bytes]);
      },
    ),
    { numRuns: 3000 },
  );
});

t.test('every 1-, 2- and 3-byte chunking of every byte pair and triple around a cut', async (t) => {
  // Exhaustive where the carry logic works: a lead byte and what follows it, cut anywhere.
  let cases = 0;
  for (const lead of [
    0x41, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xff,
  ]) {
    for (const b1 of [0x41, 0x80, 0x90, 0x9f, 0xa0, 0xbf, 0xc2]) {
      for (const b2 of [0x41, 0x80, 0xbf, 0xe0]) {
        const bytes = Uint8Array.from([0x61, lead, b1, b2, 0x80, 0x62]);
        for (let i = 0; i <= bytes.length; i++) {
          for (let j = i; j <= bytes.length; j++) {
            const chunks = cut(bytes, [i, j]);
            if (decoded(chunks) !== reference(chunks))
              t.fail(`${Buffer.from(bytes).toString('hex')} cut at ${i}, ${j}`);
            cases++;
          }
        }
      }
    }
  }
  t.pass(`${cases} chunkings agree`);
});

t.test('a BOM is dropped at the start of the stream only, even when cut', async (t) => {
  const bom = [0xef, 0xbb, 0xbf];
  const bytes = Uint8Array.from([...bom, 0x41, ...bom, 0x42]);
  for (const at of [0, 1, 2, 3, 4]) {
    t.equal(decoded(cut(bytes, [at])), 'A\uFEFFB', `cut at ${at}`);
  }
  t.equal(
    decoded([Uint8Array.from([0xc2]), Uint8Array.from([0xa0, ...bom])]),
    '\u00A0\uFEFF',
    'not after a character the cut left open (the counterexample Node 24.22 streaming TextDecoder fails)',
  );
  t.equal(
    decoded([new Uint8Array(0), Uint8Array.from([0xff, ...bom])]),
    '\uFFFD\uFEFF',
    'not after a bad byte',
  );
});

t.test('completeEnd: a character cut by the end is left for the next chunk', async (t) => {
  const end = (...b: number[]): number => completeEnd(Uint8Array.from(b));
  t.equal(end(0x41, 0xe2, 0x82), 1, 'a 3-byte sequence with 2 bytes');
  t.equal(end(0x41, 0xe2, 0x82, 0xac), 4, 'complete');
  t.equal(end(0xf0, 0x9f, 0x98), 0, '4-byte with 3');
  t.equal(end(0x80, 0x80, 0x80), 3, 'stray continuations end themselves');
  t.equal(end(), 0);
});

t.test(
  'textOfStream over a reused buffer: each chunk is decoded before the next is read',
  async (t) => {
    const text = 'é€😀 ünïcödé\n'.repeat(20_000);
    const bytes = Buffer.from(text);
    async function* reused(): AsyncGenerator<Uint8Array> {
      const buf = Buffer.alloc(CHUNK_BYTES);
      for (let off = 0; off < bytes.length; off += CHUNK_BYTES) {
        const n = bytes.copy(buf, 0, off, off + CHUNK_BYTES);
        yield buf.subarray(0, n);
      }
    }
    let out = '';
    for await (const s of textOfStream(reused())) out += s;
    t.equal(out, text);
  },
);
