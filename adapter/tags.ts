// The `tagvisor/readTags` response's provenance columns: `ProvenanceColumns` builds them (the
// adapter), `decodeReadTags` reads them (the extension's Memory Tag Inspector, tests, bench).
//
// Both columns are base64 of unsigned LEB128 numbers (7 bits per byte, low bits first, high bit set
// on every byte but a number's last), so long runs of granules tagged by one loop cost about a byte
// per granule instead of 6 (Int16 writer index + Uint32 step):
//  - `setByRuns`: pairs (writer + 1, run length) covering all `count` granules in order; writer is an
//    index into `writers`, -1 (so 0 here) = no write recorded.
//  - `stepDeltas`: for each granule with a writer, in order, its step minus the previous such
//    granule's step (the first minus 0), zigzag-mapped (0, -1, 1, -2, ... -> 0, 1, 2, 3, ...).
// Steps are integers below 2^53; the encoding is exact for all of them (no 32-bit arithmetic).

export interface ReadTagsBody {
  address: string;
  count: number;
  granuleSize: number;
  logicalTag: number;
  /** One hex digit per granule, '-' = no allocation tag (not PROT_MTE, or unmapped). */
  tags: string;
  writers?: { pc: string; instruction: string; by: string }[];
  /** base64 LEB128 pairs (writer + 1, run length) over all granules (see the top of adapter/tags.ts). */
  setByRuns?: string;
  /** base64 zigzag LEB128 step differences, one per granule with a writer (see the top of adapter/tags.ts). */
  stepDeltas?: string;
  /** Older column form, still decoded: base64 of an Int16Array (setByBits 16) or Int32Array (32), little-endian: index into writers per granule, -1 = not seen. */
  setBy?: string;
  setByBits?: 16 | 32;
  /** Older column form, still decoded: base64 of a Uint32Array (stepBits 32) or Float64Array (64), little-endian: instruction number of the write per granule. */
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

const HEX_CODES = Array.from('0123456789abcdef', c => c.charCodeAt(0));

/** A growable byte buffer of LEB128 numbers. */
class Leb128Writer {
  private buf: Buffer;
  private n = 0;
  constructor(capacity: number) { this.buf = Buffer.allocUnsafe(Math.max(16, capacity)); }

  private room(bytes: number): void {
    if (this.n + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.n + bytes));
    this.buf.copy(bigger, 0, 0, this.n);
    this.buf = bigger;
  }

  /** An unsigned integer below 2^31. */
  small(v: number): void {
    this.room(5);
    const b = this.buf;
    while (v >= 0x80) { b[this.n++] = (v & 0x7f) | 0x80; v >>>= 7; }
    b[this.n++] = v;
  }

  /** A signed integer d with |d| < 2^53, zigzag-mapped: z = 2d (d >= 0), -2d - 1 (d < 0), without forming z. */
  zigzag(d: number): void {
    this.room(8);
    const b = this.buf;
    // z = 2m + s with (m, s) = (d, 0) or (-d - 1, 1): the first byte holds s and m's low 6 bits.
    let m = d >= 0 ? d : -d - 1;
    const s = d >= 0 ? 0 : 1;
    if (m < 0x40) { b[this.n++] = (m << 1) | s; return; }
    b[this.n++] = 0x80 | ((m % 0x40) << 1) | s;
    m = Math.floor(m / 0x40);
    while (m >= 0x80) { b[this.n++] = 0x80 | (m % 0x80); m = Math.floor(m / 0x80); }
    b[this.n++] = m;
  }

  base64(): string { return this.buf.toString('base64', 0, this.n); }
}

/**
 * The provenance columns of a readTags answer, built granule by granule in order: `none` for
 * granules with no recorded write, `set` for the others.
 */
export class ProvenanceColumns {
  private readonly runs: Leb128Writer;
  private readonly deltas: Leb128Writer;
  private readonly prev: Buffer;
  private at = 0;
  private runWriter = -1;
  private runLength = 0;
  private lastStep = 0;

  constructor(readonly count: number) {
    this.runs = new Leb128Writer(64);
    this.deltas = new Leb128Writer(count + 16);
    this.prev = Buffer.alloc(count, 45); // '-'
  }

  private run(writer: number, n: number): void {
    if (writer !== this.runWriter) {
      if (this.runLength > 0) { this.runs.small(this.runWriter + 1); this.runs.small(this.runLength); }
      this.runWriter = writer;
      this.runLength = 0;
    }
    this.runLength += n;
  }

  /** The next `n` granules have no recorded write. */
  none(n: number): void {
    if (n <= 0) return;
    if (this.at + n > this.count) throw new RangeError(`readTags columns: ${this.at + n} granules for a count of ${this.count}`);
    this.run(-1, n);
    this.at += n;
  }

  /** The next granule was last set by `writer` (index into writers) at `step`, over tag `previous`. */
  set(writer: number, step: number, previous: number): void {
    if (this.at >= this.count) throw new RangeError(`readTags columns: more than ${this.count} granules`);
    this.run(writer, 1);
    this.deltas.zigzag(step - this.lastStep);
    this.lastStep = step;
    this.prev[this.at++] = HEX_CODES[previous];
  }

  /** The columns (granules not given yet have no recorded write). */
  finish(): { setByRuns: string; stepDeltas: string; previous: string } {
    this.none(this.count - this.at);
    this.run(-2, 0); // flushes the last run
    return { setByRuns: this.runs.base64(), stepDeltas: this.deltas.base64(), previous: this.prev.toString('latin1') };
  }
}

/** Reads LEB128 numbers from a base64 column, with errors naming the column and the byte. */
class Leb128Reader {
  private readonly b: Buffer;
  private i = 0;
  constructor(private readonly field: string, b64: string) { this.b = Buffer.from(b64, 'base64'); }
  get done(): boolean { return this.i >= this.b.length; }

  private fail(what: string): never { throw new Error(`tagvisor/readTags: "${this.field}" ${what} at byte ${this.i}`); }

  small(): number {
    const b = this.b;
    let v = 0, shift = 0;
    for (;;) {
      if (this.i >= b.length) this.fail(shift === 0 ? 'ends before a number' : 'ends inside a number');
      const x = b[this.i++];
      if (shift > 28) this.fail('has a number too large');
      v += (x & 0x7f) * 2 ** shift;
      if (x < 0x80) return v;
      shift += 7;
    }
  }

  zigzag(): number {
    const b = this.b;
    if (this.i >= b.length) this.fail('ends before a number');
    let x = b[this.i++];
    const s = x & 1;
    let m = (x >> 1) & 0x3f, mult = 0x40;
    while (x >= 0x80) {
      if (this.i >= b.length) this.fail('ends inside a number');
      x = b[this.i++];
      if (mult > 2 ** 53) this.fail('has a number too large');
      m += (x & 0x7f) * mult;
      mult *= 0x80;
    }
    return s ? -m - 1 : m;
  }
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

/** Writer index (-1 = none) and step per granule, from either column form; undefined without provenance. */
function provenanceColumns(b: ReadTagsBody): { setBy: Int16Array | Int32Array; steps: ArrayLike<number> } | undefined {
  if (b.setByRuns !== undefined && b.stepDeltas !== undefined) {
    const count = b.count;
    const setBy = new Int32Array(count).fill(-1);
    const steps = new Float64Array(count);
    const runs = new Leb128Reader('setByRuns', b.setByRuns), deltas = new Leb128Reader('stepDeltas', b.stepDeltas);
    let i = 0, step = 0;
    while (!runs.done) {
      const w = runs.small() - 1, n = runs.small();
      if (i + n > count) throw new Error(`tagvisor/readTags: "setByRuns" covers more than the ${count} granules`);
      if (w >= 0) {
        for (let k = i; k < i + n; k++) { step += deltas.zigzag(); setBy[k] = w; steps[k] = step; }
      }
      i += n;
    }
    if (!deltas.done) throw new Error('tagvisor/readTags: "stepDeltas" has more steps than "setByRuns" has granules with a writer');
    return { setBy, steps };
  }
  if (b.setBy === undefined || b.steps === undefined) return undefined;
  return {
    setBy: b.setByBits === 32 ? typed(b.setBy, (x, n) => new Int32Array(x, 0, n), 4) : typed(b.setBy, (x, n) => new Int16Array(x, 0, n), 2),
    steps: b.stepBits === 64 ? typed(b.steps, (x, n) => new Float64Array(x, 0, n), 8) : typed(b.steps, (x, n) => new Uint32Array(x, 0, n), 4),
  };
}

/** One entry per granule. */
export function decodeReadTags(b: ReadTagsBody): GranuleTag[] {
  const cols = provenanceColumns(b);
  const writers = cols ? b.writers : undefined;
  const setBy = cols?.setBy, steps = cols?.steps;
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
