// Reading what the inspector needs from the adapter's DAP answers (pure: takes response bodies,
// returns plain data). The adapter is the authority; these functions only reshape its answers.
import type { FaultMark, GranuleInfo, Provenance, RegisterPointer } from './protocol';
import { hex, isPointerLike } from './layout';
import { decodeReadTags, type ReadTagsBody } from '../../adapter/tags';

const HEX_RE = /0x[0-9a-f]+/i;

/** The first hex number in a DAP value string (`0x0500ffff00001000`, `0x1000 (tag 0x5)`), if any. */
export function valueOf(text: string | undefined): bigint | undefined {
  if (!text) return undefined;
  const m = HEX_RE.exec(text);
  if (m) return BigInt(m[0]);
  const d = /^\s*(\d+)\b/.exec(text);
  return d ? BigInt(d[1]) : undefined;
}

const POINTER_REGISTERS = /^(x([0-9]|[12][0-9]|30)|sp|fp|lr)$/i;

/** Pointer-like general registers from the Registers scope's variables. */
export function pointerRegisters(vars: readonly { name: string; value: string }[]): RegisterPointer[] {
  const out: RegisterPointer[] = [];
  for (const v of vars) {
    const name = v.name.trim().toLowerCase();
    if (!POINTER_REGISTERS.test(name)) continue;
    const value = valueOf(v.value);
    if (value === undefined || !isPointerLike(value)) continue;
    const r: RegisterPointer = { name, value: hex(value) };
    const mem = /\bmem (0x[0-9a-f]+)/i.exec(v.value);
    if (mem) r.allocationTag = Number(mem[1]);
    out.push(r);
  }
  return out;
}

/** All general registers (for "follow register"), pointer-like or not. */
export function allRegisters(vars: readonly { name: string; value: string }[]): RegisterPointer[] {
  const out: RegisterPointer[] = [];
  for (const v of vars) {
    const name = v.name.trim().toLowerCase();
    if (!POINTER_REGISTERS.test(name)) continue;
    const value = valueOf(v.value);
    if (value !== undefined) out.push({ name, value: hex(value) });
  }
  return out;
}

/**
 * The fault to mark, from an `exceptionInfo` body of a tag check stop, e.g. description
 * "Tag check fault (sync, load): logical tag 0x5, allocation tag 0x3 at 0x0500000200000008".
 */
export function faultFromExceptionInfo(body: { exceptionId?: string; description?: string; details?: Record<string, unknown> } | undefined): FaultMark | undefined {
  if (!body) return undefined;
  const text = body.description ?? '';
  const isTag = /tag[- ]check/i.test(body.exceptionId ?? '') || /tag check/i.test(text);
  if (!isTag) return undefined;
  const at = /\bat (0x[0-9a-f]+)/i.exec(text) ?? HEX_RE.exec(String((body.details as { evaluateName?: string } | undefined)?.evaluateName ?? ''));
  const d = body.details as { address?: unknown; faultAddress?: unknown; logicalTag?: unknown; allocationTag?: unknown } | undefined;
  const addr = typeof d?.faultAddress === 'string' ? d.faultAddress : typeof d?.address === 'string' ? d.address : at?.[1];
  if (!addr) return undefined; // async faults without an address: nothing to mark
  const lt = /logical tag (0x[0-9a-f]+)/i.exec(text);
  const alt = /allocation tag (0x[0-9a-f]+)/i.exec(text);
  return {
    address: hex(BigInt(addr)),
    logicalTag: typeof d?.logicalTag === 'number' ? d.logicalTag : lt ? Number(lt[1]) : undefined,
    allocationTag: typeof d?.allocationTag === 'number' ? d.allocationTag : alt ? Number(alt[1]) : undefined,
    text,
  };
}

/**
 * Normalises the `tagvisor/readTags` response into one GranuleInfo per granule. The adapter answers
 * in columns (`tags`: one hex digit per granule, '-' = no tags; provenance as `writers` + base64
 * `setByRuns`/`stepDeltas` (or the older `setBy`/`steps`) + `previous`), decoded by the adapter's own
 * adapter/tags.ts. An older row form
 * (`tags: (number | null)[]`, `sets: [...]`) is still read.
 */
export function granulesFromReadTags(body: unknown, count: number): GranuleInfo[] {
  const o = body && typeof body === 'object' ? body as Record<string, unknown> : undefined;
  const tags = o?.tags;
  if (typeof tags === 'string') {
    const decoded = decodeReadTags(o as unknown as ReadTagsBody);
    const out: GranuleInfo[] = [];
    for (let i = 0; i < count; i++) {
      const g = decoded[i];
      if (!g) { out.push({ tag: null, note: 'not read' }); continue; }
      const info: GranuleInfo = g.tag === null ? { tag: null, note: NO_TAGS } : { tag: g.tag };
      if (g.set && g.tag !== null) {
        info.provenance = { pc: g.set.pc, instruction: g.set.instruction.replace(/\s+/g, ' ').trim(), step: g.set.step, previous: g.set.previous, by: g.set.by };
      }
      out.push(info);
    }
    return out;
  }
  if (!Array.isArray(tags)) throw new Error('tagvisor/readTags: the adapter answered without a "tags" list');
  const sets = Array.isArray(o?.sets) ? o!.sets as unknown[] : [];
  const out: GranuleInfo[] = [];
  for (let i = 0; i < count; i++) {
    const t = tags[i];
    const info: GranuleInfo = typeof t === 'number' && Number.isInteger(t) && t >= 0 && t <= 15 ? { tag: t } : { tag: null, note: i < tags.length ? NO_TAGS : 'not read' };
    const pv = provenanceOf(sets[i]);
    if (pv && info.tag !== null) info.provenance = pv;
    out.push(info);
  }
  return out;
}

const NO_TAGS = 'no tag storage here (unmapped, not PROT_MTE, or not readable)';

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(v)) return Number(v);
  return undefined;
}

function provenanceOf(v: unknown): Provenance | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const pv = v as Record<string, unknown>;
  const pc = typeof pv.pc === 'string' && /^0x[0-9a-f]+$/i.test(pv.pc) ? pv.pc.toLowerCase() : num(pv.pc) !== undefined ? hex(num(pv.pc)!) : '?';
  const prov: Provenance = {
    pc,
    instruction: typeof pv.instruction === 'string' ? pv.instruction.replace(/\s+/g, ' ').trim() : '(unknown instruction)',
    step: num(pv.step) ?? 0,
    previous: num(pv.previous) ?? 0,
    by: typeof pv.by === 'string' ? pv.by : 'instruction',
  };
  if (typeof pv.source === 'string') prov.source = pv.source;
  return prov;
}
