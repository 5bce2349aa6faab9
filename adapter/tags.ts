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

/** Character code -> hex digit value (as parseInt(c, 16) reads one character); NaN for anything else. */
const DIGIT = new Float64Array(128).fill(NaN);
for (let i = 0; i < 16; i++) { DIGIT['0123456789abcdef'.charCodeAt(i)] = i; DIGIT['0123456789ABCDEF'.charCodeAt(i)] = i; }
const DASH = 45;
const digit = (c: number): number => (c < 128 ? DIGIT[c] : NaN);

/** base64 (little-endian) -> a typed array of `size`-byte elements, in its own aligned buffer. */
function typed<T extends Int16Array | Int32Array | Uint32Array | Float64Array>(b64: string, make: (buf: ArrayBuffer, n: number) => T, size: number): T {
  const bytes = Buffer.from(b64, 'base64');
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return make(copy, Math.floor(bytes.length / size));
}

/** One entry per granule. */
export function decodeReadTags(b: ReadTagsBody): GranuleTag[] {
  const setBy = b.setBy === undefined ? undefined : b.setByBits === 32 ? typed(b.setBy, (x, n) => new Int32Array(x, 0, n), 4) : typed(b.setBy, (x, n) => new Int16Array(x, 0, n), 2);
  const steps = b.steps === undefined ? undefined : b.stepBits === 64 ? typed(b.steps, (x, n) => new Float64Array(x, 0, n), 8) : typed(b.steps, (x, n) => new Uint32Array(x, 0, n), 4);
  const writers = setBy && steps ? b.writers : undefined;
  const tags = b.tags, prev = b.previous ?? '', size = b.granuleSize, count = b.count;
  // Addresses: one BigInt per granule, made from a double while that is exact (user addresses are < 2^48).
  const base = BigInt(b.address);
  const baseNum = Number(base);
  const exact = base <= BigInt(Number.MAX_SAFE_INTEGER) && baseNum + count * size <= Number.MAX_SAFE_INTEGER;
  const out: GranuleTag[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const c = tags.charCodeAt(i);
    const tag = c === DASH ? null : digit(c);
    const address = exact ? BigInt(baseNum + i * size) : base + BigInt(i * size);
    const w = writers && i < setBy!.length && setBy![i] >= 0 ? writers[setBy![i]] : undefined;
    if (w) {
      out[i] = { address, tag, set: { pc: w.pc, instruction: w.instruction, by: w.by, step: steps![i], previous: digit(prev.charCodeAt(i)) } };
    } else {
      out[i] = { address, tag };
    }
  }
  return out;
}
