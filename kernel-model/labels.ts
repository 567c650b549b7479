/**
 * Page contents as labels. The selftests fill whole pages with one byte (memset) and compare
 * copies; the scenarios write a string per writer. A page's content is therefore one label:
 * an integer per page in the typed arrays of the anonymous memory map (memmap.ts), a string on
 * the Folio objects of the page cache. This table turns one into the other.
 *
 *   0          a zero-filled page ('zeroes', what a fresh page holds)
 *   1 … 255    a page filled with that byte (`fill:0xNN`)
 *   256 …      an interned string (a scenario's writer label)
 *   < 0        content nobody else has: a write of part of a page made it (see mixed())
 */
export const ZERO_LABEL = 0;

const BYTE_TEXT: string[] = [];
for (let b = 0; b < 256; b++)
  BYTE_TEXT.push(b === 0 ? 'zeroes' : `fill:0x${b.toString(16).padStart(2, '0')}`);

export class Labels {
  private readonly byText = new Map<string, number>();
  private readonly texts: string[] = [];
  private nextMixed = -1;

  /** The label of a string (bytes fills and 'zeroes' have their fixed ids). */
  id(text: string): number {
    const fixed = BYTE_TEXT.indexOf(text);
    if (fixed >= 0) return fixed;
    let id = this.byText.get(text);
    if (id === undefined) {
      id = 256 + this.texts.length;
      this.texts.push(text);
      this.byText.set(text, id);
    }
    return id;
  }

  text(id: number): string {
    if (id >= 0 && id < 256) return BYTE_TEXT[id]!;
    if (id < 0) return `mixed#${-id}`;
    return this.texts[id - 256] ?? `label#${id}`;
  }

  /**
   * A write of `byte` into part of a page that held `old`: content no other page has (a new
   * label), unless the page already held that byte everywhere. Two pages written the same
   * way would compare different here; no selftest compares such pages.
   */
  mixed(old: number, byte: number): number {
    if (old === byte) return old;
    return this.nextMixed--;
  }
}
