// The tagvisor command line: exit statuses, error messages (one line, no stack trace), the crash
// report layout, tracing, and the asm/disasm subcommands (differentially against GNU objdump/qemu).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { main, type CliIo } from '../../emulator/cli/main';
import { buildAsm } from '../linux/helpers';
import { LinuxProcess, tombstone } from '../../emulator/linux';
import { parseTraceJsonl } from '../diff/harness';
import { missingTools, run, runOk, tmpDir } from '../tools';

const FIX = resolve(import.meta.dirname, 'fixtures');
const fx = (n: string) => join(FIX, n);

interface Out { status: number; stdout: string; stderr: string }

function cli(argv: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Out {
  let stdout = '', stderr = '';
  let input = Buffer.from(opts.stdin ?? '');
  const io: CliIo = {
    stdout: d => { stdout += Buffer.from(d).toString('latin1'); },
    stderr: d => { stderr += Buffer.from(d).toString('latin1'); },
    stdin: max => { if (!input.length) return null; const c = input.subarray(0, max); input = input.subarray(c.length); return new Uint8Array(c); },
    stdio: ['pipe', 'pipe', 'pipe'],
    env: opts.env ?? {},
    cwd: FIX,
  };
  const status = main(argv, io);
  return { status, stdout, stderr };
}

test('run: output passes through, the guest status is the exit status', () => {
  const r = cli(['run', fx('hello.s')]);
  assert.deepEqual(r, { status: 3, stdout: 'hello\n', stderr: '' });
});

test('run: stdin is passed to the guest', () => {
  const r = cli(['run', fx('echo.s')], { stdin: 'some input\n'.repeat(20) });
  assert.equal(r.status, 0);
  assert.equal(r.stdout, 'some input\n'.repeat(20));
});

test('run: death by signal N exits with 128+N; --no-report keeps stderr clean', () => {
  const r = cli(['run', '--no-report', fx('jump.s')]);
  assert.deepEqual(r, { status: 139, stdout: '', stderr: '' });
  const s = cli(['run', fx('jump.s')]);
  assert.equal(s.status, 139);
  assert.equal(s.stderr, `tagvisor: ${fx('jump.s')}: killed by signal 11 (SIGSEGV), code 1 (SEGV_MAPERR): instruction fetch from unmapped address 0x1000, pc 0x1000\n`);
  const full = cli(['run', '--full-report', fx('jump.s')]);
  assert.match(full.stderr, /^signal 11 \(SIGSEGV\), code 1 \(SEGV_MAPERR\), fault addr 0x0000000000001000$/m);
  assert.match(full.stderr, /^Cause: instruction fetch from unmapped address 0x1000$/m);
  assert.match(full.stderr, /^--->Fault address falls at 00000000'00001000 before any mapped regions$/m);
});

test('run: other fatal signals get one line naming the instruction', () => {
  const dir = tmpDir();
  const f = join(dir, 'null.s');
  writeFileSync(f, '  .text\n  .global _start\n_start:\n  mov x0, #0\n  str w1, [x0]\n');
  const r = cli(['run', f]);
  assert.equal(r.status, 139);
  assert.equal(r.stderr, `tagvisor: ${f}: killed by signal 11 (SIGSEGV), code 1 (SEGV_MAPERR): write at unmapped address 0x0, pc 0x401004 (_start+4): str w1, [x0]\n`);
  const u = join(dir, 'udf.s');
  writeFileSync(u, '  .text\n  .global _start\n_start:\n  .inst 0x00000042\n');
  assert.equal(cli(['run', u]).stderr, `tagvisor: ${u}: killed by signal 4 (SIGILL), code 1 (ILL_ILLOPC): undefined instruction 0x00000042, pc 0x401000 (_start)\n`);
});

test('run: --max-insns stops a runaway guest with status 124 and a clear message', () => {
  const r = cli(['run', '--max-insns', '5000', fx('loop.s')]);
  assert.equal(r.status, 124);
  assert.match(r.stderr, /^tagvisor: .*loop\.s: stopped after 5000 instructions \(--max-insns\), pc 0x401000\n$/);
});

test('bad input: one line naming the problem and a non-zero status, never a stack trace', () => {
  const dir = tmpDir();
  const cases: [string[], number, RegExp][] = [
    [['run', join(dir, 'missing.s')], 127, /missing\.s: no such file/],
    [['run', fx('bad.s')], 126, /bad\.s:4:9: error: unknown instruction 'frobnicate'/],
    [['run'], 2, /no program given/],
    [['run', '--max-insns', 'lots', fx('hello.s')], 2, /--max-insns: 'lots' is not a whole number/],
    [['run', '--mte-pref', 'fast', fx('hello.s')], 2, /--mte-pref: 'fast' is not one of async, sync, asymm/],
    [['run', '--bogus', fx('hello.s')], 2, /unknown option '--bogus'/],
    [['frob'], 2, /unknown command 'frob'/],
    [['disasm'], 2, /usage: tagvisor disasm FILE/],
    [['asm'], 2, /no input file/],
  ];
  const empty = join(dir, 'empty'); writeFileSync(empty, '');
  const trunc = join(dir, 'trunc'); writeFileSync(trunc, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]));
  const x86 = Buffer.alloc(64); x86.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]); x86.writeUInt16LE(2, 16); x86.writeUInt16LE(62, 18);
  const wrong = join(dir, 'x86'); writeFileSync(wrong, x86);
  const text = join(dir, 'notes.txt'); writeFileSync(text, 'hello');
  cases.push(
    [['run', empty], 126, /empty: not an ELF file: the file is empty/],
    [['run', trunc], 126, /trunc: truncated ELF header/],
    [['run', wrong], 126, /x86: wrong machine: e_machine is EM_X86_64 \(62\), expected EM_AARCH64/],
    [['run', text], 126, /notes\.txt: not an ELF file: bad magic bytes/],
    [['run', dir], 126, /is a directory/],
    [['disasm', join(dir, 'missing')], 127, /no such file/],
  );
  for (const [argv, status, re] of cases) {
    const r = cli(argv);
    assert.equal(r.status, status, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, argv.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(r.stderr.trimEnd().split('\n').length, argv[0] === 'run' && argv.length === 1 ? 1 : 1, 'one line');
  }
});

// The report for test/cli/fixtures/mte-fault.s, run as /test/mte-fault with no environment: every
// value below is derived by hand from the program and the Linux initial-stack layout.
const EXPECTED_TOMBSTONE = `*** *** *** *** *** *** *** *** *** *** *** *** *** *** *** ***
ABI: 'arm64'
pid: 1000, tid: 1000, name: mte-fault  >>> /test/mte-fault <<<
uid: 1000
tagged_addr_ctrl: 000000000007fff3 (PR_TAGGED_ADDR_ENABLE, PR_MTE_TCF_SYNC, mask 0xfffe)
signal 11 (SIGSEGV), code 9 (SEGV_MTESERR), fault addr 0x0a00fffff7ffe028
Cause: [MTE]: synchronous tag check fault: 8-byte read at 0xa00fffff7ffe028, logical tag 0xa, allocation tag 0xb
    x0  0000fffff7ffe000  x1  0000000000001000  x2  0000000000000023  x3  0000000000000022
    x4  ffffffffffffffff  x5  0000000000000000  x6  0000000000000000  x7  0000000000000000
    x8  00000000000000de  x9  0000000000000000  x10 0000000000000000  x11 0000000000000000
    x12 0000000000000000  x13 0000000000000000  x14 0000000000000000  x15 0000000000000000
    x16 0000000000000000  x17 0000000000000000  x18 0000000000000000  x19 0000fffff7ffe000
    x20 0b00fffff7ffe020  x21 0a00fffff7ffe028  x22 0000000000000000  x23 0000000000000000
    x24 0000000000000000  x25 0000000000000000  x26 0000000000000000  x27 0000000000000000
    x28 0000000000000000  x29 0000000000000000
    lr  0000000000401054  sp  0000fffffffffe50  pc  0000000000401068  pst 0000000000000000

backtrace:
      #00 pc 0000000000401068  /test/mte-fault (use+8)
      #01 pc 0000000000401054  /test/mte-fault (_start+84)

faulting instruction:
    pc 0000000000401068  f94002a0  ldr	x0, [x21]

Memory tags around the fault address (0xa00fffff7ffe028), one tag per 16 bytes:
    =>0xfffff7ffe000: 0  0 [b] b  0  0  0  0  0  0  0  0  0  0  0  0
      0xfffff7ffe100: 0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0
      0xfffff7ffe200: 0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0
      0xfffff7ffe300: 0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0
      0xfffff7ffe400: 0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0
      0xfffff7ffe500: 0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0
      0xfffff7ffe600: 0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0
      0xfffff7ffe700: 0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0

memory map (4 entries): (fault address prefixed with --->)
    00000000'00400000-00000000'00401fff r-x         0      2000  /test/mte-fault
--->0000ffff'f7ffe000-0000ffff'f7ffefff rw-         0      1000 (PROT_MTE)
    0000ffff'f7fff000-0000ffff'f7ffffff r-x         0      1000  [vdso]
    0000ffff'ff800000-0000ffff'ffffffff rw-         0    800000  [stack]
`;

test('tombstone for a synchronous tag check fault: exact layout', () => {
  const bytes = buildAsm(readFileSync(fx('mte-fault.s'), 'utf8'), 'mte-fault.s');
  const p = LinuxProcess.fromBytes(bytes, { path: '/test/mte-fault', hostFs: null });
  const r = p.run(1000);
  assert.equal(r.reason, 'exit');
  const st = (r as { status: NonNullable<typeof p.exited> }).status;
  const text = tombstone(p, st, { symbolize: a => { const s = p.elf.symbolize(a); return s ? { name: s.symbol.name, offset: s.offset } : undefined; } });
  assert.equal(text, EXPECTED_TOMBSTONE);
});

test('tag dump edge cases: range starts 8 rows before the fault row, `.` outside, stops at untagged memory', async () => {
  const { tagDump } = await import('../../emulator/linux');
  // Tags readable only in [0x10000, 0x10300): the fault row is 0x10100; the dump would start 8 rows
  // earlier (0xf900) but skips the unreadable page, and stops at the first unreadable granule.
  const rows = tagDump(a => (a >= 0x10000 && a < 0x10300 ? (a >> 4) & 0xf : -1), 0x0300_0000_0001_0123n);
  assert.deepEqual(rows, [
    '      0x10000: 0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f',
    '    =>0x10100: 0  1 [2] 3  4  5  6  7  8  9  a  b  c  d  e  f',
    '      0x10200: 0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f',
  ]);
  // A granule that cannot be read ends the dump mid-row: the rest of the row is ' . '.
  const mid = tagDump(a => (a < 0x20c80 ? 1 : -1), 0x20c20n);
  assert.equal(mid.length, 9, '8 rows before the fault row, then the fault row');
  assert.equal(mid[0], '      0x20400: 1  1  1  1  1  1  1  1  1  1  1  1  1  1  1  1');
  assert.equal(mid[8], '    =>0x20c00: 1  1 [1] 1  1  1  1  1  .  .  .  .  .  .  .  .');
  // 256 granules at most: 8 rows before the fault row, the fault row, 7 after.
  assert.equal(tagDump(() => 7, 0x50000n).length, 16);
  assert.deepEqual(tagDump(() => 0, 0x7f0n), [], 'no dump below 2048');
});

test('run: the tombstone for sync and async faults, from the CLI', () => {
  const s = cli(['run', '--clear-env', fx('mte-fault.s')]);
  assert.equal(s.status, 139);
  assert.match(s.stderr, /^signal 11 \(SIGSEGV\), code 9 \(SEGV_MTESERR\), fault addr 0x0a00fffff7ffe028$/m);
  assert.match(s.stderr, /^    pc 0000000000401068  f94002a0  ldr\tx0, \[x21\]$/m);
  const a = cli(['run', '--clear-env', fx('async-fault.s')]);
  assert.equal(a.status, 139);
  assert.match(a.stderr, /^signal 11 \(SIGSEGV\), code 8 \(SEGV_MTEAERR\), fault addr --------$/m);
  assert.match(a.stderr, /^Cause: \[MTE\]: asynchronous tag check fault: 1-byte write at 0x400fffff7ffe030 by pc 0x401058, logical tag 0x4, allocation tag 0x0$/m);
  assert.match(a.stderr, /^    pc 0000000000401058  390002a1  strb\tw1, \[x21\]$/m);
  assert.match(a.stderr, /^    =>0xfffff7ffe000: 0  4  0 \[0\] 0  0/m);
  assert.doesNotMatch(a.stderr, /faulting instruction/);
});

test('run --mte-pref sync turns an async+sync request into precise faults', () => {
  const dir = tmpDir();
  const src = readFileSync(fx('async-fault.s'), 'utf8').replace('#0xfff5', '#0xfff7');
  writeFileSync(join(dir, 'both.s'), src);
  assert.match(cli(['run', join(dir, 'both.s')]).stderr, /code 8 \(SEGV_MTEAERR\)/, 'default preference: async');
  assert.match(cli(['run', '--mte-pref', 'sync', join(dir, 'both.s')]).stderr, /code 9 \(SEGV_MTESERR\)/);
});

test('run --trace: instruction lines with changed registers, syscalls', () => {
  const r = cli(['run', '--trace', fx('hello.s')]);
  assert.equal(r.status, 3);
  const lines = r.stderr.split('\n');
  assert.equal(lines[0], '000000401000  d2800020  mov x0, #0x1  // #1  <_start>');
  assert.equal(lines[1].trim(), 'x0=0x1');
  assert.equal(lines[2], '000000401004  100000e1  adr x1, 401020 <msg>');
  assert.equal(lines[3].trim(), 'x1=0x401020');
  assert.ok(lines.includes('        syscall write(0x1, 0x401020, 0x6) = 6'), r.stderr);
  assert.ok(lines.includes('        syscall exit(0x3) = 3'));
  assert.equal(r.stdout, 'hello\n');
});

test('run --trace-json: one record per instruction with the registers after it', () => {
  const dir = tmpDir();
  const file = join(dir, 't.jsonl');
  const r = cli(['run', '--trace-json', file, fx('hello.s')]);
  assert.equal(r.status, 3);
  const recs = parseTraceJsonl(readFileSync(file, 'utf8'), file);
  assert.equal(recs.length, 8);
  assert.equal(recs[0].pc, 0x401000n);
  assert.equal(recs[0].x[0], 1n);
  assert.equal(recs[4].pc, 0x401010n, 'the write svc');
  assert.equal(recs[4].x[0], 6n, 'after the svc x0 holds the result');
  assert.equal(recs[7].pc, 0x40101cn);
});

test('asm writes a static ELF that qemu-aarch64 runs and objdump reads', { skip: missingTools('qemu-aarch64') }, () => {
  const dir = tmpDir();
  const out = join(dir, 'hello.elf');
  const r = cli(['asm', fx('hello.s'), '-o', out]);
  assert.deepEqual(r, { status: 0, stdout: '', stderr: '' });
  const q = run('qemu-aarch64', [out]);
  assert.equal(q.status, 3);
  assert.equal(q.stdout, 'hello\n');
  const ours = cli(['run', out]);
  assert.equal(ours.status, 3);
});

function objdumpLines(text: string): string[] {
  return text.split('\n').filter(l => /^\s+[0-9a-f]+:\t/.test(l)).map(l => l.replace(/\s+/g, ' ').replace(/ \/\/.*$/, '').trim());
}

test('disasm of an ELF matches aarch64-linux-gnu-objdump -d instruction by instruction', { skip: missingTools('aarch64-linux-gnu-objdump') }, () => {
  const dir = tmpDir();
  const elf = join(dir, 'prog');
  assert.equal(cli(['asm', fx('mte-fault.s'), '-o', elf]).status, 0);
  const ours = cli(['disasm', elf]);
  assert.equal(ours.status, 0);
  const theirs = runOk('aarch64-linux-gnu-objdump', ['-d', elf]).stdout;
  assert.deepEqual(objdumpLines(ours.stdout), objdumpLines(theirs));
  assert.match(ours.stdout, /^0000000000401000 <_start>:$/m);
  assert.match(ours.stdout, /^0000000000401060 <use>:$/m);
  assert.match(ours.stdout, /^Disassembly of section \.text:$/m);
});

test('disasm of a source file: data directives shown as .word, labels from the symbols', () => {
  const r = cli(['disasm', fx('hello.s')]);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^0000000000401020 <msg>:\n  401020:\t6c6c6568 \t\.word\t0x6c6c6568\n  401024:\t0a6f      \t\.short\t0x0a6f\n$/m);
  assert.match(r.stdout, /^  401004:\t100000e1 \tadr\tx1, 401020 <msg>$/m);
});

test('the bundled dist/cli.js: real process exit status and stderr', { skip: existsSync(resolve('dist/cli.js')) ? false : 'dist/cli.js not built (npm run build)' }, () => {
  const dir = tmpDir();
  const prog = join(dir, 'jump.s');
  copyFileSync(fx('jump.s'), prog);
  const r = run(process.execPath, [resolve('dist/cli.js'), 'run', '--no-report', prog]);
  assert.equal(r.status, 139);
  assert.equal(r.stderr, '');
  const m = run(process.execPath, [resolve('dist/cli.js'), 'run', join(dir, 'nope')]);
  assert.equal(m.status, 127);
  assert.equal(m.stderr, `tagvisor: ${join(dir, 'nope')}: no such file\n`);
});

test('run --seed: IRG (and so the crash) is reproducible per seed and varies between seeds', () => {
  const tagOf = (seed: number) => /fault addr 0x0([0-9a-f])/.exec(cli(['run', '--seed', String(seed), resolve('examples/use-after-free.s')]).stderr)?.[1];
  const tags = [0, 1, 2, 3].map(tagOf);
  assert.ok(tags.every(t => t !== undefined), `every run faults: ${tags}`);
  assert.deepEqual([0, 1, 2, 3].map(tagOf), tags, 'same seed, same tags');
  assert.ok(new Set(tags).size >= 2, `different seeds give different tags: ${tags}`);
});

test('disasm of a static glibc program: identical to objdump -d (labels, symbolized targets, `...`) except SVE', { skip: missingTools('aarch64-linux-gnu-gcc', 'aarch64-linux-gnu-objdump') }, () => {
  const dir = tmpDir();
  writeFileSync(join(dir, 'p.c'), '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n');
  const exe = join(dir, 'p');
  runOk('aarch64-linux-gnu-gcc', ['-static', '-O2', join(dir, 'p.c'), '-o', exe]);
  const norm = (text: string): string[] => text.split('\n').flatMap(l => {
    const m = /^\s+([0-9a-f]+):\t(.*)$/.exec(l);
    if (m) return [`${m[1]} ${m[2].replace(/\s+/g, ' ').replace(/ \/\/.*$/, '').trim()}`];
    if (l.trim() === '...') return ['...'];
    if (/^[0-9a-f]{16} <.*>:$/.test(l)) return [l];
    return [];
  });
  const ours = norm(cli(['disasm', exe]).stdout);
  const theirs = norm(runOk('aarch64-linux-gnu-objdump', ['-d', exe]).stdout);
  assert.equal(ours.length, theirs.length);
  const sve = /\b[zp]\d+\.|\bp\d+\/|ptrue|while(lo|lt|le|ls)|\bcnt[bhwd]\b|\b(inc|dec)[bhwd]\b|mul vl|\brdvl\b|\baddvl\b|\bz\d+\b/;
  const diffs: string[] = [];
  for (let i = 0; i < theirs.length; i++) {
    if (ours[i] === theirs[i]) continue;
    if (sve.test(theirs[i]) && /\.inst 0x[0-9a-f]{8} ; undefined$/.test(ours[i])) continue; // no SVE, by design
    diffs.push(`objdump: ${theirs[i]}\nours:    ${ours[i]}`);
  }
  assert.deepEqual(diffs.slice(0, 10), [], `${diffs.length} lines differ`);
});
