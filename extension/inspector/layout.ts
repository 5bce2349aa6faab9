// Geometry of the Memory Tag Inspector, shared by the extension host and the webview (pure: no DOM,
// no vscode). Addresses are bigint in the host and hex strings on the wire; the webview works with
// granule indices relative to the window start (plain numbers), which keeps its hot loops cheap.

export const GRANULE = 16;
export const GRANULES_PER_ROW = 16;
export const ROW_BYTES = GRANULE * GRANULES_PER_ROW; // 256
/** The scrollable window: 1 MiB = 65,536 granules = 4,096 rows. */
export const WINDOW_BYTES = 1 << 20;
export const WINDOW_GRANULES = WINDOW_BYTES / GRANULE;
export const WINDOW_ROWS = WINDOW_BYTES / ROW_BYTES;
/** Tags are fetched in chunks of this many rows (1,024 granules). */
export const CHUNK_ROWS = 64;
export const CHUNK_GRANULES = CHUNK_ROWS * GRANULES_PER_ROW;

/** User addresses live below 2^48 (tag bits [59:56] and the top byte are not part of the address). */
export const ADDRESS_LIMIT = 1n << 48n;
const TOP_BYTE_MASK = (1n << 56n) - 1n;

/** The address without the top byte (logical tag and TBI bits). */
export function untag(v: bigint): bigint { return v & TOP_BYTE_MASK; }
/** The logical tag of a pointer: bits 59:56. */
export function logicalTagOf(v: bigint): number { return Number((v >> 56n) & 0xfn); }

export function granuleAlign(a: bigint): bigint { return a & ~BigInt(GRANULE - 1); }

/** The 1 MiB window (row aligned, inside [0, 2^48)) with `a` as close to its middle as possible. */
export function windowAround(a: bigint): bigint {
  const addr = untag(a);
  let start = addr - BigInt(WINDOW_BYTES / 2);
  start -= start & BigInt(ROW_BYTES - 1);
  if (start < 0n) start = 0n;
  const maxStart = ADDRESS_LIMIT - BigInt(WINDOW_BYTES);
  if (start > maxStart) start = maxStart;
  return start;
}

export function inWindow(windowStart: bigint, a: bigint): boolean {
  const u = untag(a);
  return u >= windowStart && u < windowStart + BigInt(WINDOW_BYTES);
}

/** Granule index of `a` in the window (undefined outside). */
export function granuleIndex(windowStart: bigint, a: bigint): number | undefined {
  if (!inWindow(windowStart, a)) return undefined;
  return Number((untag(a) - windowStart) / BigInt(GRANULE));
}

export function granuleAddress(windowStart: bigint, index: number): bigint {
  return windowStart + BigInt(index) * BigInt(GRANULE);
}

/** Rows to render for a scroll position: [first, last) with `overscan` extra rows each side. */
export function visibleRows(scrollTop: number, viewportHeight: number, rowHeight: number, overscan = 8, totalRows = WINDOW_ROWS): { first: number; last: number } {
  if (rowHeight <= 0 || !Number.isFinite(scrollTop)) return { first: 0, last: 0 };
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(totalRows, Math.ceil((scrollTop + Math.max(0, viewportHeight)) / rowHeight) + overscan);
  return { first, last: Math.max(first, last) };
}

/** The scrollTop that shows `row` (keeps the current position when it is already fully visible). */
export function scrollToReveal(row: number, scrollTop: number, viewportHeight: number, rowHeight: number, center = false): number {
  const top = row * rowHeight;
  if (center) return Math.max(0, top - Math.floor((viewportHeight - rowHeight) / 2));
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight;
  return scrollTop;
}

/** Chunks (by index) covering rows [first, last). */
export function chunksFor(first: number, last: number): number[] {
  const out: number[] = [];
  for (let c = Math.floor(first / CHUNK_ROWS); c * CHUNK_ROWS < last; c++) out.push(c);
  return out;
}

export type NavKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'PageUp' | 'PageDown' | 'Home' | 'End';

/** Keyboard navigation over granule indices; `pageRows` rows per page. Clamped to the window. */
export function navigate(index: number, key: NavKey, pageRows: number, ctrl = false): number {
  const row = Math.floor(index / GRANULES_PER_ROW);
  const col = index % GRANULES_PER_ROW;
  let next: number;
  switch (key) {
    case 'ArrowLeft': next = index - 1; break;
    case 'ArrowRight': next = index + 1; break;
    case 'ArrowUp': next = index - GRANULES_PER_ROW; break;
    case 'ArrowDown': next = index + GRANULES_PER_ROW; break;
    case 'PageUp': next = index - Math.max(1, pageRows) * GRANULES_PER_ROW; break;
    case 'PageDown': next = index + Math.max(1, pageRows) * GRANULES_PER_ROW; break;
    case 'Home': next = ctrl ? col : row * GRANULES_PER_ROW; break;
    case 'End': next = ctrl ? (WINDOW_ROWS - 1) * GRANULES_PER_ROW + col : row * GRANULES_PER_ROW + GRANULES_PER_ROW - 1; break;
  }
  return Math.min(WINDOW_GRANULES - 1, Math.max(0, next));
}

export function hex(v: bigint | number): string { return '0x' + BigInt.asUintN(64, BigInt(v)).toString(16); }
/** Fixed-width address for row labels: 12 hex digits covers 48 bits. */
export function hexAddress(v: bigint): string { return '0x' + v.toString(16).padStart(12, '0'); }

/**
 * Parses what a user types in the address box: hex (`0x...`, with `_` or `'` separators), decimal,
 * or a bare hex string of at least 5 digits (`ffff8000`). Returns undefined when it is none of these
 * (the host then asks the debugger to evaluate it as an expression: registers, arithmetic).
 */
export function parseAddress(text: string): bigint | undefined {
  const t = text.trim().replace(/[_']/g, '');
  if (/^0x[0-9a-f]+$/i.test(t)) return t.length <= 18 ? BigInt(t) : undefined;
  if (/^\d+$/.test(t)) return t.length <= 20 ? BigInt(t) : undefined;
  if (/^[0-9a-f]{5,16}$/i.test(t) && /[a-f]/i.test(t)) return BigInt('0x' + t);
  return undefined;
}

export interface PointerMarker { register: string; index: number; logicalTag: number }

/** Which window granules the pointer registers point into (several registers may share one). */
export function markersByGranule(windowStart: bigint, registers: { name: string; value: bigint }[]): Map<number, PointerMarker[]> {
  const out = new Map<number, PointerMarker[]>();
  for (const r of registers) {
    const i = granuleIndex(windowStart, r.value);
    if (i === undefined) continue;
    const list = out.get(i) ?? [];
    list.push({ register: r.name, index: i, logicalTag: logicalTagOf(r.value) });
    out.set(i, list);
  }
  return out;
}

/** A register value that is worth drawing as a pointer: a user address (not 0, not tiny). */
export function isPointerLike(v: bigint): boolean {
  const u = untag(v);
  return u >= 0x1000n && u < ADDRESS_LIMIT;
}
