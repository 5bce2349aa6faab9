// callsFrom (emulator/debug/step-targets.ts) on code assembled by our assembler: which calls a
// step from pc can enter, where the current line ends, and when a BLR's target is not known yet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../emulator/asm';
import { A64 } from '../../emulator/isa/table';
import { callsFrom, decodeCall } from '../../emulator/debug/step-targets';
import type { SourceLocation } from '../../emulator/debug/source-map';

const BASE = 0x401000;

/** Assembles `lines` (one instruction each) at BASE; `lineOf[i]` is instruction i's source line (0 = none). */
function code(insns: string[], lineOf: number[], regs: Record<number, bigint> = {}) {
  const r = assemble(`.text\n${insns.join('\n')}\n`, { file: 't.s', encode: (m, ops, ctx) => A64.encode(m, ops, ctx) });
  const text = r.sections.find(s => s.name === '.text')!.bytes;
  const words = Array.from({ length: text.length / 4 }, (_, i) => new DataView(text.buffer, text.byteOffset).getUint32(i * 4, true));
  assert.equal(words.length, insns.length);
  const at = (a: number) => (a - BASE) / 4;
  return (pc: number) => callsFrom({
    pc,
    readWord: a => words[at(a)],
    lineAt: (a): SourceLocation | undefined => (lineOf[at(a)] ? { file: 't.c', line: lineOf[at(a)], column: 1 } : undefined),
    register: n => regs[n] ?? 0n,
  });
}

test('decodeCall: BL forwards and backwards, BLR register, other branches are not calls', () => {
  assert.deepEqual(decodeCall(0x94000007, 0x401028), { kind: 'bl', target: 0x401044 });
  assert.deepEqual(decodeCall(0x97fffffe, 0x401028), { kind: 'bl', target: 0x401020 });
  assert.deepEqual(decodeCall(0xd63f0200, 0x401034), { kind: 'blr', register: 16 });
  assert.equal(decodeCall(0x14000002, 0), undefined); // b
  assert.equal(decodeCall(0xd61f0200, 0), undefined); // br x16
  assert.equal(decodeCall(0xd65f03c0, 0), undefined); // ret
});

test('the calls from pc to the end of its line, in order; the line ends at another line', () => {
  const at = code(['mov x0, #1', 'bl .+12', 'bl .+12', 'bl .+4', 'nop'], [5, 5, 5, 6, 6]);
  const r = at(BASE);
  assert.equal(r.line?.line, 5);
  assert.deepEqual(r.calls.map(c => [c.site, c.kind, c.target]), [[BASE + 4, 'bl', BASE + 16], [BASE + 8, 'bl', BASE + 20]]);
  // From the second call: the first one is behind.
  assert.deepEqual(at(BASE + 8).calls.map(c => c.site), [BASE + 8]);
  assert.deepEqual(at(BASE + 12).calls.map(c => c.site), [BASE + 12]);
});

test('instructions without a line between two of the line\'s own belong to it; a gap before another line ends it', () => {
  const at = code(['bl .+100', 'adrp x0, .', 'add x0, x0, #8', 'bl .+100', 'nop', 'bl .+100'], [7, 0, 0, 7, 0, 8]);
  assert.deepEqual(at(BASE).calls.map(c => c.site), [BASE, BASE + 12]);
});

test('without line information at pc: only the instruction at pc', () => {
  const at = code(['bl .+100', 'bl .+100'], [0, 0]);
  assert.deepEqual(at(BASE).calls.map(c => c.site), [BASE]);
  assert.deepEqual(code(['nop', 'bl .+100'], [0, 0])(BASE).calls, []);
});

test('a BLR target is the register now, unless an instruction before the call may write it', () => {
  const regs = { 1: 0x401234n, 9: 0x9999n, 16: 0xb00000000401100n, 19: 0x401300n };
  // Loaded on the line before the call: unknown until pc is at the blr.
  let at = code(['ldr x1, [x0]', 'blr x1'], [3, 3], regs);
  assert.equal(at(BASE).calls[0].target, undefined);
  assert.equal(at(BASE + 4).calls[0].target, 0x401234);
  // The top byte (a tag) is not part of the target; the whole value is kept.
  at = code(['blr x16'], [3], regs);
  assert.equal(at(BASE).calls[0].target, 0x401100);
  assert.equal(at(BASE).calls[0].value, 0xb00000000401100n);
  // A call in between clobbers x0-x18 and x30 (AAPCS64), not the callee-saved x19-x28.
  at = code(['bl .+100', 'blr x19', 'blr x9'], [3, 3, 3], regs);
  assert.deepEqual(at(BASE).calls.map(c => c.target), [BASE + 100, 0x401300, undefined]);
  // Writeback of a load's base register; svc's result in x0; an unrelated write leaves x1 known.
  at = code(['ldr x2, [x16], #8', 'blr x16'], [3, 3], regs);
  assert.equal(at(BASE).calls[0].target, undefined);
  assert.equal(code(['svc #0', 'blr x0'], [3, 3], regs)(BASE).calls[0].target, undefined);
  assert.equal(code(['svc #0', 'blr x1'], [3, 3], regs)(BASE).calls[0].target, 0x401234);
  at = code(['add x2, x2, #1', 'blr x1'], [3, 3], regs);
  assert.equal(at(BASE).calls[0].target, 0x401234);
  // A word that is not an instruction we know: nothing is known after it.
  at = code(['.inst 0x04000000', 'blr x1'], [3, 3], regs);
  assert.equal(at(BASE).calls[0].target, undefined);
});
