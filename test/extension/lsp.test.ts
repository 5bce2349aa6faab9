// The guest assembly language server, spoken to over in-memory streams with real LSP messages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CompletionItem, DocumentSymbol, Hover, Location, MarkupContent, SemanticTokens, WorkspaceEdit } from 'vscode-languageserver/node';
import { LEGEND } from '../../extension/lsp/features';
import { startHarness, type Harness } from './lsp-harness';

const ROOT = join(import.meta.dirname, '..', '..');
const UAF_PATH = join(ROOT, 'examples', 'use-after-free.s');
const UAF = readFileSync(UAF_PATH, 'utf8');
const UAF_URI = pathToFileURL(UAF_PATH).href;
const UAF_LINES = UAF.split('\n');

/** 0-based position of the n-th occurrence of `needle` on the first line containing `lineHas`. */
function at(text: string, lineHas: string, needle: string, offset = 0): { line: number; character: number } {
  const lines = text.split('\n');
  const line = lines.findIndex(l => l.includes(lineHas));
  assert.ok(line >= 0, `no line contains ${lineHas}`);
  const character = lines[line].indexOf(needle);
  assert.ok(character >= 0, `line ${line + 1} has no ${needle}`);
  return { line, character: character + offset };
}
const hoverText = (h: Hover | null): string => (h ? (h.contents as MarkupContent).value : '');

let h: Harness;
before(async () => {
  // include files come from this map instead of the disk
  const virtualFiles: Record<string, string> = { '/virtual/defs.inc': '        .equ ANSWER, 42\nshared_label:\n        nop\n' };
  h = await startHarness({ readFile: p => virtualFiles[p] });
});
after(() => h.close());

test('initialize advertises the features', async () => {
  // a second harness to see the initialize result itself
  const h2 = await startHarness();
  const r = await h2.client.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} }) as { capabilities: Record<string, unknown> };
  for (const k of ['hoverProvider', 'completionProvider', 'definitionProvider', 'referencesProvider', 'documentSymbolProvider', 'semanticTokensProvider', 'renameProvider']) {
    assert.ok(r.capabilities[k], `missing ${k}`);
  }
  h2.close();
});

test('the example assembles without diagnostics', async () => {
  const d = await h.open(UAF_URI, UAF);
  assert.deepEqual(d.diagnostics, []);
});

test('diagnostics as you type: errors with exact ranges, then cleared when fixed', async () => {
  const uri = 'file:///virtual/typing.s';
  const bad = '_start:\n        foo x1, x2\n        add x1, x2, #99999\n        b nowhere\n';
  const d = await h.open(uri, bad);
  const byLine = new Map(d.diagnostics.map(x => [x.range.start.line, x]));
  assert.equal(d.diagnostics.length, 3, JSON.stringify(d.diagnostics));
  assert.match(byLine.get(1)!.message, /unknown instruction 'foo'/);
  assert.deepEqual(byLine.get(1)!.range, { start: { line: 1, character: 8 }, end: { line: 1, character: 11 } });
  assert.match(byLine.get(2)!.message, /out of range/);
  assert.equal(byLine.get(2)!.range.start.character, bad.split('\n')[2].indexOf('#99999'));
  assert.match(byLine.get(3)!.message, /undefined symbol 'nowhere'/);
  assert.deepEqual(byLine.get(3)!.range, { start: { line: 3, character: 10 }, end: { line: 3, character: 17 } });
  assert.equal(byLine.get(3)!.source, 'tagvisor-as');
  const fixed = await h.change(uri, 2, '_start:\n        mov x1, x2\n        add x1, x2, #9\n        b _start\n');
  assert.deepEqual(fixed.diagnostics, []);
});

test('errors inside a macro expansion point at the body and name the invocation', async () => {
  const uri = 'file:///virtual/macro.s';
  const src = '        .macro load_big reg\n        mov \\reg, #0x123456789\n        .endm\n_start:\n        load_big x3\n';
  const d = await h.open(uri, src);
  assert.equal(d.diagnostics.length, 1, JSON.stringify(d.diagnostics));
  const diag = d.diagnostics[0];
  assert.ok(diag.relatedInformation?.some(r => r.location.range.start.line === 4), JSON.stringify(diag));
});

test('errors in an included file are shown at the .include line', async () => {
  const uri = 'file:///virtual/inc.s';
  const src = '        .include "defs.inc"\n_start:\n        mov x0, #ANSWER\n        b shared_label\n';
  const d = await h.open(uri, src);
  assert.deepEqual(d.diagnostics, []);
  // definition of a symbol from the include goes into that file
  const defs = await h.client.sendRequest('textDocument/definition', { textDocument: { uri }, position: at(src, 'b shared_label', 'shared_label', 1) }) as Location[];
  assert.equal(defs.length, 1);
  assert.equal(defs[0].uri, 'file:///virtual/defs.inc');
  assert.equal(defs[0].range.start.line, 1);
  const bad = await h.open('file:///virtual/inc2.s', '        .include "missing.inc"\n');
  assert.equal(bad.diagnostics.length, 1);
  assert.equal(bad.diagnostics[0].range.start.line, 0);
});

test('hover on an MTE instruction shows syntax, encoding and tag semantics', async () => {
  const r = await h.client.sendRequest('textDocument/hover', { textDocument: { uri: UAF_URI }, position: at(UAF, 'irg     x20', 'irg', 1) }) as Hover;
  const text = hoverText(r);
  assert.match(text, /irg <Xd\|SP>, <Xn\|SP>/);
  assert.match(text, /Insert random tag/);
  assert.match(text, /GCR_EL1/);
  assert.match(text, /\| 31–21 \|/); // the encoding table
  assert.match(text, /Rm/);
  assert.deepEqual(r.range, { start: at(UAF, 'irg     x20', 'irg'), end: at(UAF, 'irg     x20', 'irg', 3) });
  const st2g = hoverText(await h.client.sendRequest('textDocument/hover', { textDocument: { uri: UAF_URI }, position: at(UAF, 'st2g    x20', 'st2g', 1) }) as Hover);
  assert.match(st2g, /allocation tag/i);
});

test('hover on b.<cond>, registers, numbers, labels and constants', async () => {
  const bhs = hoverText(await h.client.sendRequest('textDocument/hover', { textDocument: { uri: UAF_URI }, position: at(UAF, 'b.hs    fail', 'b.hs', 1) }) as Hover);
  assert.match(bhs, /b\.hs/);
  const x20 = hoverText(await h.client.sendRequest('textDocument/hover', { textDocument: { uri: UAF_URI }, position: at(UAF, 'irg     x20', 'x20', 1) }) as Hover);
  assert.match(x20, /X20/);
  assert.match(x20, /logical tag/);
  const fail = hoverText(await h.client.sendRequest('textDocument/hover', { textDocument: { uri: UAF_URI }, position: at(UAF, 'cbnz    x0, fail', 'fail', 1) }) as Hover);
  assert.match(fail, /fail.*\.text.*0x4/);
  const mte = hoverText(await h.client.sendRequest('textDocument/hover', { textDocument: { uri: UAF_URI }, position: at(UAF, '.equ PROT_MTE', 'PROT_MTE', 1) }) as Hover);
  assert.match(mte, /constant = `32` \(`0x20`\)/);
  const num = hoverText(await h.client.sendRequest('textDocument/hover', { textDocument: { uri: UAF_URI }, position: at(UAF, 'mov     x1, #0x1234', '0x1234', 1) }) as Hover);
  assert.match(num, /`4660`/);
});

test('hover on system registers: EL0 access and MTE meaning', async () => {
  const uri = 'file:///virtual/sys.s';
  const src = '_start:\n        mrs x0, tpidr_el0\n        msr tco, #1\n        mrs x1, gcr_el1\n        mrs x2, id_aa64pfr1_el1\n';
  await h.open(uri, src);
  const tp = hoverText(await h.client.sendRequest('textDocument/hover', { textDocument: { uri }, position: at(src, 'tpidr_el0', 'tpidr', 2) }) as Hover);
  assert.match(tp, /TPIDR_EL0/);
  assert.match(tp, /op0=3, op1=3, CRn=13, CRm=0, op2=2/);
  assert.match(tp, /thread pointer/);
  const tco = hoverText(await h.client.sendRequest('textDocument/hover', { textDocument: { uri }, position: at(src, 'msr tco', 'tco', 1) }) as Hover);
  assert.match(tco, /tag check/i);
  const gcr = hoverText(await h.client.sendRequest('textDocument/hover', { textDocument: { uri }, position: at(src, 'gcr_el1', 'gcr', 1) }) as Hover);
  assert.match(gcr, /Not accessible at EL0/);
  assert.match(gcr, /Exclude/);
  const pfr1 = hoverText(await h.client.sendRequest('textDocument/hover', { textDocument: { uri }, position: at(src, 'id_aa64pfr1_el1', 'id_', 1) }) as Hover);
  assert.match(pfr1, /0x300/); // MTE = 3
});

test('completion: mnemonics and directives at the start of a statement', async () => {
  const uri = 'file:///virtual/complete.s';
  const src = '_start:\n        st\n        .eq\nlbl:    mov x0, x\n        mrs x0, tpi\n        msr \n        add x0, x1, x2, \n        b _s\n';
  await h.open(uri, src);
  const labels = async (pos: { line: number; character: number }): Promise<string[]> =>
    ((await h.client.sendRequest('textDocument/completion', { textDocument: { uri }, position: pos })) as CompletionItem[]).map(i => i.label);
  const mn = await labels({ line: 1, character: 10 });
  for (const m of ['st2g', 'stg', 'stzg', 'irg', 'ldr', 'b.eq']) assert.ok(mn.includes(m), m);
  assert.ok(mn.includes('.macro'));
  assert.ok(!mn.includes('x0'));
  const dirs = await labels({ line: 2, character: 11 });
  assert.ok(dirs.includes('.equ') && dirs.includes('.quad') && dirs.includes('.p2align'));
  assert.ok(!dirs.includes('irg'));
  const regs = await labels({ line: 3, character: 17 });
  assert.ok(regs.includes('x19') && regs.includes('xzr') && regs.includes('sp'));
  assert.ok(regs.includes('_start') && regs.includes('lbl'), 'labels complete in operands');
  assert.ok(!regs.includes('irg'));
  const sys = await labels({ line: 4, character: 19 });
  assert.ok(sys.includes('tpidr_el0') && sys.includes('gcr_el1') && sys.includes('rgsr_el1'));
  const msr = await labels({ line: 5, character: 12 });
  assert.ok(msr.includes('tco') && msr.includes('tpidr_el0'));
  const shifts = await labels({ line: 6, character: 24 });
  assert.ok(shifts.includes('lsl') && shifts.includes('uxtw'));
  const resolved = await h.client.sendRequest('completionItem/resolve', { label: 'stg', data: { k: 'mnemonic', name: 'stg' } }) as CompletionItem;
  assert.match((resolved.documentation as MarkupContent).value, /allocation tag/i);
});

test('completion inside a macro body offers its parameters', async () => {
  const uri = 'file:///virtual/mparams.s';
  const src = '        .macro say msg, len\n        adr x1, \\\n        .endm\n';
  await h.open(uri, src);
  const items = await h.client.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 1, character: 17 } }) as CompletionItem[];
  assert.deepEqual(items.map(i => i.label).sort(), ['\\len', '\\msg']);
});

test('go to definition and references of labels, constants, macros and local labels', async () => {
  const def = await h.client.sendRequest('textDocument/definition', { textDocument: { uri: UAF_URI }, position: at(UAF, 'cbnz    x0, fail', 'fail', 2) }) as Location[];
  assert.deepEqual(def.map(d => [d.uri, d.range.start.line, d.range.start.character]), [[UAF_URI, UAF_LINES.findIndex(l => l.startsWith('fail:')), 0]]);
  const refs = await h.client.sendRequest('textDocument/references', {
    textDocument: { uri: UAF_URI }, position: at(UAF, 'cbnz    x0, fail', 'fail', 2), context: { includeDeclaration: true },
  }) as Location[];
  assert.equal(refs.length, 3); // cbnz, b.hs and the definition
  const constRefs = await h.client.sendRequest('textDocument/references', {
    textDocument: { uri: UAF_URI }, position: at(UAF, '.equ SYS_write', 'SYS_write', 1), context: { includeDeclaration: false },
  }) as Location[];
  assert.equal(constRefs.length, 1); // used once, in the macro body
  const macroDef = await h.client.sendRequest('textDocument/definition', { textDocument: { uri: UAF_URI }, position: at(UAF, 'say     msg_alloc', 'say', 1) }) as Location[];
  assert.equal(macroDef[0].range.start.line, UAF_LINES.findIndex(l => l.includes('.macro say')));
  const macroRefs = await h.client.sendRequest('textDocument/references', {
    textDocument: { uri: UAF_URI }, position: at(UAF, '.macro say', 'say', 1), context: { includeDeclaration: false },
  }) as Location[];
  assert.equal(macroRefs.length, 4);

  const uri = 'file:///virtual/local.s';
  const src = '_start:\n1:      subs x0, x0, #1\n        b.ne 1b\n        cbz x1, 1f\n        nop\n1:      ret\n';
  await h.open(uri, src);
  const back = await h.client.sendRequest('textDocument/definition', { textDocument: { uri }, position: { line: 2, character: 14 } }) as Location[];
  assert.equal(back[0].range.start.line, 1);
  const fwd = await h.client.sendRequest('textDocument/definition', { textDocument: { uri }, position: { line: 3, character: 17 } }) as Location[];
  assert.equal(fwd[0].range.start.line, 5);
});

test('rename a label updates every use; registers cannot be renamed', async () => {
  const edit = await h.client.sendRequest('textDocument/rename', { textDocument: { uri: UAF_URI }, position: at(UAF, 'cbnz    x0, fail', 'fail', 1), newName: 'setup_failed' }) as WorkspaceEdit;
  const edits = edit.changes![UAF_URI];
  assert.equal(edits.length, 3);
  assert.ok(edits.every(e => e.newText === 'setup_failed'));
  await assert.rejects(h.client.sendRequest('textDocument/rename', { textDocument: { uri: UAF_URI }, position: at(UAF, 'irg     x20', 'x20', 1), newName: 'y' }), /Only labels/);
});

test('document symbols: sections with their labels, constants and macros', async () => {
  const syms = await h.client.sendRequest('textDocument/documentSymbol', { textDocument: { uri: UAF_URI } }) as DocumentSymbol[];
  const text = syms.find(s => s.name === '.text')!;
  assert.ok(text, JSON.stringify(syms.map(s => s.name)));
  assert.deepEqual(text.children!.map(c => c.name), ['_start', 'fail']);
  assert.equal(text.children![0].kind, 12 /* Function: .type _start, %function */);
  assert.equal(text.children![0].detail, '0x401000');
  const ro = syms.find(s => s.name === '.rodata')!;
  assert.deepEqual(ro.children!.map(c => c.name), ['msg_alloc', 'msg_free', 'msg_unreachable', 'msg_fail']);
  assert.ok(syms.some(s => s.name === 'PROT_MTE' && s.kind === 14 /* Constant */ && s.detail === 'constant = 32'));
  assert.ok(syms.some(s => s.name === 'say' && s.detail === 'macro msg, len'));
});

test('semantic tokens classify mnemonics, registers, system registers, labels and constants', async () => {
  const uri = 'file:///virtual/sem.s';
  const src = '        .equ K, 3\n        .type f, %function\nf:      mrs x0, tco\n        add x0, x0, #K\n        b f\n';
  await h.open(uri, src);
  const r = await h.client.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri } }) as SemanticTokens;
  const toks: { line: number; char: number; len: number; type: string; mods: string[] }[] = [];
  let line = 0, char = 0;
  for (let i = 0; i < r.data.length; i += 5) {
    line += r.data[i];
    char = r.data[i] === 0 ? char + r.data[i + 1] : r.data[i + 1];
    toks.push({ line, char, len: r.data[i + 2], type: LEGEND.tokenTypes[r.data[i + 3]], mods: LEGEND.tokenModifiers.filter((_, b) => r.data[i + 4] & (1 << b)) });
  }
  const find = (ln: number, text: string) => {
    const c = src.split('\n')[ln].indexOf(text);
    return toks.find(t => t.line === ln && t.char === c && t.len === text.length);
  };
  assert.deepEqual(find(0, 'K'), { line: 0, char: 13, len: 1, type: 'variable', mods: ['declaration', 'readonly'] });
  assert.equal(find(2, 'f')!.type, 'function');
  assert.deepEqual(find(2, 'f')!.mods, ['declaration']);
  assert.equal(find(2, 'mrs')!.type, 'keyword');
  assert.equal(find(2, 'x0')!.type, 'variable');
  assert.equal(find(2, 'tco')!.type, 'property');
  assert.equal(find(3, 'K')!.type, 'variable');
  assert.equal(find(4, 'f')!.type, 'function');
  assert.equal(find(0, '.equ')!.type, 'macro');
});

test('.S files: preprocessor lines are not comments, #define names are symbols', async () => {
  const uri = 'file:///virtual/pp.S';
  const src = '#define COUNT 4\n_start:\n        mov x0, #COUNT   // four\n';
  const d = await h.open(uri, src);
  assert.deepEqual(d.diagnostics, []);
  const def = await h.client.sendRequest('textDocument/definition', { textDocument: { uri }, position: at(src, 'mov x0', 'COUNT', 1) }) as Location[];
  assert.equal(def[0].range.start.line, 0);
  const bad = await h.open('file:///virtual/pp2.s', '#define COUNT 4\n_start: mov x0, #COUNT\n');
  assert.equal(bad.diagnostics.length, 1, 'in .s files # lines are comments, so COUNT is undefined');
});
