// A small machine for instruction-semantics tests: a Cpu over RamPhysicalMemory + AddressSpace with
// code, data and stack mapped by hand, programs assembled by our own assembler (A64.encode through
// the asm front end) or loaded as raw words / ELF .text bytes, and the two Linux syscalls test
// programs need (write, exit/exit_group) handled at Stop.Svc. The real Linux personality lives in
// emulator/linux/; this only has to run straight-line test code.
import { assemble } from '../../emulator/asm/index';
import { Cpu, Stop } from '../../emulator/cpu/cpu';
import { parseElf } from '../../emulator/elf/index';
import { A64 } from '../../emulator/isa/table';
import { AddressSpace, Mmu, PAGE_SIZE, PROT_R, PROT_W, PROT_X, RamPhysicalMemory, type PhysPage } from '../../emulator/memory/index';

export const CODE = 0x400000;
export const DATA = 0x500000;
export const STACK_TOP = 0x7f0000;
export const STACK_PAGES = 16;

export type RunEnd =
  | { kind: 'exit'; code: number }
  | { kind: 'brk'; imm: number }
  | { kind: 'undefined'; word: number; detail: string }
  | { kind: 'fault'; detail: string }
  | { kind: 'limit' }
  | { kind: 'other'; stop: number; detail: string };

export class TestMachine {
  readonly phys = new RamPhysicalMemory();
  readonly space = new AddressSpace();
  readonly cpu: Cpu;
  /** Bytes written to fd 1 and 2. */
  readonly out: number[] = [];
  private nextGpn = 0x40000;

  constructor(opts: { stack?: boolean } = {}) {
    this.cpu = new Cpu(A64, c => new Mmu(this.space, this.phys, c));
    if (opts.stack !== false) {
      this.map(STACK_TOP - STACK_PAGES * PAGE_SIZE, STACK_PAGES, PROT_R | PROT_W);
      this.cpu.sp = BigInt(STACK_TOP);
    }
  }

  /** Maps fresh zeroed pages at va (page aligned). */
  map(va: number, pages: number, prot: number, tagged = false): void {
    if (va % PAGE_SIZE !== 0) throw new Error(`map: 0x${va.toString(16)} is not page aligned`);
    for (let i = 0; i < pages; i++) this.space.set(va / PAGE_SIZE + i, { gpn: this.nextGpn++, prot, tagged });
  }

  page(va: number): PhysPage {
    const e = this.space.get(Math.floor(va / PAGE_SIZE));
    if (!e) throw new Error(`0x${va.toString(16)} is not mapped`);
    return this.phys.resolve(e.gpn, false, 0).page;
  }

  /** Writes bytes with no permission checks (loading), mapping pages as needed with `prot`. */
  load(va: number, bytes: Uint8Array, prot = PROT_R | PROT_W): void {
    for (let k = 0; k < bytes.length; k++) {
      const a = va + k;
      if (!this.space.get(Math.floor(a / PAGE_SIZE))) this.map(a - (a % PAGE_SIZE), 1, prot);
      const p = this.page(a);
      p.data[a % PAGE_SIZE] = bytes[k];
      p.decoded = null;
    }
  }

  peek(va: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let k = 0; k < len; k++) out[k] = this.page(va + k).data[(va + k) % PAGE_SIZE];
    return out;
  }

  /** Loads instruction words at `at` (read + execute) and points pc there. */
  loadWords(words: number[], at = CODE): void {
    const b = new Uint8Array(words.length * 4);
    const v = new DataView(b.buffer);
    words.forEach((w, i) => v.setUint32(i * 4, w >>> 0, true));
    this.load(at, b, PROT_R | PROT_X);
    this.cpu.pc = at;
  }

  /** Assembles GNU-syntax source with our assembler (labels, directives) at CODE and loads it. */
  loadAsm(source: string | string[]): number[] {
    const text = Array.isArray(source) ? source.join('\n') : source;
    const r = assemble(text + '\n', { file: 'test.s', encode: (m, o, ctx) => A64.encode(m, o, ctx), textBase: BigInt(CODE) });
    const sec = r.sections.find(s => s.name === '.text');
    if (!sec) throw new Error('no .text');
    const words: number[] = [];
    const v = new DataView(sec.bytes.buffer, sec.bytes.byteOffset, sec.bytes.byteLength);
    for (let i = 0; i + 4 <= sec.bytes.length; i += 4) words.push(v.getUint32(i, true));
    this.loadWords(words, Number(sec.address));
    return words;
  }

  /** Loads a static ELF's PT_LOAD segments at their addresses (no stack or auxv) and sets pc to its entry. */
  loadElf(bytes: Uint8Array): void {
    const elf = parseElf(bytes, 'test.elf');
    for (const ph of elf.loadSegments) {
      const prot = (ph.flags & 4 ? PROT_R : 0) | (ph.flags & 2 ? PROT_W : 0) | (ph.flags & 1 ? PROT_X : 0);
      const start = Number(ph.vaddr), end = start + Number(ph.memsz);
      for (let a = start - (start % PAGE_SIZE); a < end; a += PAGE_SIZE) {
        if (!this.space.get(a / PAGE_SIZE)) this.map(a, 1, prot);
      }
      const data = elf.segmentData(ph);
      for (let k = 0; k < data.length; k++) {
        const p = this.page(start + k);
        p.data[(start + k) % PAGE_SIZE] = data[k];
        p.decoded = null;
      }
    }
    this.cpu.pc = Number(elf.entry);
  }

  /** Runs until exit, brk, a fault, an undefined instruction or `maxSteps`. Handles write/exit syscalls. */
  run(maxSteps = 1_000_000): RunEnd {
    const c = this.cpu;
    let left = maxSteps;
    while (left > 0) {
      const before = c.steps;
      const stop = c.run(Math.min(left, 100_000));
      left -= c.steps - before;
      switch (stop) {
        case Stop.Limit: continue;
        case Stop.Svc: {
          const nr = Number(c.x[8]);
          if (nr === 93 || nr === 94) return { kind: 'exit', code: Number(c.x[0] & 0xffn) };
          if (nr === 64) {
            const fd = Number(c.x[0]), len = Number(c.x[2]);
            if (fd === 1 || fd === 2) {
              const bytes = c.mmu.readBytes(c.x[1], len);
              for (const b of bytes) this.out.push(b);
              c.x[0] = BigInt(len);
            } else c.x[0] = BigInt.asUintN(64, -9n); // EBADF
            continue;
          }
          c.x[0] = BigInt.asUintN(64, -38n); // ENOSYS
          continue;
        }
        case Stop.Trap:
          if (c.trap && /^brk/.test(c.trap.detail)) return { kind: 'brk', imm: c.trap.imm };
          return { kind: 'other', stop, detail: c.trap?.detail ?? '' };
        case Stop.Undefined: return { kind: 'undefined', word: c.undefinedWord, detail: c.trap?.detail ?? '' };
        case Stop.Fault: return { kind: 'fault', detail: c.fault?.message ?? '' };
        default: return { kind: 'other', stop, detail: c.trap?.detail ?? '' };
      }
    }
    return { kind: 'limit' };
  }
}

/**
 * Runs a straight-line snippet (our assembler; `brk #0` appended) after `setup`; returns the CPU.
 * Throws if it does not end at the brk.
 */
export function runSnippet(lines: string[], setup?: (c: Cpu, m: TestMachine) => void): Cpu {
  const m = new TestMachine();
  m.loadAsm([...lines, 'brk #0']);
  setup?.(m.cpu, m);
  const end = m.run(10_000);
  if (end.kind !== 'brk') throw new Error(`snippet did not reach brk: ${JSON.stringify(end)}`);
  return m.cpu;
}

/** NZCV as a string like "nZCv" (upper case = set), for readable assertions. */
export function flags(c: Cpu): string {
  return (c.nf ? 'N' : 'n') + (c.zf ? 'Z' : 'z') + (c.cf ? 'C' : 'c') + (c.vf ? 'V' : 'v');
}

export { PROT_R, PROT_W, PROT_X };
