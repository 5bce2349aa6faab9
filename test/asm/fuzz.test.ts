// Random (seeded) mixes of data directives, alignment, labels, sections and simple instructions,
// checked byte for byte against GNU as + ld.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asm, GNU, gnuBuild, type GnuBuild } from './helpers';
import type { LineMapEntry, AsmResult } from '../../emulator/asm/index';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

function program(seed: number): string {
  const r = rng(seed);
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)];
  const int = (n: number) => Math.floor(r() * n);
  const lines: string[] = ['.text', '_start:'];
  let labels = 0;
  let cur = '.text';
  let inText = true;
  const labelSec: string[] = [];
  const numeric = () => pick([
    String(int(200)), `0x${int(0xffff).toString(16)}`, `-${int(100)}`, `(${int(50)} + ${int(50)}) * 2`, `'${pick(['a', 'Z', '0'])}'`,
    `${int(9)} << ${int(4)}`, `~${int(30)} & 0xff`, `${int(100)} / ${1 + int(7)}`, `${int(100)} % ${1 + int(7)}`,
  ]);
  // label expressions GNU as can resolve: differences within one section, or an address
  const here = () => labelSec.map((s2, i) => [s2, i] as const).filter(([s2]) => s2 === cur).map(([, i]) => i);
  const exprs = () => {
    const h = here();
    const opts = [numeric()];
    if (h.length) opts.push(`. - L${pick(h)}`, `L${pick(h)} - L${pick(h)} + 1000`);
    return pick(opts);
  };
  for (let i = 0; i < 150; i++) {
    let k = int(22);
    // instructions only in .text (elsewhere they are not word aligned and literal loads would fail)
    if (!inText && k >= 13 && k <= 18) k = 2;
    switch (k) {
      case 0: {
        const sec = pick(['.text', '.data', '.section .rodata', '.section .myro, "a"', '.pushsection .mydata, "aw"\n.byte 9\n.popsection']);
        lines.push(sec);
        if (!sec.startsWith('.push')) { inText = sec === '.text'; cur = sec.replace('.section ', '').replace(/,.*/, ''); }
        break;
      }
      case 1: lines.push(`L${labels++}:`); labelSec.push(cur); break;
      case 2: lines.push(`.byte (${exprs()}) & 0x7f, ${int(256)}`); break;
      case 3: lines.push(`.hword ${int(65536)}, (${exprs()}) & 0xffff`); break;
      case 4: lines.push(`.word ${exprs()}, ${labels ? `L${int(labels)}` : '1'}`); break;
      case 5: lines.push(`.quad ${exprs()}, ${labels ? `L${int(labels)} + ${int(16)}` : '2'}`); break;
      case 6: lines.push(`.ascii "${pick(['x', 'hello', 'a\\tb', '\\101'])}"`); break;
      case 7: lines.push(`.asciz "${pick(['', 'z', 'end'])}"`); break;
      // In .text an alignment leaves GNU as expecting code, so keep instructions word aligned there.
      case 8: lines.push(`.balign ${inText ? pick([4, 8, 16]) : pick([1, 2, 4, 8, 16])}`); break;
      case 9: lines.push(`.p2align ${inText ? 2 + int(3) : int(5)}, ${pick(['', '0x5a', '0'])}`.replace(/, $/, '')); break;
      case 10: lines.push(inText ? '.balign 8' : `.p2align ${int(5)},,${int(8)}`); break;
      case 11: lines.push(`.skip ${int(9)}, ${int(256)}`); break;
      case 12: lines.push(`.fill ${int(4)}, ${pick([1, 2, 4, 8])}, ${int(100000)}`); break;
      case 13: lines.push('nop'); break;
      case 14: lines.push('ret'); break;
      case 15: lines.push(pick(['b _start', 'bl _start'])); break;
      case 16: lines.push(`mov x${int(31)}, #${int(65536)}`); break;
      case 17: {
        const x = r() < 0.5;
        lines.push(`ldr ${x ? 'x' : 'w'}${int(31)}, =${pick([String(int(1000)), x ? '0x123456789' : '0x12345678', labels ? `L${int(labels)}` : '5'])}`);
        break;
      }
      case 18: lines.push(pick(['.ltorg', '.pool'])); break;
      case 19: lines.push(`.uleb128 ${int(100000)}\n.sleb128 -${int(100000)}`); break;
      case 20: lines.push(`.rept ${int(4)}\n.byte ${int(256)}\n.endr`); break;
      case 21: lines.push(`.irp v, ${int(9)}, ${int(9)}\n.hword \\v * 3\n.endr`); break;
    }
  }
  return lines.join('\n') + '\n';
}

test('random directive mixes match GNU as + ld', { skip: GNU }, () => {
  const n = Number(process.env.ASM_FUZZ_SEEDS ?? 8);
  for (let seed = 1; seed <= n; seed++) {
    const src = program(seed);
    let ours: AsmResult;
    try { ours = asm(src); } catch (e) { assert.fail(`seed ${seed}: ${(e as Error).message}\n${src}`); }
    let gnu: GnuBuild;
    try { gnu = gnuBuild(src, ours); } catch (e) { assert.fail(`seed ${seed}: ${(e as Error).message}\n${src.split('\n').map((l, i) => `${i + 1}: ${l}`).join('\n')}`); }
    for (const s of ours.sections) {
      if (!s.flags.includes('a') || s.type === 'nobits') continue;
      const theirs: Uint8Array = gnu.sections.get(s.name) ?? new Uint8Array(0);
      let d = 0;
      while (d < s.bytes.length && d < theirs.length && s.bytes[d] === theirs[d]) d++;
      if (d === s.bytes.length && d === theirs.length) continue;
      // name the source line that produced the first differing byte
      const at = s.address + BigInt(d);
      const e: LineMapEntry | undefined = [...ours.lineMap].reverse().find(x => x.address <= at);
      const srcLines = src.split('\n');
      const context = e ? srcLines.slice(Math.max(0, e.line - 4), e.line + 1).map((l, i) => `${Math.max(1, e.line - 3) + i}: ${l}`).join('\n') : '';
      assert.fail(`seed ${seed} section ${s.name} differs at +0x${d.toString(16)} (line ${e?.line}):\n${context}\nours ${Buffer.from(s.bytes.slice(d, d + 16)).toString('hex')}\ngnu  ${Buffer.from(theirs.slice(d, d + 16)).toString('hex')}`);
    }
    for (const s of ours.symbols) assert.equal(s.value, gnu.symbols.get(s.name), `seed ${seed} symbol ${s.name}`);
  }
});
