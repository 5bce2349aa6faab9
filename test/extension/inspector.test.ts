// The Memory Tag Inspector's pure parts: geometry and virtualisation, keyboard navigation, address
// parsing, colours, the webview message checks, and reading the adapter's answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CHUNK_GRANULES, WINDOW_BYTES, WINDOW_GRANULES, WINDOW_ROWS, chunksFor, granuleIndex, granuleAddress, inWindow,
  isPointerLike, logicalTagOf, markersByGranule, navigate, parseAddress, scrollToReveal, untag, visibleRows, windowAround, hexAddress,
} from '../../extension/inspector/layout';
import { TAG_COLOR_VARS, fillPercent, tagClass, tagColorVar, tagStyleSheet, themeKindOf } from '../../extension/inspector/colors';
import { parseFromWebview, MAX_FETCH_GRANULES } from '../../extension/inspector/protocol';
import { allRegisters, faultFromExceptionInfo, granulesFromReadTags, pointerRegisters, valueOf } from '../../extension/inspector/dap';

test('the window is 1 MiB, row aligned, centred on the address and clamped to user space', () => {
  assert.equal(WINDOW_BYTES, 1 << 20);
  assert.equal(WINDOW_ROWS, 4096);
  assert.equal(WINDOW_GRANULES, 65536);
  const a = 0x0500_ffff_8000_1238n; // tagged pointer
  const w = windowAround(a);
  assert.equal(w % 256n, 0n);
  assert.ok(inWindow(w, a));
  const off = untag(a) - w;
  assert.ok(off >= BigInt(WINDOW_BYTES / 2) && off < BigInt(WINDOW_BYTES / 2) + 256n, `offset ${off}`);
  assert.equal(windowAround(0x1000n), 0n);
  assert.equal(windowAround((1n << 48n) - 16n), (1n << 48n) - BigInt(WINDOW_BYTES));
  assert.equal(granuleIndex(w, w + 0x35n), 3);
  assert.equal(granuleIndex(w, w + BigInt(WINDOW_BYTES)), undefined);
  assert.equal(granuleAddress(w, 3), w + 0x30n);
  assert.equal(hexAddress(0x4000n), '0x000000004000');
});

test('virtualisation renders only the visible rows plus overscan', () => {
  assert.deepEqual(visibleRows(0, 480, 24, 8), { first: 0, last: 28 });
  assert.deepEqual(visibleRows(24 * 1000, 480, 24, 8), { first: 992, last: 1028 });
  assert.deepEqual(visibleRows(24 * 4095, 480, 24, 8), { first: 4087, last: 4096 });
  assert.deepEqual(visibleRows(NaN, 480, 24), { first: 0, last: 0 });
  // every row of the 1 MiB window is reachable and each frame renders a bounded number of rows
  let maxRows = 0;
  for (let top = 0; top <= 24 * 4096; top += 24 * 37) {
    const r = visibleRows(top, 600, 24, 8);
    maxRows = Math.max(maxRows, r.last - r.first);
  }
  assert.ok(maxRows <= 600 / 24 + 17, `rendered ${maxRows} rows`);
  assert.deepEqual(chunksFor(0, 28), [0]);
  assert.deepEqual(chunksFor(60, 70), [0, 1]);
  assert.equal(CHUNK_GRANULES, 1024);
});

test('scrolling reveals a row only when needed, or centres it', () => {
  assert.equal(scrollToReveal(10, 0, 480, 24), 0);
  assert.equal(scrollToReveal(30, 0, 480, 24), 30 * 24 + 24 - 480);
  assert.equal(scrollToReveal(2, 240, 480, 24), 48);
  assert.equal(scrollToReveal(100, 0, 480, 24, true), 100 * 24 - 228);
});

test('keyboard navigation moves by granule, row and page and stays in the window', () => {
  assert.equal(navigate(17, 'ArrowLeft', 10), 16);
  assert.equal(navigate(17, 'ArrowRight', 10), 18);
  assert.equal(navigate(17, 'ArrowUp', 10), 1);
  assert.equal(navigate(17, 'ArrowDown', 10), 33);
  assert.equal(navigate(17, 'PageDown', 10), 177);
  assert.equal(navigate(17, 'PageUp', 10), 0);
  assert.equal(navigate(17, 'Home', 10), 16);
  assert.equal(navigate(17, 'End', 10), 31);
  assert.equal(navigate(17, 'End', 10, true), WINDOW_GRANULES - 16 + 1);
  assert.equal(navigate(WINDOW_GRANULES - 1, 'ArrowRight', 10), WINDOW_GRANULES - 1);
  assert.equal(navigate(0, 'ArrowUp', 10), 0);
});

test('address box: hex, decimal, separators; anything else goes to the debugger', () => {
  assert.equal(parseAddress('0x4000_1000'), 0x4000_1000n);
  assert.equal(parseAddress(" 0x0500'ffff'0000'0010 "), 0x0500_ffff_0000_0010n);
  assert.equal(parseAddress('4096'), 4096n);
  assert.equal(parseAddress('ffff80001000'), 0xffff_8000_1000n);
  assert.equal(parseAddress('x20'), undefined);
  assert.equal(parseAddress('x20 + 16'), undefined);
  assert.equal(parseAddress('0x' + 'f'.repeat(17)), undefined);
  assert.equal(parseAddress('12345'), 12345n);
});

test('pointer markers: logical tags, shared granules, and what counts as a pointer', () => {
  const w = 0x4000_0000n;
  const m = markersByGranule(w, [
    { name: 'x20', value: 0x0500_0000_4000_0010n },
    { name: 'x21', value: 0x0600_0000_4000_001fn },
    { name: 'x1', value: 0x1234n },
  ]);
  assert.deepEqual(m.get(1), [{ register: 'x20', index: 1, logicalTag: 5 }, { register: 'x21', index: 1, logicalTag: 6 }]);
  assert.equal(m.size, 1);
  assert.equal(logicalTagOf(0x0f00_0000_0000_0000n), 15);
  assert.ok(isPointerLike(0x0500_ffff_0000_0000n));
  assert.ok(!isPointerLike(0x10n));
  assert.ok(!isPointerLike(0xffff_ffff_ffff_fff0n & ((1n << 56n) - 1n)));
});

test('tag colours are theme variables, one per tag, with a style sheet for every theme kind', () => {
  assert.equal(TAG_COLOR_VARS.length, 16);
  assert.equal(new Set(TAG_COLOR_VARS).size, 16);
  for (const v of TAG_COLOR_VARS) assert.match(v, /^--vscode-[A-Za-z0-9.-]+$/);
  assert.equal(tagColorVar(1), '--vscode-terminal-ansiRed');
  assert.throws(() => tagColorVar(16), /not a 4-bit/);
  assert.equal(tagClass(10), 'tag-a');
  assert.equal(tagClass(null), 'tag-none');
  const css = tagStyleSheet();
  for (let t = 0; t < 16; t++) assert.ok(css.includes(`.tag-${t.toString(16)} {`), `tag ${t}`);
  for (const k of ['light', 'dark', 'high-contrast', 'high-contrast-light']) assert.ok(css.includes(`body.vscode-${k} {`), k);
  assert.ok(!/https?:/.test(css), 'no remote resources');
  assert.equal(themeKindOf(['vscode-body', 'vscode-high-contrast']), 'high-contrast');
  assert.equal(themeKindOf(['vscode-light']), 'light');
  assert.ok(fillPercent('high-contrast') < fillPercent('dark'));
});

test('messages from the webview are checked before the host acts on them', () => {
  assert.deepEqual(parseFromWebview({ type: 'fetch', generation: 3, start: '0x4000', count: 1024 }), { type: 'fetch', generation: 3, start: '0x4000', count: 1024 });
  assert.equal(parseFromWebview({ type: 'fetch', generation: 3, start: '0x4000', count: MAX_FETCH_GRANULES + 1 }), undefined);
  assert.equal(parseFromWebview({ type: 'fetch', generation: 3, start: '16384', count: 4 }), undefined);
  assert.equal(parseFromWebview({ type: 'setTag', address: '0x10', tag: 16 }), undefined);
  assert.deepEqual(parseFromWebview({ type: 'setTag', address: '0x10', tag: 15 }), { type: 'setTag', address: '0x10', tag: 15 });
  assert.equal(parseFromWebview({ type: 'follow', register: 'x0; rm -rf' }), undefined);
  assert.deepEqual(parseFromWebview({ type: 'follow', register: null }), { type: 'follow', register: null });
  assert.equal(parseFromWebview({ type: 'goto', text: 'x'.repeat(201) }), undefined);
  assert.equal(parseFromWebview({ type: 'reverseTo', address: '0x10', step: -1 }), undefined);
  assert.equal(parseFromWebview({ type: 'nope' }), undefined);
  assert.equal(parseFromWebview(null), undefined);
  assert.equal(parseFromWebview('ready'), undefined);
});

test('reading the adapter: register values, pointer registers, the fault, tags with provenance', () => {
  assert.equal(valueOf('0x0500ffff00001000'), 0x0500_ffff_0000_1000n);
  assert.equal(valueOf('0x1000 (tag 0x5)'), 0x1000n);
  assert.equal(valueOf('42'), 42n);
  assert.equal(valueOf('{...}'), undefined);
  const vars = [
    { name: 'x0', value: '0x0' }, { name: 'x19', value: '0x0000ffff80000000' }, { name: 'x20', value: '0x0a00ffff80000000' },
    { name: 'sp', value: '0x0000fffffffff000' }, { name: 'pc', value: '0x401040' }, { name: 'nzcv', value: '0x60000000' },
  ];
  assert.deepEqual(pointerRegisters(vars).map(r => r.name), ['x19', 'x20', 'sp']);
  assert.deepEqual(allRegisters(vars).map(r => r.name), ['x0', 'x19', 'x20', 'sp']);
  const f = faultFromExceptionInfo({ exceptionId: 'tag-check-sync', description: 'Tag check fault (sync, load): logical tag 0xa, allocation tag 0xb at 0x0a00ffff80000008' });
  assert.deepEqual(f, { address: '0xa00ffff80000008', logicalTag: 10, allocationTag: 11, text: 'Tag check fault (sync, load): logical tag 0xa, allocation tag 0xb at 0x0a00ffff80000008' });
  assert.equal(faultFromExceptionInfo({ exceptionId: 'signal', description: 'SIGILL (ILL_ILLOPC)' }), undefined);
  const g = granulesFromReadTags({
    address: '0xffff80000000', count: 3, granuleSize: 16, tags: [10, null, 0],
    sets: [{ pc: '0x40104c', instruction: 'st2g    x20, [x20]', step: 17, previous: 0, tag: 10, by: 'instruction' }, null, null],
  }, 3);
  assert.deepEqual(g[0], { tag: 10, provenance: { pc: '0x40104c', instruction: 'st2g x20, [x20]', step: 17, previous: 0, by: 'instruction' } });
  assert.equal(g[1].tag, null);
  assert.match(g[1].note!, /no tag storage/);
  assert.deepEqual(g[2], { tag: 0 });
  assert.throws(() => granulesFromReadTags({ nope: 1 }, 1), /without a "tags" list/);
  // the adapter's column form: hex digits, writers, base64 setBy/steps, previous digits
  const cols = granulesFromReadTags({
    address: '0x1000', count: 3, granuleSize: 16, logicalTag: 0, tags: 'a-0',
    writers: [{ pc: '0x40104c', instruction: 'st2g    x20, [x20]', by: 'instruction' }],
    setBy: Buffer.from(new Int16Array([0, -1, -1]).buffer).toString('base64'), setByBits: 16,
    steps: Buffer.from(new Uint32Array([17, 0, 0]).buffer).toString('base64'), stepBits: 32,
    previous: '3--',
  }, 3);
  assert.deepEqual(cols[0], { tag: 10, provenance: { pc: '0x40104c', instruction: 'st2g x20, [x20]', step: 17, previous: 3, by: 'instruction' } });
  assert.equal(cols[1].tag, null);
  assert.deepEqual(cols[2], { tag: 0 });
});
