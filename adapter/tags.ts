// Decoding the `tagvisor/readTags` response (for the extension's Memory Tag Inspector and tests).

export interface ReadTagsBody {
  address: string;
  count: number;
  granuleSize: number;
  logicalTag: number;
  /** One hex digit per granule, '-' = no allocation tag (not PROT_MTE, or unmapped). */
  tags: string;
  writers?: { pc: string; instruction: string; by: string }[];
  /** base64 of an Int32Array (little-endian): index into writers per granule, -1 = not seen. */
  setBy?: string;
  /** base64 of a Float64Array (little-endian): instruction number of the write per granule. */
  steps?: string;
  /** One hex digit per granule: the tag before that write ('-' = none recorded). */
  previous?: string;
}

export interface GranuleTag {
  address: bigint;
  /** null: no allocation tag here. */
  tag: number | null;
  /** Who set it, when known. */
  set?: { pc: string; instruction: string; by: string; step: number; previous: number };
}

function typed<T extends Int32Array | Float64Array>(b64: string, make: (buf: ArrayBuffer, n: number) => T, size: number): T {
  const bytes = Buffer.from(b64, 'base64');
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return make(copy, bytes.length / size);
}

/** One entry per granule. */
export function decodeReadTags(b: ReadTagsBody): GranuleTag[] {
  const base = BigInt(b.address);
  const setBy = b.setBy ? typed(b.setBy, (x, n) => new Int32Array(x, 0, n), 4) : undefined;
  const steps = b.steps ? typed(b.steps, (x, n) => new Float64Array(x, 0, n), 8) : undefined;
  const out: GranuleTag[] = [];
  for (let i = 0; i < b.count; i++) {
    const c = b.tags[i];
    const g: GranuleTag = { address: base + BigInt(i * b.granuleSize), tag: c === '-' ? null : parseInt(c, 16) };
    if (setBy && steps && b.writers && setBy[i] >= 0) {
      const w = b.writers[setBy[i]];
      g.set = { ...w, step: steps[i], previous: parseInt(b.previous![i], 16) };
    }
    out.push(g);
  }
  return out;
}
