// Decoding the `tagvisor/readTags` response (for the extension's Memory Tag Inspector and tests).

export interface ReadTagsBody {
  address: string;
  count: number;
  granuleSize: number;
  logicalTag: number;
  /** One hex digit per granule, '-' = no allocation tag (not PROT_MTE, or unmapped). */
  tags: string;
  writers?: { pc: string; instruction: string; by: string }[];
  /** base64 of an Int16Array (setByBits 16) or Int32Array (32), little-endian: index into writers per granule, -1 = not seen. */
  setBy?: string;
  setByBits?: 16 | 32;
  /** base64 of a Uint32Array (stepBits 32) or Float64Array (64), little-endian: instruction number of the write per granule. */
  steps?: string;
  stepBits?: 32 | 64;
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

function typed<T extends Int16Array | Int32Array | Uint32Array | Float64Array>(b64: string, make: (buf: ArrayBuffer, n: number) => T, size: number): T {
  const bytes = Buffer.from(b64, 'base64');
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return make(copy, bytes.length / size);
}

/** One entry per granule. */
export function decodeReadTags(b: ReadTagsBody): GranuleTag[] {
  const base = BigInt(b.address);
  const setBy = b.setBy === undefined ? undefined : b.setByBits === 32 ? typed(b.setBy, (x, n) => new Int32Array(x, 0, n), 4) : typed(b.setBy, (x, n) => new Int16Array(x, 0, n), 2);
  const steps = b.steps === undefined ? undefined : b.stepBits === 64 ? typed(b.steps, (x, n) => new Float64Array(x, 0, n), 8) : typed(b.steps, (x, n) => new Uint32Array(x, 0, n), 4);
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
