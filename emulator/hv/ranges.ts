// A set of page numbers kept as sorted, disjoint, half-open ranges [start, end). Used for the
// per-gfn memory attributes (KVM keeps them in an xarray) so a 1 GiB private range is one entry.

export class RangeSet {
  /** Flattened [start0, end0, start1, end1, ...], sorted, disjoint, non-adjacent. */
  private r: number[] = [];

  /** Index of the range containing x, or -1. */
  private find(x: number): number {
    let lo = 0, hi = (this.r.length >> 1) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (x < this.r[2 * mid]) hi = mid - 1;
      else if (x >= this.r[2 * mid + 1]) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  has(x: number): boolean { return this.find(x) >= 0; }

  /** True if every page of [start, end) is in the set. */
  hasAll(start: number, end: number): boolean {
    const i = this.find(start);
    return i >= 0 && this.r[2 * i + 1] >= end;
  }

  /** True if no page of [start, end) is in the set. */
  hasNone(start: number, end: number): boolean {
    for (let i = 0; i < this.r.length; i += 2) if (this.r[i] < end && this.r[i + 1] > start) return false;
    return true;
  }

  add(start: number, end: number): void {
    if (start >= end) return;
    const out: number[] = [];
    let s = start, e = end, placed = false;
    for (let i = 0; i < this.r.length; i += 2) {
      const a = this.r[i], b = this.r[i + 1];
      if (b < s) out.push(a, b);
      else if (a > e) { if (!placed) { out.push(s, e); placed = true; } out.push(a, b); }
      else { s = Math.min(s, a); e = Math.max(e, b); }
    }
    if (!placed) out.push(s, e);
    this.r = out;
  }

  remove(start: number, end: number): void {
    if (start >= end) return;
    const out: number[] = [];
    for (let i = 0; i < this.r.length; i += 2) {
      const a = this.r[i], b = this.r[i + 1];
      if (b <= start || a >= end) { out.push(a, b); continue; }
      if (a < start) out.push(a, start);
      if (b > end) out.push(end, b);
    }
    this.r = out;
  }

  /** The ranges as [start, end) pairs. */
  ranges(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.r.length; i += 2) out.push([this.r[i], this.r[i + 1]]);
    return out;
  }

  get size(): number { let n = 0; for (let i = 0; i < this.r.length; i += 2) n += this.r[i + 1] - this.r[i]; return n; }
}
