// Line steps (next, stepIn, stepBack) go through DWARF line-0 code (instructions the compiler gives
// no source line: clang emits them between and inside lines) without ever stopping in it; steps by
// instruction still stop there. Debuggee-level, on a program assembled by clang's assembler (which
// keeps `.loc 1 0` rows) and linked with ld.lld (skipped with the reason when they are missing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProgram } from '../../emulator/cli/program';
import { Debuggee, type ResumeMode, type StopInfo } from '../../emulator/debug/debuggee';
import { missingTools, runOk, tmpDir } from '../tools';

/**
 * An assembly program whose `.loc` directives give each instruction its line, with line 0 between
 * two lines, right after a call (where the call returns) and inside a line. Lines A, B, C (_start)
 * and F (f) are the lines of their first instruction; clang's assembler keeps `.loc 1 0` rows (gas
 * drops them).
 */
function line0Program(path: string): { text: string; line: Record<'A' | 'B' | 'C' | 'F', number> } {
  const items: [string | 0 | null, string][] = [
    [null, `.file 1 "${path}"`], [null, '.text'], [null, '.global _start'], [null, '.type _start, %function'], [null, '_start:'],
    ['A', 'mov x19, #3'],
    [0, 'mov x20, #0'],
    ['B', 'mov x0, #5'], ['B', 'bl f'],
    [0, 'mov x21, x0'],
    ['B', 'add x0, x0, #1'],
    [0, 'nop'],
    ['C', 'mov x8, #93'], ['C', 'svc #0'],
    [null, '.type f, %function'], [null, 'f:'],
    ['F', 'add x0, x0, x0'], ['F', 'ret'],
  ];
  const out: string[] = [];
  const line: Record<string, number> = {};
  for (const [tag, insn] of items) {
    if (tag === null) { out.push(insn.endsWith(':') ? insn : `        ${insn}`); continue; }
    if (tag !== 0) line[tag] ??= out.length + 2;
    out.push(`        .loc 1 ${tag === 0 ? 0 : line[tag]}`, `        ${insn}${tag === 0 ? ' // line 0' : ` // ${tag}`}`);
  }
  return { text: out.join('\n') + '\n', line: line as Record<'A' | 'B' | 'C' | 'F', number> };
}

for (const pie of [false]) {
  test(`Debuggee line steps through DWARF line-0 code (next, stepIn, over a call returning into line 0, stepBack)${pie ? ', static-pie' : ''}`, { skip: missingTools('clang-14', 'ld.lld') }, () => {
    const dir = tmpDir('tv-line0');
    const src = join(dir, 'line0.s'), obj = join(dir, 'line0.o'), exe = join(dir, 'line0');
    const { text: asm, line } = line0Program(src);
    writeFileSync(src, asm);
    runOk('clang-14', ['--target=aarch64-linux-gnu', '-c', src, '-o', obj]);
    runOk('ld.lld', ['-static', ...(pie ? ['-pie', '--no-dynamic-linker'] : []), obj, '-o', exe]);
    const d = new Debuggee({ program: loadProgram(exe), args: [], env: {}, cwd: dir, seed: 1, historySize: 10_000 });
    const start = d.pc;
    if (pie) assert.notEqual(start, Number(d.program.elf.entry), 'loaded with a load bias');
    else assert.equal(start, Number(d.program.elf.entry));
    // Instruction offsets from _start (see line0Program).
    const at = { A: 0, zero1: 4, B: 8, ret: 16, Badd: 20, C: 28, F: 36 };
    const go = (m: ResumeMode): StopInfo => { d.resume(m); let s; while (!(s = d.runFor(1000))); return s; };
    const back = (): StopInfo => d.stepBack('line');
    const expect = (s: StopInfo, off: number, ln: number | 0, what: string) => {
      assert.equal(s.reason, 'step', `${what}: ${JSON.stringify(s)}`);
      assert.equal(d.pc - start, off, `${what}: pc _start+${d.pc - start}`);
      if (ln === 0) { assert.equal(d.source.lineAt(d.pc), undefined, what); assert.equal(d.source.lineZero(d.pc), true, what); }
      else { assert.equal(d.source.lineAt(d.pc)?.line, ln, what); assert.equal(d.source.lineZero(d.pc), false, what); }
    };
    assert.equal(d.source.lineAt(d.pc)?.line, line.A);
    expect(go({ kind: 'next', granularity: 'line' }), at.B, line.B, 'next from A passes the line-0 instruction');
    const atB = d.position;
    expect(back(), at.A, line.A, 'stepBack from B passes it again');
    expect(go({ kind: 'next', granularity: 'instruction' }), at.zero1, 0, 'an instruction step stops at line 0');
    expect(go({ kind: 'stepIn', granularity: 'line' }), at.B, line.B, 'a line step from line 0 stops at the next line');
    expect(go({ kind: 'next', granularity: 'line' }), at.C, line.C, 'next over a call returning into line 0, through B and line 0');
    expect(back(), at.Badd, line.B, 'stepBack from C skips the line-0 instruction before it');
    assert.equal(d.goToPosition(atB), undefined);
    expect(go({ kind: 'stepIn', granularity: 'line' }), at.F, line.F, 'stepIn into f');
    expect(go({ kind: 'next', granularity: 'line' }), at.Badd, line.B, 'out of f through the line-0 return address');
    expect(go({ kind: 'stepIn', granularity: 'line' }), at.C, line.C, 'stepIn through the line-0 nop');
    const end = go({ kind: 'continue' });
    assert.equal(end.reason, 'exited');
    assert.equal(end.reason === 'exited' && end.status.code, 11);
  });
}
