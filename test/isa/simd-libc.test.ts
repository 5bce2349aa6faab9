// Coverage against the code C programs actually run: every FP/SIMD instruction word in Debian's
// static glibc (libc.a, libm.a) and libgcc.a, and in the corpus C programs compiled by gcc and
// clang at -O1 and -O3 (objects disassembled by objdump), must decode here and disassemble exactly as
// objdump prints it. The loads/stores of FP registers with the integer addressing modes (LDR/STR/
// LDP/STP/LDUR q/d/s) belong to the load/store group and are checked with everything else.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { A64 } from '../../emulator/isa/table';
import { missingTools, run, tmpDir } from '../tools';
import { norm } from './sweep';

const OBJDUMP = 'aarch64-linux-gnu-objdump';
const LIBS = [
  '/usr/aarch64-linux-gnu/lib/libc.a',
  '/usr/aarch64-linux-gnu/lib/libm.a',
  '/usr/lib/gcc-cross/aarch64-linux-gnu/12/libgcc.a',
];

/** FP/SIMD encoding space: data processing (op0 = x111) and loads/stores with the V bit. */
const isFpSimd = (w: number): boolean => ((w >>> 25) & 7) === 7 || (((w >>> 25) & 5) === 4 && ((w >>> 26) & 1) === 1);

/** word -> objdump text, for the FP/SIMD words of an objdump -d listing (pc-relative forms skipped). */
function collect(listing: string, into: Map<number, string>): void {
  for (const line of listing.split('\n')) {
    const m = /^\s*[0-9a-f]+:\t([0-9a-f]{8}) \t(.*)$/.exec(line);
    if (!m) continue;
    const w = parseInt(m[1], 16);
    if (!isFpSimd(w) || into.has(w)) continue;
    // Literal loads print a target address; the load/store group's sweep covers those.
    if (/<.*>/.test(m[2])) continue;
    into.set(w, norm(m[2]));
  }
}

function ourText(w: number): string {
  if (!A64.decode(w)) return '(undecoded)';
  const d = A64.disassemble(w, { pc: 0 });
  return norm(d.comment ? `${d.text} // ${d.comment}` : d.text);
}

function compare(words: Map<number, string>): string[] {
  const bad: string[] = [];
  for (const [w, text] of words) {
    const mine = ourText(w);
    if (mine !== text) bad.push(`${w.toString(16).padStart(8, '0')}: objdump '${text}' ours '${mine}'`);
  }
  return bad;
}

describe('FP/SIMD instructions of real library and compiler code', () => {
  for (const lib of LIBS) {
    const skip = missingTools(OBJDUMP) || (!existsSync(lib) && `${lib} is not installed`);
    it(`every FP/SIMD word of ${lib.split('/').pop()} disassembles like objdump`, { skip }, t => {
      const r = run(OBJDUMP, ['-d', lib], { timeoutMs: 300_000 });
      assert.equal(r.status, 0, r.stderr);
      const words = new Map<number, string>();
      collect(r.stdout, words);
      t.diagnostic(`${words.size} distinct FP/SIMD words`);
      assert.ok(words.size > 20, 'the library should contain FP/SIMD code');
      const bad = compare(words);
      assert.equal(bad.length, 0, bad.slice(0, 40).join('\n'));
    });
  }

  const cc = [
    { name: 'gcc', cmd: 'aarch64-linux-gnu-gcc', args: [] as string[] },
    { name: 'clang', cmd: 'clang-14', args: ['--target=aarch64-linux-gnu'] },
  ];
  const corpus = join(__dirname, '..', 'corpus', 'c');
  for (const c of cc) {
    const skip = missingTools(OBJDUMP, c.cmd) || (!existsSync(corpus) && 'no corpus');
    it(`every FP/SIMD word the corpus compiles to with ${c.name} -O1/-O3 disassembles like objdump`, { skip }, t => {
      const dir = tmpDir('tagvisor-simdcov-');
      const words = new Map<number, string>();
      const sources = readdirSync(corpus).filter(n => n.endsWith('.c')).map(n => join(corpus, n));
      for (const o of ['-O1', '-O3']) {
        // One compiler run per level (objects land in a fresh directory).
        const out = join(dir, o.slice(1));
        run('mkdir', ['-p', out]);
        const r = run(c.cmd, [...c.args, '-march=armv8.5-a+memtag', '-c', o, '-I', corpus, ...sources], { cwd: out, timeoutMs: 300_000 });
        assert.equal(r.status, 0, r.stderr);
        collect(run(OBJDUMP, ['-d', ...readdirSync(out).map(obj => join(out, obj))], { timeoutMs: 300_000 }).stdout, words);
      }
      t.diagnostic(`${words.size} distinct FP/SIMD words`);
      const bad = compare(words);
      assert.equal(bad.length, 0, bad.slice(0, 40).join('\n'));
    });
  }
});

