// One 4 KiB guest-physical page with its allocation tags beside the data.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;
export const PAGE_MASK = PAGE_SIZE - 1;
export const GRANULE_SIZE = 16;
export const GRANULES_PER_PAGE = PAGE_SIZE / GRANULE_SIZE;
/** Two 4-bit tags per byte. */
export const TAG_BYTES_PER_PAGE = GRANULES_PER_PAGE / 2;

export class PhysPage {
  readonly data: Uint8Array;
  readonly view: DataView;
  /** Allocation tags, 4 bits per granule (granule g: byte g>>1, low nibble when g is even). null = all 0. */
  tags: Uint8Array | null = null;
  /** PG_mte_tagged: the tags have been initialised (sanitised, copied in, or restored from swap). */
  mteTagged = false;
  /** The CPU's decode cache for this page (one entry per instruction word); dropped on any data write. */
  decoded: unknown[] | null = null;

  constructor(readonly gpn: number, data?: Uint8Array) {
    this.data = data ?? new Uint8Array(PAGE_SIZE);
    this.view = new DataView(this.data.buffer, this.data.byteOffset, PAGE_SIZE);
  }

  getTag(granule: number): number {
    const t = this.tags;
    if (t === null) return 0;
    const b = t[granule >> 1];
    return (granule & 1) === 0 ? b & 0xf : b >> 4;
  }

  setTag(granule: number, tag: number): void {
    let t = this.tags;
    if (t === null) {
      if (tag === 0) return;
      t = this.tags = new Uint8Array(TAG_BYTES_PER_PAGE);
    }
    const i = granule >> 1;
    t[i] = (granule & 1) === 0 ? (t[i] & 0xf0) | (tag & 0xf) : (t[i] & 0x0f) | ((tag & 0xf) << 4);
  }

  clearTags(): void { this.tags = null; }

  /** Copies the 256 tags out, one per byte (the ptrace / KVM_ARM_MTE_COPY_TAGS format). */
  readTagBytes(out: Uint8Array, outOffset = 0): void {
    for (let g = 0; g < GRANULES_PER_PAGE; g++) out[outOffset + g] = this.getTag(g);
  }

  /** Sets all 256 tags from one-per-byte input (low nibble). */
  writeTagBytes(src: Uint8Array, srcOffset = 0): void {
    for (let g = 0; g < GRANULES_PER_PAGE; g++) this.setTag(g, src[srcOffset + g] & 0xf);
  }

  /** Called on every data write that may hit code: invalidates decoded instructions. */
  dataWritten(): void { this.decoded = null; }
}
