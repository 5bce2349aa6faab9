// Source lines at run-time addresses and line steps through DWARF line-0 code.
// - C programs built with gcc and clang, static and static-pie (loaded at a load bias): line and
//   function breakpoints, stack frames, disassembly symbols, symbols in expressions, and line steps
//   (stepIn, stepOut, next, stepBack) that go through clang's line-0 code without ever stopping in
//   it. Every stop's line is checked against llvm-dwarfdump's decoding of the line table, addresses
//   against binutils (nm, readelf), the load bias is taken from the entry pc.
// - Debuggee-level, an assembly program whose `.loc` rows put line 0 exactly where wanted (between
//   lines, inside one, at a call's return address), static and static-pie.
// Tests skip with the reason when a tool is missing.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { loadProgram } from '../../emulator/cli/program';
import { Debuggee, type ResumeMode, type StopInfo } from '../../emulator/debug/debuggee';
import { INIT, PROGRAMS, Session, buildAdapter } from './harness';
import { missingTools, runOk, tmpDir } from '../tools';

const SRC = join(PROGRAMS, 'lines.c');
const text = readFileSync(SRC, 'utf8').split('\n');
const lineOf = (needle: string): number => { const i = text.findIndex(l => l.includes(needle)); assert.ok(i >= 0, needle); return i + 1; };
const L = {
  TWICE: lineOf('/* TWICE'), MK: lineOf('/* MK'), MAIN: lineOf('int main('), CALLS: lineOf('/* CALLS'), STRUCT: lineOf('/* STRUCT'),
  INDIRECT: lineOf('/* INDIRECT'), SUM: lineOf('/* SUM'), LOOP: lineOf('/* LOOP'), RETURN: lineOf('/* RETURN'),
};
const DWARFDUMP = 'llvm-dwarfdump-14', NM = 'aarch64-linux-gnu-nm', READELF = 'aarch64-linux-gnu-readelf';
const hex = (v: number | bigint): string => '0x' + v.toString(16);

before(() => buildAdapter());

interface Row { address: number; line: number; isStmt: boolean; end: boolean }

/** The line table's sequences as llvm-dwarfdump decodes them. */
function dwarfRows(exe: string): Row[][] {
  const out = runOk(DWARFDUMP, ['--debug-line', exe]).stdout;
  const seqs: Row[][] = [];
  let cur: Row[] = [];
  for (const m of out.matchAll(/^0x([0-9a-f]{16})[ \t]+(\d+)[ \t]+\d+[ \t]+\d+[ \t]+\d+[ \t]+\d+[ \t]*(.*)$/gm)) {
    const end = m[3].includes('end_sequence');
    cur.push({ address: Number(BigInt('0x' + m[1])), line: Number(m[2]), isStmt: m[3].includes('is_stmt'), end });
    if (end) { seqs.push(cur); cur = []; }
  }
  assert.ok(seqs.length > 0, `no line table rows in llvm-dwarfdump's output:\n${out.slice(0, 2000)}`);
  return seqs;
}

/** The line llvm-dwarfdump's table gives a link-time address (0 = line 0), undefined outside it. */
function dwarfLine(seqs: Row[][], a: number): number | undefined {
  for (const rows of seqs) {
    for (let i = 0; i + 1 < rows.length; i++) {
      if (a >= rows[i].address && a < rows[i + 1].address) {
        // Several rows at one address: the last one describes it.
        let k = i;
        while (k + 1 < rows.length && rows[k + 1].address === rows[k].address && !rows[k + 1].end) k++;
        return rows[k].line;
      }
    }
  }
  return undefined;
}

function nmAddress(exe: string, name: string): number {
  const m = new RegExp(`^([0-9a-f]+) [tTwW] ${name}$`, 'm').exec(runOk(NM, [exe]).stdout);
  assert.ok(m, `nm: no symbol ${name}`);
  return Number(BigInt('0x' + m[1]));
}

const CC = [
  { name: 'gcc', cc: 'aarch64-linux-gnu-gcc', flags: ['-g'], tools: [] as string[] },
  { name: 'clang-14', cc: 'clang-14', flags: ['--target=aarch64-linux-gnu', '-fuse-ld=lld', '-g'], tools: ['ld.lld'] },
];

for (const c of CC) {
  for (const link of ['-static', '-static-pie']) {
    test(`C with ${c.name} ${link}: breakpoints, frames, symbols and line steps (through line-0 code) at the run-time addresses`, { skip: missingTools(c.cc, DWARFDUMP, NM, READELF, ...c.tools) }, async () => {
      const exe = join(tmpDir('tv-lines'), `lines${link}`);
      runOk(c.cc, [...c.flags, '-O0', link, SRC, '-o', exe]);
      const seqs = dwarfRows(exe);
      const entry = Number(BigInt(/Entry point address:\s+(0x[0-9a-f]+)/.exec(runOk(READELF, ['-h', exe]).stdout)![1]));
      const sym = { main: nmAddress(exe, 'main'), twice: nmAddress(exe, 'twice'), mk: nmAddress(exe, 'mk') };
      // Where line CALLS starts: its lowest is_stmt row.
      const callsAt = Math.min(...seqs.flat().filter(r => r.line === L.CALLS && r.isStmt && !r.end).map(r => r.address));
      const s = new Session();
      await s.start();
      try {
        await s.ok('initialize', INIT);
        await s.ok('launch', { program: exe, stopOnEntry: true, historySize: 100_000 });
        await s.until('initialized');
        const bps = (await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [{ line: L.CALLS }] })).body.breakpoints as DebugProtocol.Breakpoint[];
        const fbps = (await s.ok('setFunctionBreakpoints', { breakpoints: [{ name: 'mk' }] })).body.breakpoints as DebugProtocol.Breakpoint[];
        await s.ok('configurationDone');
        assert.equal((await s.until('stopped')).body.reason, 'entry');
        const evalHex = async (e: string) => Number(BigInt(((await s.ok('evaluate', { expression: e, context: 'clipboard' })).body as { result: string }).result));
        const bias = await evalHex('pc') - entry;
        if (link === '-static') assert.equal(bias, 0);
        else assert.ok(bias > 0 && bias % 4096 === 0, `load bias ${hex(bias)}`);

        assert.equal(bps[0].verified, true, JSON.stringify(bps[0]));
        assert.equal(bps[0].line, L.CALLS);
        assert.equal(bps[0].instructionReference, hex(callsAt + bias));
        assert.equal(fbps[0].verified, true, JSON.stringify(fbps[0]));
        assert.equal(fbps[0].instructionReference, hex(sym.mk + bias));
        assert.equal(fbps[0].line, L.MK);
        assert.equal(await evalHex('main'), sym.main + bias, 'a symbol in an expression is its run-time address');

        const frames = async () => ((await s.ok('stackTrace', { threadId: 1 })).body as { stackFrames: DebugProtocol.StackFrame[] }).stackFrames;
        const where: string[] = [];
        /** Waits for the stop; checks frame 0's line against llvm-dwarfdump (never line 0) and returns the frames. */
        const stopAt = async (reason: string, name: string, line: number): Promise<DebugProtocol.StackFrame[]> => {
          const st = await s.until('stopped');
          const f = await frames();
          const pc = Number(BigInt(f[0].instructionPointerReference!));
          where.push(`${st.body.reason} ${f[0].name}:${f[0].line} ${hex(pc)}`);
          const ctx = where.join(' / ');
          assert.equal(st.body.reason, reason, ctx);
          assert.equal(f[0].name, name, ctx);
          assert.equal(f[0].source?.path, SRC, ctx);
          assert.equal(f[0].line, line, ctx);
          assert.equal(dwarfLine(seqs, pc - bias), line, `llvm-dwarfdump's line at ${hex(pc - bias)}; ${ctx}`);
          return f;
        };

        await s.ok('continue', { threadId: 1 });
        let f = await stopAt('breakpoint', 'main', L.CALLS);
        assert.equal(f[0].instructionPointerReference, hex(callsAt + bias));
        const dis = ((await s.ok('disassemble', { memoryReference: hex(sym.main + bias), instructionCount: 2 })).body as { instructions: DebugProtocol.DisassembledInstruction[] }).instructions;
        assert.equal(dis[0].symbol, 'main');
        assert.equal(dis[0].location?.path, SRC);
        assert.equal(dis[0].line, L.MAIN);

        // Into twice (atoi, without lines, is stepped over), back, then on through the rest of the line.
        await s.ok('stepIn', { threadId: 1 });
        f = await stopAt('step', 'twice', L.TWICE);
        assert.equal(f[1].name, 'main');
        assert.equal(f[1].line, L.CALLS);
        await s.ok('stepOut', { threadId: 1 });
        await stopAt('step', 'main', L.CALLS);
        await s.ok('stepIn', { threadId: 1 });
        await stopAt('step', 'main', L.STRUCT);

        await s.ok('continue', { threadId: 1 });
        f = await stopAt('function breakpoint', 'mk', L.MK);
        assert.equal(f[1].name, 'main');
        assert.equal(f[1].source?.path, SRC);
        assert.equal(f[1].line, L.STRUCT);
        await s.ok('setFunctionBreakpoints', { breakpoints: [] });
        await s.ok('stepOut', { threadId: 1 });
        await stopAt('step', 'main', L.STRUCT);
        await s.ok('next', { threadId: 1 });
        await stopAt('step', 'main', L.INDIRECT);
        // Back over the code before this line (line 0 with clang) to the previous line, and forward again.
        await s.ok('stepBack', { threadId: 1 });
        await stopAt('step', 'main', L.STRUCT);
        await s.ok('next', { threadId: 1 });
        await stopAt('step', 'main', L.INDIRECT);
        await s.ok('next', { threadId: 1 });
        await stopAt('step', 'main', L.SUM);
        await s.ok('next', { threadId: 1 });
        await stopAt('step', 'main', L.LOOP);
        await s.ok('next', { threadId: 1 });
        await stopAt('step', 'main', L.RETURN);
        await s.ok('stepBack', { threadId: 1 });
        await stopAt('step', 'main', L.LOOP);
        await s.ok('continue', { threadId: 1 });
        assert.equal((await s.until('exited')).body.exitCode, 0);
      } finally {
        await s.stop().catch(() => undefined);
      }
    });
  }
}

test('clang puts line-0 code inside and between the lines of lines.c (what the line-step test relies on)', { skip: missingTools('clang-14', 'ld.lld', DWARFDUMP, NM) }, () => {
  const exe = join(tmpDir('tv-lines'), 'lines');
  runOk('clang-14', ['--target=aarch64-linux-gnu', '-fuse-ld=lld', '-g', '-O0', '-static', SRC, '-o', exe]);
  const seqs = dwarfRows(exe);
  const main = nmAddress(exe, 'main');
  const rows = seqs.find(q => q.some(r => r.address === main))!;
  const inMain = rows.filter(r => !r.end && r.address >= main && r.address < rows[rows.length - 1].address);
  const zeroAfter = (line: number) => inMain.some((r, i) => r.line === 0 && i > 0 && inMain[i - 1].line === line);
  assert.ok(zeroAfter(L.CALLS), 'line 0 inside CALLS');
  assert.ok(zeroAfter(L.STRUCT), 'line 0 after STRUCT');
});

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

for (const pie of [false, true]) {
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
    expect(back(), at.B, line.B, 'stepBack from C goes back over the line-0 code and the call to the start of line B (where next from B started)');
    assert.equal(d.goToPosition(atB), undefined);
    expect(go({ kind: 'stepIn', granularity: 'line' }), at.F, line.F, 'stepIn into f');
    expect(go({ kind: 'next', granularity: 'line' }), at.Badd, line.B, 'out of f through the line-0 return address');
    expect(go({ kind: 'stepIn', granularity: 'line' }), at.C, line.C, 'stepIn through the line-0 nop');
    const end = go({ kind: 'continue' });
    assert.equal(end.reason, 'exited');
    assert.equal(end.reason === 'exited' && end.status.code, 11);
  });
}
