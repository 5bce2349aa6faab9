// The TextMate grammar, tokenised by the same engine VS Code uses (vscode-textmate + Oniguruma).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

const ROOT = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
let grammar: vsctm.IGrammar;

before(async () => {
  const wasm = readFileSync(join(require.resolve('vscode-oniguruma'), '..', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p), createOnigString: (s: string) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope: string) => {
      if (scope !== 'source.tagvisor-asm') return null;
      const text = readFileSync(join(ROOT, 'extension', 'syntaxes', 'tagvisor-asm.tmLanguage.json'), 'utf8');
      return vsctm.parseRawGrammar(text, 'tagvisor-asm.tmLanguage.json');
    },
  });
  grammar = (await registry.loadGrammar('source.tagvisor-asm'))!;
  assert.ok(grammar);
});

/** [text, most specific scope] for every token of each line. */
function tokenize(src: string): [string, string][][] {
  let state = vsctm.INITIAL;
  return src.split('\n').map(line => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens.map(t => [line.slice(t.startIndex, t.endIndex), t.scopes[t.scopes.length - 1]] as [string, string]).filter(([s]) => s.trim() !== '');
  });
}
const scopeOf = (lines: [string, string][][], ln: number, text: string): string | undefined => lines[ln].find(([s]) => s === text)?.[1];

test('labels, mnemonics, registers, immediates and comments', () => {
  const l = tokenize('_start: mov     x0, #0x20   // comment\nloop:\n        ldr     x2, [x20, #8]\n        b.ne    1b\n');
  assert.equal(scopeOf(l, 0, '_start'), 'entity.name.function.label.tagvisor-asm');
  assert.equal(scopeOf(l, 0, 'mov'), 'keyword.other.mnemonic.tagvisor-asm');
  assert.equal(scopeOf(l, 0, 'x0'), 'variable.language.register.general.tagvisor-asm');
  assert.equal(scopeOf(l, 0, '#0x20'), 'constant.numeric.hex.tagvisor-asm');
  assert.equal(scopeOf(l, 0, '// comment'), 'comment.line.double-slash.tagvisor-asm');
  assert.equal(scopeOf(l, 1, 'loop'), 'entity.name.function.label.tagvisor-asm');
  assert.equal(scopeOf(l, 2, 'ldr'), 'keyword.other.mnemonic.tagvisor-asm');
  assert.equal(scopeOf(l, 2, 'x20'), 'variable.language.register.general.tagvisor-asm');
  assert.equal(scopeOf(l, 3, 'b.ne'), 'keyword.other.mnemonic.tagvisor-asm');
  assert.equal(scopeOf(l, 3, '1b'), 'entity.name.function.label.reference.tagvisor-asm');
});

test('MTE instructions, system registers, relocations and directives', () => {
  const l = tokenize('        irg     x20, x19\n        st2g    x20, [x20]\n        mrs     x1, gcr_el1\n        add     x0, x0, :lo12:msg\n        .equ PROT_MTE, 0x20\n        .type _start, %function\n');
  assert.equal(scopeOf(l, 0, 'irg'), 'keyword.other.mnemonic.mte.tagvisor-asm');
  assert.equal(scopeOf(l, 1, 'st2g'), 'keyword.other.mnemonic.mte.tagvisor-asm');
  assert.equal(scopeOf(l, 2, 'gcr_el1'), 'support.variable.system-register.tagvisor-asm');
  assert.equal(scopeOf(l, 3, ':lo12:'), 'keyword.operator.relocation.tagvisor-asm');
  assert.equal(scopeOf(l, 3, 'msg'), 'variable.other.symbol.tagvisor-asm');
  assert.equal(scopeOf(l, 4, '.equ'), 'keyword.control.directive.tagvisor-asm');
  assert.equal(scopeOf(l, 5, '%function'), 'storage.modifier.type.tagvisor-asm');
});

test('block comments span lines; strings keep escapes; macro parameters', () => {
  const l = tokenize('/* a\n mov x0, x1 */ nop\nmsg: .ascii "hi\\n"\n        adr x1, \\msg\n#define N 3\n# a comment line\n');
  assert.equal(l[1][0][1], 'comment.block.tagvisor-asm');
  assert.equal(scopeOf(l, 2, '\\n'), 'constant.character.escape.tagvisor-asm');
  assert.equal(scopeOf(l, 3, '\\msg'), 'variable.parameter.macro.tagvisor-asm');
  assert.equal(scopeOf(l, 4, '#define'), 'keyword.control.directive.preprocessor.tagvisor-asm');
  assert.equal(scopeOf(l, 5, '# a comment line'), 'comment.line.number-sign.tagvisor-asm');
});

test('the whole example tokenises with every mnemonic recognised', () => {
  const src = readFileSync(join(ROOT, 'examples', 'use-after-free.s'), 'utf8');
  const lines = tokenize(src);
  const mnemonics = new Set(lines.flat().filter(([, s]) => s.startsWith('keyword.other.mnemonic')).map(([t]) => t));
  for (const m of ['mov', 'ldr', 'svc', 'cbnz', 'cmn', 'b.hs', 'irg', 'st2g', 'str', 'addg', 'say']) assert.ok(mnemonics.has(m), m);
});
