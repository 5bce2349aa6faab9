// Instruction-table speed: decoding (words -> specialised closures) and executing integer loops on
// the real Cpu (RamPhysicalMemory + AddressSpace + Mmu). Prints figures, never asserts.
//   node --import tsx bench/isa-decode.ts [decode|loop|mixed|w32|flags]
import { Cpu, Stop } from '../emulator/cpu/cpu';
import { A64 } from '../emulator/isa/table';
import { AddressSpace, Mmu, PAGE_SIZE, PROT_R, PROT_W, PROT_X, RamPhysicalMemory } from '../emulator/memory/index';
import type { EncodeContext } from '../emulator/asm/types';

const CODE = 0x400000, STACK = 0x7f0000;

function machine(words: number[]): Cpu {
  const phys = new RamPhysicalMemory(), space = new AddressSpace();
  const cpu = new Cpu(A64, c => new Mmu(space, phys, c));
  let gpn = 0x40000;
  const pages = Math.ceil((words.length * 4) / PAGE_SIZE);
  for (let i = 0; i < pages; i++) space.set(CODE / PAGE_SIZE + i, { gpn: gpn++, prot: PROT_R | PROT_X, tagged: false });
  for (let i = 1; i <= 4; i++) space.set(STACK / PAGE_SIZE - i, { gpn: gpn++, prot: PROT_R | PROT_W, tagged: false });
  words.forEach((w, i) => {
    const a = CODE + i * 4;
    const e = space.get(Math.floor(a / PAGE_SIZE))!;
    phys.resolve(e.gpn, true, 0).page.view.setUint32(a % PAGE_SIZE, w, true);
  });
  cpu.pc = CODE;
  cpu.sp = BigInt(STACK);
  return cpu;
}

/** Assembles lines with local numeric labels `1:` / `1b` / `1f` resolved in two passes. */
function asm(lines: string[]): number[] {
  const labels = new Map<string, number>();
  let pc = CODE;
  const insns: { text: string; pc: number }[] = [];
  for (const l of lines) {
    const m = /^(\w+):$/.exec(l.trim());
    if (m) { labels.set(m[1], pc); continue; }
    insns.push({ text: l.trim(), pc });
    pc += 4;
  }
  return insns.map(({ text, pc: at }) => {
    const ctx: EncodeContext = {
      pc: BigInt(at), final: true,
      evaluate: e => {
        const t = e.trim();
        const lm = /^(\w+)([bf])$/.exec(t);
        if (lm && labels.has(lm[1])) return BigInt(labels.get(lm[1])!);
        return BigInt(t);
      },
    };
    const i = text.indexOf(' ');
    return A64.encode(i < 0 ? text : text.slice(0, i), i < 0 ? '' : text.slice(i + 1), ctx);
  });
}

function runLoop(name: string, body: string[], iterations: number): void {
  const words = asm([`movz x0, #${iterations & 0xffff}`, `movk x0, #${(iterations >>> 16) & 0xffff}, lsl #16`, 'loop:', ...body, 'subs x0, x0, #1', 'b.ne loopb', 'brk #0']);
  const insnsPerIter = body.length + 2;
  // Warm up on a short run, then time a fresh machine.
  machine(asm(['movz x0, #20000', 'loop:', ...body, 'subs x0, x0, #1', 'b.ne loopb', 'brk #0'])).run(10_000_000);
  const cpu = machine(words);
  const t0 = process.hrtime.bigint();
  let stop: number;
  do stop = cpu.run(50_000_000); while (stop === Stop.Limit);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const n = iterations * insnsPerIter;
  console.log(`${name.padEnd(28)} ${(n / ms / 1000).toFixed(1).padStart(7)} MIPS  (${n} instructions, ${ms.toFixed(0)} ms)`);
}

function benchDecode(): void {
  const words: number[] = [];
  const specs = A64.specs.filter(s => !/^(SYS|MRS|MSR)/.test(s.id));
  let seed = 12345;
  const next = () => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed; };
  while (words.length < 20000) {
    const w = next() >>> 0;
    if (A64.decode(w)) words.push(w);
  }
  for (let i = 0; i < 2000; i++) A64.compile(words[i]);
  const d0 = process.hrtime.bigint();
  let k = 0;
  for (let r = 0; r < 3; r++) for (const w of words) { if (A64.decode(w)) k++; }
  const dms = Number(process.hrtime.bigint() - d0) / 1e6;
  console.log(`${'decode only'.padEnd(28)} ${(k / dms).toFixed(0).padStart(7)} k words/s`);
  const t0 = process.hrtime.bigint();
  let n = 0;
  for (let r = 0; r < 3; r++) for (const w of words) { if (A64.compile(w)) n++; }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`${'decode+compile'.padEnd(28)} ${(n / ms).toFixed(0).padStart(7)} k words/s (${specs.length} specs in the table)`);
}

const only = process.argv.slice(2);
const want = (s: string) => only.length === 0 || only.includes(s);
const N = Number(process.env.ITER ?? 5_000_000);
if (want('decode')) benchDecode();
if (want('loop')) runLoop('plain loop (add/eor)', ['add x1, x1, x0', 'eor x2, x2, x1'], N);
if (want('mixed')) runLoop('mixed 64-bit', ['add x1, x1, x0, lsl #3', 'and x2, x1, #0xff00ff00ff00ff', 'orr x3, x2, x1, lsr #7', 'csel x4, x1, x2, ne', 'ubfx x5, x3, #4, #12', 'madd x6, x5, x1, x2', 'cmp x6, x4'], N);
if (want('w32')) runLoop('32-bit forms', ['add w1, w1, w0', 'eor w2, w2, w1, ror #3', 'lsl w3, w2, #5', 'sub w4, w3, w1, uxtb', 'csinc w5, w4, w3, lt', 'mul w6, w5, w1'], N);
if (want('flags')) runLoop('flag setting + branches', ['adds x1, x1, x0', 'b.cc 1f', 'add x2, x2, #1', '1:', 'ccmp x1, x2, #4, ne', 'cset w3, eq', 'tst x1, #0x10'].map(l => l.replace('1f', 'skipf').replace(/^1:$/, 'skip:')), N);
if (want('nops')) runLoop('dispatch only (nops)', ['nop', 'nop', 'nop', 'nop', 'nop', 'nop'], N);
