// Malformed input never crashes the front end: in collect mode every problem is an AsmError with a
// position, and nothing else is thrown (this is what the language server runs on every keystroke).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AsmError } from '../../emulator/asm/types';
import { asm } from './helpers';

const PIECES = [
  '.macro', '.endm', '.rept', '.endr', '.irp', '.irpc', '.if', '.else', '.elseif', '.endif', '.ifdef', '.ifc', '.byte', '.word', '.quad',
  '.ascii', '"str', '"ok"', '.section', '.pushsection', '.popsection', '.previous', '.set', '=', '.equ', '.align', '.p2align', '.balign',
  '.skip', '.fill', '.org', '.ltorg', '.include', '.exitm', '.purgem', '.comm', '.lcomm', '.size', '.type', '.global', '.inst', '.err',
  '.sleb128', '.octa', '.float', 'nop', 'ret', 'b', 'mov', 'ldr', 'x0', 'w1', '#', ',', ',,', '(', ')', '[', ']', ':', '::', ';', '\\',
  '\\@', '\\()', '1:', '1b', '1f', '.', '-', '+', '*', '/', '%', '<<', '>>', '!', '~', "'", "'a'", '0x', '0b2', '09', '12', '-1',
  'lab', 'lab:', '=', ':lo12:', ':got:', '/*', '*/', '//', '#define', '#if', '#endif', '#include', '@', '$', '{', '}', 'ldr x0, =',
  '.req', '.unreq', '.end', '.print', '.warning', '.error', '.data', '.text', '.bss', '%function', '@object',
];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1103515245 + 12345) >>> 0; return s / 2 ** 32; };
}

test('random garbage produces positioned AsmErrors only', () => {
  const n = Number(process.env.ASM_FUZZ_SEEDS ?? 300);
  for (let seed = 1; seed <= n; seed++) {
    const r = rng(seed);
    const lines: string[] = [];
    const n = 1 + Math.floor(r() * 12);
    for (let i = 0; i < n; i++) {
      const k = Math.floor(r() * 6);
      const parts: string[] = [];
      for (let j = 0; j < k; j++) parts.push(PIECES[Math.floor(r() * PIECES.length)]);
      lines.push(parts.join(r() < 0.5 ? ' ' : ''));
    }
    const src = lines.join('\n');
    for (const file of ['g.s', 'g.S']) {
      let res;
      try {
        res = asm(src, { file, collectErrors: true, readInclude: () => '.byte 1\n' });
      } catch (e) {
        assert.fail(`seed ${seed} (${file}) threw ${(e as Error).stack}\n--- source ---\n${src}`);
      }
      for (const e of res.errors) {
        assert.ok(e instanceof AsmError, `seed ${seed}: not an AsmError`);
        assert.ok(!/internal error/.test(e.message), `seed ${seed}: ${e.message}\n--- source ---\n${src}`);
        assert.ok(e.pos === undefined || (e.pos.line >= 1 && e.pos.column >= 1), `seed ${seed}: bad position ${JSON.stringify(e.pos)}`);
      }
    }
  }
});
