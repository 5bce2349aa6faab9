// The CPU's compiled blocks (emulator/cpu/cpu.ts) and the JIT templates (emulator/isa/jit.ts) must
// behave exactly like the instructions' closures run one at a time. For every templated spec:
// random encodings on random machine states (registers that often point into tagged and untagged
// pages, with matching or mismatching tags, page-crossing offsets, every tag check mode, TCO),
// run once per instruction (blocks off) and once through a compiled block, with a warm TLB so the
// fast paths are taken; registers, flags, pc, stop reason, fault, memory, tags, RGSR, TFSRE0 and
// async mismatch records must be identical. Then whole programs: chunked runs, budgets, loops,
// self-modifying code, faults inside blocks, and the live instruction count behind cntvct_el0.
// Last, the differential corpus (C with glibc, assembly): every program with blocks compiled at
// once must print, exit and count instructions exactly as with blocks off.
// Seed: TAGVISOR_JIT_SEED (default fixed); cases per spec: TAGVISOR_JIT_CASES.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildCorpus, listCorpus, type CorpusEntry } from '../corpus/build.mjs';
import { parseElf } from '../../emulator/elf';
import { LinuxProcess } from '../../emulator/linux';
import { Cpu, Stop } from '../../emulator/cpu/cpu';
import { A64 } from '../../emulator/isa/table';
import { TEMPLATES } from '../../emulator/isa/jit';
import { compilePattern, type Step } from '../../emulator/isa/spec';
import { assemble } from '../../emulator/asm/index';
import { AddressSpace, Mmu, PAGE_SIZE, PROT_R, PROT_W, PROT_X, RamPhysicalMemory, type PhysPage, type TagMismatch } from '../../emulator/memory/index';

const CODE = 0x40_0000;
const DATA = 0x50_0000;
/** Data pages: [tagged RW, untagged RW, tagged RW, read-only untagged, unmapped]. */
const DATA_PAGES = [
  { prot: PROT_R | PROT_W, tagged: true },
  { prot: PROT_R | PROT_W, tagged: false },
  { prot: PROT_R | PROT_W, tagged: true },
  { prot: PROT_R, tagged: false },
  null,
] as const;
const BRK = 0xd420_0000;
/** `b .` */
const B_SELF = 0x1400_0000;

/** xorshift128+, seeded. */
class Rng {
  private a: bigint; private b: bigint;
  constructor(seed: bigint) { this.a = seed ^ 0x9e37_79b9_7f4a_7c15n; this.b = (seed * 0xbf58_476d_1ce4_e5b9n + 1n) & 0xffff_ffff_ffff_ffffn; if (this.a === 0n) this.a = 1n; }
  next64(): bigint {
    let s1 = this.a; const s0 = this.b;
    this.a = s0;
    s1 ^= (s1 << 23n) & 0xffff_ffff_ffff_ffffn;
    this.b = s1 ^ s0 ^ (s1 >> 17n) ^ (s0 >> 26n);
    return (this.b + s0) & 0xffff_ffff_ffff_ffffn;
  }
  int(n: number): number { return Number(this.next64() % BigInt(n)); }
  chance(p: number): boolean { return this.int(1_000_000) < p * 1_000_000; }
}

const EDGE = [0n, 1n, 2n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n, 0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0xffff_ffff_ffff_ffffn, 0xffff_ffff_ffff_fff0n];

/**
 * The table as a decoder whose closures for `watched` count their calls in `calls`: a compiled block
 * only calls an instruction's closure on its slow path, so this tells whether the fast path ran.
 */
class WatchingDecoder {
  watched = -1;
  calls = 0;
  readonly jitHelpers = A64.jitHelpers;
  compile(word: number): Step | undefined {
    const s = A64.compile(word);
    if (s === undefined || word !== this.watched) return s;
    return c => { this.calls++; s(c); };
  }
  jitSource(word: number, pc: number): string | undefined { return A64.jitSource(word, pc); }
}

class Machine {
  readonly phys = new RamPhysicalMemory();
  readonly space = new AddressSpace();
  readonly cpu: Cpu;
  readonly decoder = new WatchingDecoder();
  readonly mismatches: TagMismatch[] = [];
  private gpn = 0x40000;

  constructor() {
    this.cpu = new Cpu(this.decoder, c => new Mmu(this.space, this.phys, c));
    this.cpu.mmu.hooks.asyncMismatch = m => { this.mismatches.push(m); };
    this.space.set(CODE / PAGE_SIZE, { gpn: this.gpn++, prot: PROT_R | PROT_X, tagged: false });
    DATA_PAGES.forEach((p, i) => { if (p) this.space.set(DATA / PAGE_SIZE + i, { gpn: this.gpn++, prot: p.prot, tagged: p.tagged }); });
  }

  page(va: number): PhysPage {
    return this.phys.resolve(this.space.get(Math.floor(va / PAGE_SIZE))!.gpn, false, 0).page;
  }

  /** Loads words at CODE + 4*slot (the rest of the page is BRK). */
  code(words: number[], slot = 0): void {
    const p = this.page(CODE);
    for (let k = 0; k < PAGE_SIZE / 4; k++) p.view.setUint32(k * 4, BRK, true);
    words.forEach((w, k) => p.view.setUint32((slot + k) * 4, w >>> 0, true));
    p.decoded = null;
    this.cpu.pc = CODE + 4 * slot;
  }
}

interface State { x: bigint[]; v: bigint[]; fpcr: number; fpsr: number; nzcv: number; tcf0: number; tco: number; ata: boolean; gcrExclude: number; rgsr: number; data: Uint8Array[]; tags: Uint8Array[] }

function randomState(r: Rng): State {
  const data = DATA_PAGES.map(p => (p ? Uint8Array.from({ length: PAGE_SIZE }, () => r.int(256)) : new Uint8Array(0)));
  const tags = DATA_PAGES.map(p => (p?.tagged ? Uint8Array.from({ length: PAGE_SIZE / 32 }, () => (r.chance(0.7) ? 0x11 * r.int(4) : r.int(256))) : new Uint8Array(0)));
  const tagAt = (a: number): number => {
    const pi = Math.floor((a - DATA) / PAGE_SIZE);
    if (pi < 0 || pi >= DATA_PAGES.length || !DATA_PAGES[pi]?.tagged) return 0;
    const g = (a % PAGE_SIZE) >> 4;
    return (tags[pi][g >> 1] >> ((g & 1) * 4)) & 0xf;
  };
  const value = (): bigint => {
    const k = r.int(10);
    if (k < 6) {
      // A pointer into the data pages, often near a page end, usually with the matching tag.
      let off = r.chance(0.3) ? PAGE_SIZE * r.int(5) - r.int(24) + r.int(8) : r.int(PAGE_SIZE * 5);
      if (r.chance(0.5)) off &= ~15;
      const a = DATA + off;
      const tag = r.chance(0.75) ? tagAt(a) : r.int(16);
      const top = r.chance(0.1) ? BigInt(r.int(16)) << 60n : 0n;
      return top | (BigInt(tag) << 56n) | BigInt(a);
    }
    if (k < 8) return EDGE[r.int(EDGE.length)];
    if (k < 9) return BigInt(r.int(4096));
    return r.next64();
  };
  const x = Array.from({ length: 33 }, (_, i) => (i === 31 ? 0n : value()));
  // Vector registers: ordinary doubles (often: the FP fast paths), special doubles, integers below
  // 2^54, bytes with zeros (string routines), random bits.
  const F = new Float64Array(1), FB = new BigUint64Array(F.buffer);
  const dbl = (d: number): bigint => { F[0] = d; return FB[0]; };
  // In a third of the states nearly every vector register holds an ordinary double (FP instructions
  // with three operands), in a sixth a small integer (conversions).
  const heavy = r.int(6);
  const vval = (): bigint => {
    const k = heavy < 3 && r.chance(0.9) ? (heavy < 2 ? 0 : 6) : r.int(10);
    if (k < 5) return dbl((r.int(2) ? -1 : 1) * (r.int(1 << 30) + 1) * 2 ** (r.int(80) - 50) / (r.int(1000) + 1));
    if (k < 6) return dbl([0, -0, Infinity, -Infinity, NaN, 2 ** -1074, 2 ** -1022, 1.5, 2 ** 1023, 2 ** 53, -(2 ** 63), 2 ** 63][r.int(12)]);
    if (k < 7) return BigInt.asUintN(64, BigInt((r.int(2) ? -1 : 1) * r.int(2 ** 30) * 2 ** r.int(24)));
    if (k < 8) { let b = 0n; for (let i = 0; i < 8; i++) b |= BigInt(r.chance(0.3) ? 0 : r.int(256)) << BigInt(8 * i); return b; }
    if (k < 9) return EDGE[r.int(EDGE.length)];
    return r.next64();
  };
  const v = Array.from({ length: 64 }, (_, i) => (i % 2 === 1 && r.chance(0.3) ? 0n : vval()));
  // FPCR: usually the default (FP fast paths); else flush-to-zero, default NaN or a rounding mode.
  const fpcr = r.chance(0.8) ? 0 : [1 << 24, 1 << 25, 1 << 22, 2 << 22, 3 << 22, 1 << 26][r.int(6)];
  // FPSR: often with IXC (cumulative inexact) already set, as in most running programs.
  const fpsr = (r.chance(0.8) ? 0x10 : 0) | (r.chance(0.2) ? r.int(256) & 0x9f : 0) | (r.chance(0.1) ? 1 << 27 : 0);
  return {
    x, v, fpcr, fpsr, nzcv: r.int(16) << 28, tcf0: r.int(4), tco: r.chance(0.2) ? 1 : 0, ata: r.chance(0.9),
    gcrExclude: r.chance(0.3) ? 0xffff : r.int(0x10000), rgsr: (r.int(0xffff) + 1) << 8 | r.int(16), data, tags,
  };
}

/** log2 of the access size of a load/store id (the access's element for pairs). */
function log2Of(id: string): number {
  const fp = /^(LDR|STR|LDP|STP)_([bhsdq])_/.exec(id);
  if (fp) return 'bhsdq'.indexOf(fp[2]);
  if (/^(LDRB|STRB|LDRSB)/.test(id)) return 0;
  if (/^(LDRH|STRH|LDRSH)/.test(id)) return 1;
  if (/^(LDRSW|STG)/.test(id) || /_w_/.test(id)) return id.startsWith('STG') ? 4 : 2;
  return 3;
}

/**
 * For loads, stores and tag stores: sets the base register so that the effective address lands in
 * the data pages (aligned or not, its tag usually the granule's), so that the fast paths get work.
 */
function aimAtData(id: string, f: Record<string, number>, st: State, r: Rng): void {
  if (id === 'SYS' && f.Rt !== 31) {
    // DC ZVA: a block of the read-write data pages, usually with its first granule's tag.
    const a = DATA + r.int(3 * PAGE_SIZE), pi = Math.floor((a - DATA) / PAGE_SIZE), g = ((a % PAGE_SIZE) >> 4) & ~3;
    const alloc = DATA_PAGES[pi]?.tagged ? (st.tags[pi][g >> 1] >> ((g & 1) * 4)) & 0xf : 0;
    st.x[f.Rt] = (BigInt(r.chance(0.8) ? alloc : r.int(16)) << 56n) | BigInt(a);
    return;
  }
  if (f.Rn === undefined || !/^(LD|ST)/.test(id) || /_lit$/.test(id)) return;
  const sext = (v: number, bits: number): number => (v >= 2 ** (bits - 1) ? v - 2 ** bits : v);
  const log2 = log2Of(id);
  let off = 0;
  if (/_uimm$/.test(id)) off = f.imm12 << log2;
  else if (id.startsWith('STG')) off = /_post$/.test(id) ? 0 : sext(f.imm9, 9) * 16;
  else if (/^(LDP|STP)/.test(id)) off = /_post$/.test(id) ? 0 : sext(f.imm7, 7) << log2;
  else if (/_(unscaled|unpriv|pre)$/.test(id)) off = sext(f.imm9, 9);
  else if (/_reg$/.test(id) && !/^(LD|ST)[1-4]_/.test(id)) {
    const k = r.int(64);
    if (f.Rm !== 31) st.x[f.Rm] = BigInt(k);
    off = f.Rm === 31 ? 0 : k << (f.S ? log2 : 0);
  }
  let target = DATA + r.int(3 * PAGE_SIZE);
  if (r.chance(0.7)) target &= ~((1 << Math.min(log2 + 1, 4)) - 1);
  const pi = Math.floor((target - DATA) / PAGE_SIZE), g = (target % PAGE_SIZE) >> 4;
  const alloc = DATA_PAGES[pi]?.tagged ? (st.tags[pi][g >> 1] >> ((g & 1) * 4)) & 0xf : 0;
  const tag = r.chance(0.8) ? alloc : r.int(16);
  st.x[f.Rn === 31 ? 32 : f.Rn] = (BigInt(tag) << 56n) | BigInt.asUintN(56, BigInt(target - off));
}

function apply(m: Machine, s: State): void {
  const c = m.cpu;
  s.x.forEach((v, i) => { c.x[i] = v; });
  s.v.forEach((v, i) => { c.v[i] = v; });
  c.fpcr = s.fpcr; c.fpsr = s.fpsr;
  c.x[33] = 0n;
  c.nzcv = s.nzcv; c.tcf0 = s.tcf0; c.tco = s.tco; c.ata = s.ata; c.gcrExclude = s.gcrExclude; c.rgsr = s.rgsr; c.tfsre0 = 0;
  c.steps = 0;
  DATA_PAGES.forEach((p, i) => {
    if (!p) return;
    const pg = m.page(DATA + i * PAGE_SIZE);
    pg.data.set(s.data[i]);
    if (p.tagged) pg.writeTagBytes(Uint8Array.from({ length: 256 }, (_, g) => (s.tags[i][g >> 1] >> ((g & 1) * 4)) & 0xf));
    else pg.clearTags();
    pg.decoded = null;
  });
  m.mismatches.length = 0;
  // A warm TLB, so that compiled fast paths are taken.
  c.mmu.flushAll();
  c.mmu.fetchPage(CODE);
  DATA_PAGES.forEach((p, i) => { if (p) c.mmu.read8(BigInt(DATA + i * PAGE_SIZE), false); });
}

interface Outcome { stop: number; pc: number; steps: number; x: bigint[]; v: bigint[]; fpcr: number; fpsr: number; nzcv: number; fault: string; trap: string; rgsr: number; tfsre0: number; data: string[]; tags: string[]; mismatches: string }

function outcome(m: Machine, stop: number): Outcome {
  const c = m.cpu;
  const f = c.fault;
  return {
    stop, pc: c.pc, steps: c.steps, x: Array.from(c.x.subarray(0, 33)), v: Array.from(c.v), fpcr: c.fpcr, fpsr: c.fpsr, nzcv: c.nzcv,
    fault: f ? `${f.kind} ${f.va.toString(16)} w=${f.write} x=${f.exec} lt=${f.logicalTag} at=${f.allocationTag} size=${f.size} ${f.detail}` : '',
    trap: c.trap ? `${c.trap.stop} ${c.trap.detail}` : '', rgsr: c.rgsr, tfsre0: c.tfsre0,
    data: DATA_PAGES.map((p, i) => (p ? Buffer.from(m.page(DATA + i * PAGE_SIZE).data).toString('hex') : '')),
    tags: DATA_PAGES.map((p, i) => { if (!p) return ''; const o = new Uint8Array(256); m.page(DATA + i * PAGE_SIZE).readTagBytes(o); return Buffer.from(o).toString('hex'); }),
    mismatches: JSON.stringify(m.mismatches, (_, v) => (typeof v === 'bigint' ? v.toString(16) : v)),
  };
}

/** Runs `limit` instructions with blocks off (threshold 0) or compiled at once (threshold 1). */
function runWith(m: Machine, threshold: number, limit: number): number {
  const saved = Cpu.blockThreshold;
  Cpu.blockThreshold = threshold;
  try { return m.cpu.run(limit); } finally { Cpu.blockThreshold = saved; }
}

function diff(a: Outcome, b: Outcome): string | null {
  for (const k of Object.keys(a) as (keyof Outcome)[]) {
    const va = JSON.stringify(a[k], (_, v) => (typeof v === 'bigint' ? v.toString(16) : v));
    const vb = JSON.stringify(b[k], (_, v) => (typeof v === 'bigint' ? v.toString(16) : v));
    if (va !== vb) {
      if (Array.isArray(a[k])) {
        const xa = a[k] as unknown[], xb = b[k] as unknown[];
        const i = xa.findIndex((v, j) => String(v) !== String(xb[j]));
        return `${k}[${i}]: closure ${String(xa[i]).slice(0, 200)} vs block ${String(xb[i]).slice(0, 200)}`;
      }
      return `${k}: closure ${va.slice(0, 300)} vs block ${vb.slice(0, 300)}`;
    }
  }
  return null;
}

/** Templates covering only some operations of their spec: fields fixed so that random encodings reach them. */
const FIELD_HINTS: Record<string, Record<string, number>> = { SYS: { op1: 3, CRn: 7, CRm: 4, op2: 1 } };

function withHints(id: string, pat: ReturnType<typeof compilePattern>, word: number): number {
  const h = FIELD_HINTS[id];
  if (!h) return word;
  for (const fp of pat.fields) {
    if (h[fp.name] === undefined) continue;
    const mask = ((2 ** fp.len - 1) * 2 ** fp.lsb) >>> 0;
    word = ((word & ~mask) | ((h[fp.name] * 2 ** fp.lsb) >>> 0)) >>> 0;
  }
  return word;
}

const SEED = BigInt(process.env.TAGVISOR_JIT_SEED ?? '20250101');
const CASES = Number(process.env.TAGVISOR_JIT_CASES ?? '40');

describe('compiled blocks and JIT templates behave exactly like the closures', () => {
  const a = new Machine(), b = new Machine();
  const ids = Object.keys(TEMPLATES).sort();
  it('every templated id names a spec of the table', () => {
    const known = new Set(A64.specs.map(s => s.id));
    assert.deepEqual(ids.filter(id => !known.has(id)), []);
  });
  for (const id of ids) {
    it(`${id}: random encodings and states`, () => {
      const spec = A64.specs.find(s => s.id === id)!;
      const pat = compilePattern(spec.id, spec.pattern);
      const r = new Rng(SEED ^ BigInt([...id].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7)));
      let done = 0, fast = 0;
      for (let tries = 0; done < CASES && tries < CASES * 50; tries++) {
        const word = withHints(id, pat, (pat.value | (Number(r.next64() & 0xffff_ffffn) & ~pat.mask)) >>> 0);
        if (A64.decode(word)?.spec !== spec) continue;
        // Encodings the template declines (e.g. FP formats other than double) run their closure: nothing to compare.
        if (A64.jitSource(word, CODE) === undefined) continue;
        done++;
        const st = randomState(r);
        if (r.chance(0.7)) aimAtData(id, A64.decode(word)!.fields, st, r);
        // The instruction, then `b .` (which ends the block and then spins), so the compiled block is
        // [word, b .] (2 instructions): limits from 2 run it; 1 single-steps (both must agree too).
        const slot = r.int(PAGE_SIZE / 4 - 2);
        const limit = r.chance(0.1) ? 1 : 2 + r.int(3);
        for (const m of [a, b]) { m.decoder.watched = word; m.decoder.calls = 0; m.code([word, B_SELF], slot); apply(m, st); }
        const oa = outcome(a, runWith(a, 0, limit));
        const ob = outcome(b, runWith(b, 1, limit));
        const d = diff(oa, ob);
        if (d) assert.fail(`${id} word 0x${word.toString(16).padStart(8, '0')} (${A64.disassemble(word, { pc: CODE + 4 * slot }).text}) limit ${limit}, seed ${SEED}: ${d}`);
        if (b.decoder.calls === 0 && limit > 1) fast++;
      }
      assert.ok(done >= Math.min(CASES, 5), `only ${done} encodings of ${id} were generated`);
      // The compiled fast path itself must have been exercised (not only the closure it falls back to).
      assert.ok(fast >= Math.ceil(done / 5), `${id}: the fast path ran in only ${fast} of ${done} cases`);
    });
  }
});

/** Assembles a program at CODE. */
function program(m: Machine, lines: string[]): void {
  const r = assemble(lines.join('\n') + '\n', { file: 'jit.s', encode: (mn, o, ctx) => A64.encode(mn, o, ctx), textBase: BigInt(CODE) });
  const sec = r.sections.find(s => s.name === '.text')!;
  const v = new DataView(sec.bytes.buffer, sec.bytes.byteOffset, sec.bytes.byteLength);
  const words: number[] = [];
  for (let i = 0; i + 4 <= sec.bytes.length; i += 4) words.push(v.getUint32(i, true));
  m.code(words);
}

/** Runs to the final brk in chunks of `chunk` instructions; returns the CPU state outcome. */
function runChunked(lines: string[], chunk: number, threshold: number, setup?: (m: Machine) => void): Outcome {
  const m = new Machine();
  program(m, lines);
  apply(m, { x: Array.from({ length: 33 }, () => 0n), v: Array.from({ length: 64 }, () => 0n), fpcr: 0, fpsr: 0, nzcv: 0, tcf0: 1, tco: 0, ata: true, gcrExclude: 0, rgsr: 0x1200, data: DATA_PAGES.map(() => new Uint8Array(PAGE_SIZE)), tags: DATA_PAGES.map(() => new Uint8Array(128)) });
  setup?.(m);
  let stop: number = Stop.Limit;
  for (let k = 0; k < 1_000_000 && stop === Stop.Limit; k++) stop = runWith(m, threshold, chunk);
  return outcome(m, stop);
}

describe('programs: chunking, budgets, loops and faults inside blocks', () => {
  const LOOP = [
    'mov x1, #0x500000', 'mov x4, #300', 'mov x5, #0x500000', 'orr x5, x5, #0xff0',
    '1: irg x2, x1', 'stg x2, [x2]', 'str x4, [x2]', 'ldr x3, [x2]', 'add x6, x6, x3',
    'mrs x7, cntvct_el0', 'add x8, x8, x7',
    'add x1, x1, #16', 'and x1, x1, x5', 'subs x4, x4, #1', 'b.ne 1b',
    'cbz x6, 2f', 'add x6, x6, #1', '2: tbnz x6, #0, 3f', 'nop', '3: brk #0',
  ];
  const base = runChunked(LOOP, 1 << 30, 0);
  it('the MTE loop ends at its brk with the same state for any chunk size and with or without blocks', () => {
    assert.equal(base.stop, Stop.Trap);
    for (const chunk of [1, 2, 3, 7, 10, 11, 64, 1000, 1 << 30]) {
      for (const th of [0, 1, 2, 16]) {
        const d = diff(base, runChunked(LOOP, chunk, th));
        assert.equal(d, null, `chunk ${chunk}, threshold ${th}: ${d}`);
      }
    }
  });

  it('regions (blocks joined by branches, calls and returns within a page) match single steps for any chunk size', () => {
    const prog = [
      'mov x1, #0x500000', 'mov x4, #500',
      '1: tbz x4, #0, 2f', 'bl 5f', 'str x7, [x1, #8]', 'b 3f',
      '2: add x6, x6, #7', 'ldr x8, [x1, #8]', 'add x6, x6, x8',
      '3: subs x4, x4, #1', 'cbz x4, 4f', 'b 1b',
      '4: mrs x9, cntvct_el0', 'brk #0',
      '5: add x7, x7, x4', 'cmp x7, #100', 'b.lo 6f', 'sub x7, x7, #100', '6: ret',
    ];
    const ref = runChunked(prog, 1 << 30, 0);
    assert.equal(ref.stop, Stop.Trap);
    for (const chunk of [1, 2, 3, 5, 7, 13, 64, 1 << 30]) {
      for (const th of [1, 2, 16]) assert.equal(diff(ref, runChunked(prog, chunk, th)), null, `chunk ${chunk}, threshold ${th}`);
    }
  });

  it('cntvct_el0 reads the same values whatever the chunk size (live retired count)', () => {
    const prog = ['mov x2, #0x500000', 'mov x4, #50', '1: mrs x0, cntvct_el0', 'str x0, [x2], #8', 'add x9, x9, #1', 'add x9, x9, #1', 'subs x4, x4, #1', 'b.ne 1b', 'brk #0'];
    const ref = runChunked(prog, 1 << 30, 0);
    for (const chunk of [1, 3, 5, 17, 1 << 30]) for (const th of [0, 1]) assert.equal(diff(ref, runChunked(prog, chunk, th)), null, `chunk ${chunk} threshold ${th}`);
    // 16 instructions per tick: 50 reads of a 6-instruction loop span about 19 ticks.
    const vals = ref.data[0].match(/.{16}/g)!.slice(0, 50).map(h => BigInt('0x' + h.match(/../g)!.reverse().join('')));
    assert.ok(vals.every((v, i) => i === 0 || v > vals[i - 1]), 'strictly increasing');
    assert.ok(vals[49] - vals[0] >= 18n && vals[49] - vals[0] <= 60n, `ticks ${vals[0]}..${vals[49]}`);
  });

  it('a tag check fault inside a block stops at the faulting instruction with the exact count', () => {
    const prog = ['mov x1, #0x500000', 'add x1, x1, #32', 'mov x2, #7', 'str x2, [x1]', 'orr x1, x1, #0x0300000000000000', 'add x3, x3, #1', 'ldr x4, [x1]', 'add x3, x3, #1', 'brk #0'];
    const ref = runChunked(prog, 1 << 30, 0);
    assert.equal(ref.stop, Stop.Fault);
    assert.equal(ref.pc, CODE + 6 * 4);
    assert.equal(ref.steps, 6);
    assert.match(ref.fault, /^tagcheck 300000000500020/);
    for (const chunk of [1, 4, 1 << 30]) for (const th of [1, 2]) assert.equal(diff(ref, runChunked(prog, chunk, th)), null);
  });

  it('self-modifying code: a store into the running block takes effect at the next instruction', () => {
    // x1 = address of the `add x0, x0, #1` at index 6; it is overwritten with `add x0, x0, #100`.
    const patched = A64.encode('add', 'x0, x0, #100', { pc: 0, final: true, evaluate: (t: string) => BigInt(t.replace('#', '')) } as never);
    const prog = ['mov x1, #0x400000', 'add x1, x1, #24', `movz w2, #${patched & 0xffff}`, `movk w2, #${patched >>> 16}, lsl #16`, 'str w2, [x1]', 'nop', 'add x0, x0, #1', 'brk #0'];
    const setup = (m: Machine): void => { m.space.set(CODE / PAGE_SIZE, { gpn: m.space.get(CODE / PAGE_SIZE)!.gpn, prot: PROT_R | PROT_W | PROT_X, tagged: false }); };
    const ref = runChunked(prog, 1 << 30, 0, setup);
    assert.equal(ref.x[0], 100n);
    for (const th of [1, 2]) assert.equal(diff(ref, runChunked(prog, 1 << 30, th, setup)), null);
  });

  it('a requested stop (from a memory hook) ends the block after that instruction', () => {
    const prog = ['mov x1, #0x500000', 'add x1, x1, #64', 'str x1, [x1]', 'add x2, x2, #1', 'add x2, x2, #1', 'brk #0'];
    for (const th of [0, 1]) {
      const m = new Machine();
      program(m, prog);
      apply(m, { x: Array.from({ length: 33 }, () => 0n), v: Array.from({ length: 64 }, () => 0n), fpcr: 0, fpsr: 0, nzcv: 0, tcf0: 0, tco: 0, ata: true, gcrExclude: 0, rgsr: 0x1200, data: DATA_PAGES.map(() => new Uint8Array(PAGE_SIZE)), tags: DATA_PAGES.map(() => new Uint8Array(128)) });
      m.cpu.mmu.hooks.beforeWrite = () => { m.cpu.stop = Stop.Requested; };
      assert.equal(runWith(m, th, 100), Stop.Requested, `threshold ${th}`);
      assert.equal(m.cpu.pc, CODE + 12);
      assert.equal(m.cpu.steps, 3);
      assert.equal(m.cpu.x[2], 0n);
    }
  });

  it('breakpoints are never inside blocks', () => {
    const prog = ['add x0, x0, #1', 'add x0, x0, #1', 'add x0, x0, #1', 'add x0, x0, #1', 'b 0x400000'];
    const m = new Machine();
    program(m, prog);
    apply(m, { x: Array.from({ length: 33 }, () => 0n), v: Array.from({ length: 64 }, () => 0n), fpcr: 0, fpsr: 0, nzcv: 0, tcf0: 0, tco: 0, ata: true, gcrExclude: 0, rgsr: 0x1200, data: DATA_PAGES.map(() => new Uint8Array(PAGE_SIZE)), tags: DATA_PAGES.map(() => new Uint8Array(128)) });
    assert.equal(runWith(m, 1, 1000), Stop.Limit);
    assert.equal(m.cpu.x[0], 800n, '200 passes of 4 adds and a branch');
    assert.equal(m.cpu.pc, CODE);
    m.cpu.setBreakpoint(CODE + 8, true);
    assert.equal(runWith(m, 1, 1000), Stop.Breakpoint);
    assert.equal(m.cpu.pc, CODE + 8);
    assert.equal(m.cpu.steps, 1002);
    assert.equal(m.cpu.x[0], 802n);
    m.cpu.skipBreakpointAt = CODE + 8;
    assert.equal(runWith(m, 1, 10), Stop.Breakpoint, 'once round the loop and back at the breakpoint');
    assert.equal(m.cpu.steps, 1007);
    assert.equal(m.cpu.x[0], 806n);
    m.cpu.setBreakpoint(CODE + 8, false);
    assert.equal(runWith(m, 1, 10), Stop.Limit);
    assert.equal(m.cpu.steps, 1017);
    assert.equal(m.cpu.x[0], 814n);
  });
});

describe('the differential corpus with every block compiled at once', () => {
  const entries = listCorpus((process.env.TV_DIFF_FILTER ?? '').split(',').map(t => t.trim()).filter(Boolean)).filter(e => e.group !== 'bench');
  let built: CorpusEntry[] = [];
  before(async () => { built = await buildCorpus({ filters: entries.map(e => e.id) }); });
  const run = (e: CorpusEntry, threshold: number): string => {
    const p = new LinuxProcess(parseElf(readFileSync(e.out), e.out), {
      path: e.out, argv: [e.out, ...e.args], env: Object.entries(e.env).map(([k, v]) => `${k}=${v}`), readRoots: [dirname(e.out)], seed: 0,
    });
    let out = '';
    p.on('stdout', d => { out += Buffer.from(d).toString('latin1'); });
    p.on('stderr', d => { out += Buffer.from(d).toString('latin1'); });
    const saved = Cpu.blockThreshold;
    Cpu.blockThreshold = threshold;
    try {
      const r = p.run(50_000_000);
      const end = r.reason === 'exit' ? `exit ${r.status.code} signal ${r.status.signal}` : r.reason;
      return `${end} after ${p.steps} instructions, pc ${p.cpu.pc.toString(16)}\n${out}`;
    } finally { Cpu.blockThreshold = saved; }
  };
  for (const entry of entries.filter(e => e.variant === 'gcc-O2' || e.variant === 'clang-O0' || e.group !== 'c')) {
    it(entry.id, (t) => {
      const e = built.find(b => b.id === entry.id)!;
      if (e.build?.status !== 'built' && e.build?.status !== 'cached') return t.skip(`not built: ${e.build?.reason ?? '?'}`);
      assert.equal(run(e, 1), run(e, 0));
    });
  }
});
