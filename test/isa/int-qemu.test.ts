// Differential test against QEMU: programs of random integer data-processing instructions (random
// encodings of every spec in the integer groups: registers, immediates, shifts, extends,
// conditions; plus conditional branches over one instruction and flag-manipulation ops), with a
// register + NZCV dump through write(2) every few instructions, built with GNU as/ld, run under
// `qemu-aarch64 -cpu max` and under our CPU (test/isa/cpu-harness.ts). The dumps must be equal.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../../emulator/asm/index';
import { parseElf } from '../../emulator/elf/index';
import { baseSpecs } from '../../emulator/isa/groups/base';
import { intImmSpecs } from '../../emulator/isa/groups/int-imm';
import { intRegSpecs } from '../../emulator/isa/groups/int-reg';
import { A64 } from '../../emulator/isa/table';
import type { InsnSpec } from '../../emulator/isa/spec';
import { missingTools, runOk, tmpDir } from '../tools';
import { TestMachine } from './cpu-harness';
import { rng, specWords } from './sweep';

const AS = 'aarch64-linux-gnu-as', LD = 'aarch64-linux-gnu-ld', QEMU = 'qemu-aarch64';
const DUMP_BYTES = 256;

/** Specs whose random encodings are safe to run anywhere: GPRs and flags only. */
const POOL: InsnSpec[] = [
  ...baseSpecs, ...intImmSpecs,
  // Not PAuth (undefined here, QEMU has it) nor FEAT_CSSC (QEMU 7.2 lacks it).
  ...intRegSpecs.filter(s => !/^(PAC|AUT|XPAC|SMAX|UMAX|SMIN|UMIN|CTZ|CNT|ABS)/.test(s.id)),
  ...A64.specs.filter(s => ['CFINV', 'AXFLAG', 'XAFLAG'].includes(s.id)),
];
const usesSp = (word: number): boolean => /\b(w?sp)\b/.test(A64.disassemble(word, { pc: 0 }).text);
const hex8 = (w: number): string => '0x' + (w >>> 0).toString(16).padStart(8, '0');

function edgeValue(next: () => number): bigint {
  const edges = [0n, 1n, 0xffff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0x7fff_ffff_ffff_ffffn, 0xffff_ffffn, 0x8000_0000n, 0x7fff_ffffn, 0xffff_ffff_8000_0000n, 63n, 32n];
  const r = next() % 4;
  if (r === 0) return edges[next() % edges.length];
  if (r === 1) return BigInt(next() % 256);
  return (BigInt(next()) << 32n) | BigInt(next());
}

function movImm(reg: number, v: bigint): string[] {
  const out = [`movz x${reg}, #0x${(v & 0xffffn).toString(16)}`];
  for (let s = 16; s < 64; s += 16) out.push(`movk x${reg}, #0x${((v >> BigInt(s)) & 0xffffn).toString(16)}, lsl #${s}`);
  return out;
}

/** Stores x0..x30 and NZCV at sp, writes them to stdout, restores everything (flags included). */
function dump(): string[] {
  const l = ['stp x0, x1, [sp, #-256]!'];
  for (let r = 2; r < 30; r += 2) l.push(`stp x${r}, x${r + 1}, [sp, #${r * 8}]`);
  l.push('mrs x0, nzcv', 'stp x30, x0, [sp, #240]', 'mov x0, #1', 'mov x1, sp', 'mov x2, #256', 'mov x8, #64', 'svc #0');
  l.push('ldp x30, x0, [sp, #240]', 'msr nzcv, x0');
  for (let r = 28; r >= 2; r -= 2) l.push(`ldp x${r}, x${r + 1}, [sp, #${r * 8}]`);
  l.push('ldp x0, x1, [sp], #256');
  return l;
}

interface Program { source: string; blocks: { words: number[] }[] }

function generate(seed: number, count: number, perDump: number): Program {
  const next = rng(seed);
  const lines = ['.text', '.global _start', '_start:', 'adrp x0, stack_end', 'add x0, x0, :lo12:stack_end', 'mov sp, x0'];
  for (let r = 0; r <= 30; r++) lines.push(...movImm(r === 0 ? 1 : r, edgeValue(next)));
  lines.push(...movImm(0, BigInt(next() % 16) << 28n), 'msr nzcv, x0', ...movImm(0, edgeValue(next)));
  lines.push(...dump());
  const blocks: { words: number[] }[] = [];
  const randomInsn = (): number => {
    for (;;) {
      const spec = POOL[next() % POOL.length];
      const { valid } = specWords(spec, 1, 0, next);
      if (valid.length && !usesSp(valid[0])) return valid[0];
    }
  };
  let emitted = 0;
  while (emitted < count) {
    const words: number[] = [];
    for (let i = 0; i < perDump; i++) {
      const k = next() % 100;
      if (k < 8) {
        // A conditional branch over the next instruction.
        const t = next() % 3, rt = next() % 31;
        if (t === 0) words.push((0x54000000 | (2 << 5) | (next() % 16)) >>> 0);
        else if (t === 1) words.push((((next() & 1) << 31) | 0x34000000 | ((next() & 1) << 24) | (2 << 5) | rt) >>> 0);
        else { const bit = next() % 64; words.push((((bit >> 5) << 31) | 0x36000000 | ((next() & 1) << 24) | ((bit & 31) << 19) | (2 << 5) | rt) >>> 0); }
      }
      words.push(randomInsn());
    }
    emitted += words.length;
    blocks.push({ words });
    for (const w of words) lines.push(`.inst ${hex8(w)}  // ${A64.disassemble(w, { pc: 0 }).text.replace(/\s+/g, ' ')}`);
    lines.push(...dump());
  }
  lines.push('mov x0, #0', 'mov x8, #93', 'svc #0', '.bss', '.balign 16', 'stack: .skip 4096', 'stack_end:');
  return { source: lines.join('\n') + '\n', blocks };
}

function explainMismatch(p: Program, ours: Uint8Array, theirs: Uint8Array): string {
  const n = Math.min(ours.length, theirs.length);
  for (let off = 0; off < n; off += DUMP_BYTES) {
    const a = ours.subarray(off, off + DUMP_BYTES), b = theirs.subarray(off, off + DUMP_BYTES);
    if (Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0) continue;
    const dumpIndex = off / DUMP_BYTES;
    const va = new DataView(a.buffer, a.byteOffset, a.byteLength), vb = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const diffs: string[] = [];
    for (let r = 0; r < 32 && r * 8 + 8 <= a.length; r++) {
      const x = va.getBigUint64(r * 8, true), y = vb.getBigUint64(r * 8, true);
      if (x !== y) diffs.push(`${r === 31 ? 'nzcv' : 'x' + r}: ours 0x${x.toString(16)} qemu 0x${y.toString(16)}`);
    }
    const block = dumpIndex === 0 ? [] : p.blocks[dumpIndex - 1].words;
    const insns = block.map(w => `  ${hex8(w)} ${A64.disassemble(w, { pc: 0 }).text.replace(/\s+/g, ' ')}`);
    return `dump ${dumpIndex} differs:\n  ${diffs.join('\n  ')}\nafter:\n${insns.join('\n')}`;
  }
  return `output lengths differ: ours ${ours.length}, qemu ${theirs.length}`;
}

function firstTextDifference(ours: Uint8Array, gnu: Uint8Array): string {
  const a = Buffer.from(ours), b = Buffer.from(gnu);
  for (let i = 0; i + 4 <= Math.min(a.length, b.length); i += 4) {
    const x = a.readUInt32LE(i), y = b.readUInt32LE(i);
    if (x !== y) {
      const pc = 0x400008 + i;
      return `our assembler differs from GNU as at 0x${pc.toString(16)}: ours ${hex8(x)} '${A64.disassemble(x, { pc }).text}', GNU ${hex8(y)} '${A64.disassemble(y, { pc }).text}'`;
    }
  }
  return `our assembler's .text is ${a.length} bytes, GNU's ${b.length}`;
}

describe('random integer programs: our CPU vs qemu-aarch64 -cpu max', () => {
  const missing = missingTools(AS, LD, QEMU);
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}: 800 instructions`, { skip: missing }, () => {
      const p = generate(seed, 800, 10);
      const dir = tmpDir('tagvisor-intdiff-');
      const s = join(dir, 'p.s'), o = join(dir, 'p.o'), x = join(dir, 'p');
      writeFileSync(s, p.source);
      runOk(AS, [s, '-o', o]);
      runOk(LD, ['-static', '-Ttext=0x400000', o, '-o', x]);
      // Raw bytes (the shared run() helper decodes stdout as UTF-8).
      const q = spawnSync(QEMU, ['-cpu', 'max', x], { timeout: 60_000, maxBuffer: 64 << 20 });
      assert.equal(q.status, 0, `qemu failed: ${q.stderr?.toString()}`);
      const theirs = new Uint8Array(q.stdout);
      const elf = new Uint8Array(readFileSync(x));
      // Our assembler must produce the same code as GNU as for the whole program (but for the first
      // two instructions, which address the stack in .bss: its place is the linker's choice).
      const mine = assemble(p.source, { file: 'p.s', encode: (mn, ops, ctx) => A64.encode(mn, ops, ctx), textBase: 0x400000n });
      const gnuText = parseElf(elf, 'p').sectionData('.text').subarray(8);
      const ourText = mine.sections.find(sec => sec.name === '.text')!.bytes.subarray(8);
      assert.ok(Buffer.compare(Buffer.from(ourText), Buffer.from(gnuText)) === 0, firstTextDifference(ourText, gnuText));
      const m = new TestMachine({ stack: false });
      m.loadElf(elf);
      const end = m.run(200_000);
      assert.deepEqual(end, { kind: 'exit', code: 0 });
      const ours = new Uint8Array(m.out);
      assert.equal(ours.length, (p.blocks.length + 1) * DUMP_BYTES);
      assert.ok(Buffer.compare(Buffer.from(ours), Buffer.from(theirs)) === 0, explainMismatch(p, ours, theirs));
    });
  }
});
