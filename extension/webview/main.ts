/// <reference lib="dom" />
// The Memory Tag Inspector's webview script (bundled to dist/webview.js, runs in the webview's
// browser context). It renders a virtualised grid of allocation tags over a 1 MiB window, 16
// granules per row, and asks the extension host for tags one chunk at a time. Layout, colours and
// message checks live in extension/inspector/*.ts (unit-tested); this file is the DOM around them.
import {
  CHUNK_GRANULES, CHUNK_ROWS, GRANULE, GRANULES_PER_ROW, WINDOW_GRANULES, WINDOW_ROWS,
  chunksFor, granuleAddress, granuleIndex, hex, hexAddress, logicalTagOf, markersByGranule, navigate,
  scrollToReveal, untag as untagAddr, visibleRows, type NavKey, type PointerMarker,
} from '../inspector/layout';
import { tagClass } from '../inspector/colors';
import type { GranuleInfo, HostToWebview, InspectorState, WebviewToHost } from '../inspector/protocol';

interface VsCodeApi { postMessage(m: WebviewToHost): void; getState(): unknown; setState(s: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (m: WebviewToHost): void => vscode.postMessage(m);
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const viewport = $<HTMLDivElement>('viewport');
const spacer = $<HTMLDivElement>('spacer');
const addressBox = $<HTMLInputElement>('address');
const followBox = $<HTMLSelectElement>('follow');
const statusLine = $<HTMLSpanElement>('status');
const faultBanner = $<HTMLDivElement>('fault');
const details = $<HTMLDivElement>('details');
const pointerStrip = $<HTMLDivElement>('pointers');

let state: InspectorState | undefined;
let windowStart = 0n;
let rowHeight = 24;
let selected: number | undefined;
let markers = new Map<number, PointerMarker[]>();
let faultIndex: number | undefined;
let appliedReveal = -1;
/** Tag chunks by chunk index; `gen` is the generation they were read in (older ones are shown until replaced). */
const chunks = new Map<number, { gen: number; granules: GranuleInfo[] }>();
const pending = new Map<number, number>(); // chunk -> generation requested
const rendered = new Map<number, HTMLDivElement>();

// ---- rendering -------------------------------------------------------------------------------------

function infoAt(i: number): GranuleInfo | undefined {
  const c = chunks.get(Math.floor(i / CHUNK_GRANULES));
  return c?.granules[i % CHUNK_GRANULES];
}

function cellLabel(i: number, info: GranuleInfo | undefined, ms: PointerMarker[] | undefined): string {
  const a = hexAddress(granuleAddress(windowStart, i));
  const tag = info === undefined ? 'loading' : info.tag === null ? `no tag${info.note ? ` (${info.note})` : ''}` : `allocation tag ${hex(info.tag)}`;
  const ptr = (ms ?? []).map(m => `${m.register} points here with logical tag ${hex(m.logicalTag)}${info?.tag != null && info.tag !== m.logicalTag ? ' (mismatch)' : ''}`);
  return [a, tag, ...ptr, i === faultIndex ? 'fault address' : ''].filter(Boolean).join(', ');
}

function renderCell(i: number): HTMLDivElement {
  const info = infoAt(i);
  const cell = document.createElement('div');
  const ms = markers.get(i);
  const cls = ['cell', info ? tagClass(info.tag) : 'loading'];
  if (i === selected) cls.push('selected');
  if (i === faultIndex) cls.push('fault');
  if (ms) {
    cls.push('pointer');
    if (info && info.tag !== null && ms.some(m => m.logicalTag !== info.tag)) cls.push('mismatch');
  }
  cell.className = cls.join(' ');
  cell.id = `g${i}`;
  cell.dataset.i = String(i);
  cell.setAttribute('role', 'gridcell');
  cell.setAttribute('aria-label', cellLabel(i, info, ms));
  if (i === selected) cell.setAttribute('aria-selected', 'true');
  const t = document.createElement('span');
  t.className = 't';
  t.textContent = info === undefined ? '' : info.tag === null ? '–' : info.tag.toString(16).toUpperCase();
  cell.appendChild(t);
  if (ms) {
    const p = document.createElement('span');
    p.className = 'ptr';
    // "x20→5": the register and the logical tag it carries
    p.textContent = ms.map(m => m.register).join(',');
    cell.appendChild(p);
    cell.title = ms.map(m => `${m.register}: logical tag ${hex(m.logicalTag)}${info?.tag != null ? (info.tag === m.logicalTag ? ' = allocation tag' : ` ≠ allocation tag ${hex(info.tag)}`) : ''}`).join('\n');
  }
  if (i === faultIndex) {
    const f = document.createElement('span');
    f.className = 'fault-mark';
    f.textContent = '⚡';
    f.title = 'the faulting access';
    cell.appendChild(f);
  }
  return cell;
}

function renderRow(row: number): HTMLDivElement {
  const el = document.createElement('div');
  el.className = 'row';
  el.setAttribute('role', 'row');
  el.style.transform = `translateY(${row * rowHeight}px)`;
  el.dataset.row = String(row);
  const label = document.createElement('div');
  label.className = 'addr';
  label.setAttribute('role', 'rowheader');
  label.textContent = hexAddress(granuleAddress(windowStart, row * GRANULES_PER_ROW));
  el.appendChild(label);
  for (let k = 0; k < GRANULES_PER_ROW; k++) el.appendChild(renderCell(row * GRANULES_PER_ROW + k));
  return el;
}

let frame = 0;
function schedule(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => { frame = 0; render(false); });
}

/** Renders the visible rows; `all` re-renders rows that are already there too (data or marks changed). */
function render(all: boolean): void {
  const { first, last } = visibleRows(viewport.scrollTop, viewport.clientHeight, rowHeight);
  for (const [row, el] of rendered) {
    if (row < first || row >= last) { el.remove(); rendered.delete(row); }
  }
  for (let row = first; row < last; row++) {
    const old = rendered.get(row);
    if (old && !all) continue;
    const el = renderRow(row);
    if (old) old.replaceWith(el); else spacer.appendChild(el);
    rendered.set(row, el);
  }
  requestChunks(first, last);
  vscode.setState({ windowStart: hex(windowStart), scrollTop: viewport.scrollTop, selected });
}

function rerenderRows(rows: Iterable<number>): void {
  for (const row of rows) {
    const old = rendered.get(row);
    if (!old) continue;
    const el = renderRow(row);
    old.replaceWith(el);
    rendered.set(row, el);
  }
}

function requestChunks(first: number, last: number): void {
  if (!state || !state.session || state.session.state !== 'stopped') return;
  const gen = state.generation;
  for (const c of chunksFor(first, last)) {
    const have = chunks.get(c);
    if ((have && have.gen === gen) || pending.get(c) === gen) continue;
    pending.set(c, gen);
    post({ type: 'fetch', generation: gen, start: hex(granuleAddress(windowStart, c * CHUNK_GRANULES)), count: CHUNK_GRANULES });
  }
}

// ---- selection and details -------------------------------------------------------------------------

function select(i: number, reveal: boolean, center = false): void {
  const prev = selected;
  selected = Math.max(0, Math.min(WINDOW_GRANULES - 1, i));
  const row = Math.floor(selected / GRANULES_PER_ROW);
  if (reveal) {
    const top = scrollToReveal(row, viewport.scrollTop, viewport.clientHeight, rowHeight, center);
    if (top !== viewport.scrollTop) { viewport.scrollTop = top; render(false); }
  }
  const rows = new Set<number>([row]);
  if (prev !== undefined) rows.add(Math.floor(prev / GRANULES_PER_ROW));
  rerenderRows(rows);
  viewport.setAttribute('aria-activedescendant', `g${selected}`);
  showDetails();
}

function showDetails(): void {
  details.replaceChildren();
  if (selected === undefined) {
    details.append(p('Click a granule (or use the arrow keys) to see who set its tag.', 'hint'));
    return;
  }
  const i = selected;
  const a = granuleAddress(windowStart, i);
  const info = infoAt(i);
  const h = document.createElement('h2');
  h.textContent = `Granule ${hexAddress(a)} – ${hexAddress(a + BigInt(GRANULE - 1))}`;
  details.append(h);
  if (!info) { details.append(p('Reading…', 'hint')); return; }
  const tagLine = document.createElement('p');
  if (info.tag === null) tagLine.textContent = `No allocation tag${info.note ? `: ${info.note}` : ''}.`;
  else {
    const sw = document.createElement('span');
    sw.className = `swatch ${tagClass(info.tag)}`;
    tagLine.append('Allocation tag ', strong(hex(info.tag)), ' ', sw);
  }
  details.append(tagLine);
  for (const m of markers.get(i) ?? []) {
    const ok = info.tag === m.logicalTag;
    const line = p('', ok ? 'match' : 'mismatch');
    line.append(strong(m.register), ` points here with logical tag ${hex(m.logicalTag)}: `,
      ok ? 'matches, checked accesses through it succeed.' : 'MISMATCH: a checked load or store through it takes a tag check fault.');
    details.append(line);
  }
  if (i === faultIndex && state?.fault) details.append(p(state.fault.text, 'mismatch'));
  const pv = info.provenance;
  if (pv) {
    const line = document.createElement('p');
    line.append('Set by ', code(pv.instruction), ` at ${pv.pc}`, pv.source ? ` (${pv.source})` : '', `, step ${pv.step}`,
      `; previous tag ${hex(pv.previous)}`, pv.by !== 'instruction' ? ` (by the ${pv.by})` : '', '.');
    details.append(line);
    if (pv.by === 'instruction') {
      const b = button('Reverse-continue to this write', () => post({ type: 'reverseTo', address: hex(a), step: pv.step }));
      b.id = 'reverse';
      if (!state?.canReverse) { b.disabled = true; b.title = 'Reverse execution is off (historySize is 0) or the write is older than the history.'; }
      details.append(b);
    }
  } else if (info.tag !== null) {
    details.append(p('No recorded writer: the tag was set before the history started, by the kernel (fresh page, swap-in), or it was never written.', 'hint'));
  }
  if (info.tag !== null && state?.session?.state === 'stopped') {
    const wrap = document.createElement('div');
    wrap.className = 'edit';
    const sel = document.createElement('select');
    sel.id = 'newtag';
    sel.setAttribute('aria-label', 'New allocation tag');
    for (let t = 0; t < 16; t++) {
      const o = document.createElement('option');
      o.value = String(t);
      o.textContent = hex(t);
      if (t === info.tag) o.selected = true;
      sel.append(o);
    }
    wrap.append('Set allocation tag ', sel, ' ', button('Apply', () => post({ type: 'setTag', address: hex(a), tag: Number(sel.value) })));
    details.append(wrap);
  }
}

function p(text: string, cls?: string): HTMLParagraphElement { const e = document.createElement('p'); e.textContent = text; if (cls) e.className = cls; return e; }
function strong(text: string): HTMLElement { const e = document.createElement('strong'); e.textContent = text; return e; }
function code(text: string): HTMLElement { const e = document.createElement('code'); e.textContent = text; return e; }
function button(text: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement('button'); b.textContent = text; b.addEventListener('click', onClick); return b;
}

/** One chip per pointer register: where it points, its logical tag, the allocation tag there; click to go. */
function renderPointers(s: InspectorState): void {
  pointerStrip.replaceChildren();
  if (!s.registers.length) { pointerStrip.hidden = true; return; }
  pointerStrip.hidden = false;
  const title = document.createElement('span');
  title.className = 'strip-title';
  title.textContent = 'Pointers:';
  pointerStrip.append(title);
  for (const r of s.registers) {
    const v = BigInt(r.value);
    const lt = logicalTagOf(v);
    const chip = document.createElement('button');
    const known = r.allocationTag !== undefined;
    const ok = known && r.allocationTag === lt;
    chip.className = `chip ${known ? (ok ? 'ok' : 'bad') : 'untagged'}`;
    const name = document.createElement('strong');
    name.textContent = r.name;
    const tags = document.createElement('span');
    tags.className = 'chip-tags';
    tags.textContent = known ? `${lt.toString(16).toUpperCase()} ${ok ? '=' : '≠'} ${r.allocationTag!.toString(16).toUpperCase()}` : `${lt.toString(16).toUpperCase()}`;
    chip.append(name, tags);
    chip.title = `${r.name} = ${hex(v)}\nlogical tag ${hex(lt)}${known ? `, allocation tag at ${hex(untagAddr(v))}: ${hex(r.allocationTag!)} (${ok ? 'match' : 'MISMATCH'})` : ' (no allocation tags there: not PROT_MTE memory)'}\nclick to show it`;
    chip.addEventListener('click', () => post({ type: 'goto', text: hex(untagAddr(v)) }));
    pointerStrip.append(chip);
  }
}

// ---- host messages ---------------------------------------------------------------------------------

function applyState(s: InspectorState): void {
  const newStart = BigInt(s.windowStart);
  const moved = newStart !== windowStart || !state;
  state = s;
  if (moved) {
    windowStart = newStart;
    chunks.clear();
    pending.clear();
    for (const el of rendered.values()) el.remove();
    rendered.clear();
    selected = undefined;
  }
  const regs = s.registers.map(r => ({ name: r.name, value: BigInt(r.value) }));
  markers = markersByGranule(windowStart, regs);
  faultIndex = s.fault ? granuleIndex(windowStart, BigInt(s.fault.address)) : undefined;
  // follow register choices
  const cur = s.follow ?? '';
  followBox.replaceChildren(new Option('(none)', ''), ...regs.map(r => new Option(`${r.name}  ${hex(r.value)}  tag ${hex(logicalTagOf(r.value))}`, r.name)));
  followBox.value = regs.some(r => r.name === cur) ? cur : '';
  renderPointers(s);
  // status and fault banner
  const sess = s.session;
  statusLine.textContent = !sess ? 'No Tagvisor debug session.' : sess.state === 'running' ? `${sess.name}: running…` : `${sess.name}: paused${sess.reason ? ` (${sess.reason})` : ''}`;
  if (s.message) statusLine.textContent += ` — ${s.message}`;
  faultBanner.hidden = !s.fault;
  faultBanner.textContent = s.fault ? `⚡ ${s.fault.text}` : '';
  if (s.reveal && s.revealSeq !== appliedReveal) {
    appliedReveal = s.revealSeq;
    const i = granuleIndex(windowStart, BigInt(s.reveal));
    if (i !== undefined) {
      addressBox.value = hex(granuleAddress(windowStart, i));
      select(i, true, s.center ?? true);
    }
  }
  render(true);
  showDetails();
}

function applyTags(m: Extract<HostToWebview, { type: 'tags' }>): void {
  if (!state || m.generation < (state.generation ?? 0)) return;
  const start = BigInt(m.start);
  const first = granuleIndex(windowStart, start);
  if (first === undefined || first % CHUNK_GRANULES !== 0) return;
  const c = first / CHUNK_GRANULES;
  if (pending.get(c) === m.generation) pending.delete(c);
  if (m.error) { statusLine.textContent = m.error; }
  chunks.set(c, { gen: m.generation, granules: m.granules });
  const rows: number[] = [];
  for (let r = c * CHUNK_ROWS; r < (c + 1) * CHUNK_ROWS; r++) rows.push(r);
  rerenderRows(rows);
  if (selected !== undefined && Math.floor(selected / CHUNK_GRANULES) === c) showDetails();
}

window.addEventListener('message', (e: MessageEvent<HostToWebview>) => {
  const m = e.data;
  if (!m || typeof m !== 'object') return;
  if (m.type === 'state') applyState(m.state);
  else if (m.type === 'tags') applyTags(m);
  else if (m.type === 'error') statusLine.textContent = m.message;
});

// ---- user input ------------------------------------------------------------------------------------

viewport.addEventListener('scroll', schedule, { passive: true });
window.addEventListener('resize', schedule);
viewport.addEventListener('click', e => {
  const cell = (e.target as HTMLElement).closest<HTMLElement>('.cell');
  if (!cell) return;
  select(Number(cell.dataset.i), false);
  viewport.focus();
});
viewport.addEventListener('keydown', e => {
  const keys: NavKey[] = ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End'];
  if (keys.includes(e.key as NavKey)) {
    e.preventDefault();
    const pageRows = Math.max(1, Math.floor(viewport.clientHeight / rowHeight) - 1);
    const from = selected ?? Math.floor(viewport.scrollTop / rowHeight) * GRANULES_PER_ROW;
    select(navigate(from, e.key as NavKey, pageRows, e.ctrlKey || e.metaKey), true);
  } else if (e.key === 'Enter' && selected !== undefined) {
    e.preventDefault();
    (details.querySelector('button, select') as HTMLElement | null)?.focus();
  }
});
$('go').addEventListener('click', () => post({ type: 'goto', text: addressBox.value }));
addressBox.addEventListener('keydown', e => { if (e.key === 'Enter') post({ type: 'goto', text: addressBox.value }); });
followBox.addEventListener('change', () => post({ type: 'follow', register: followBox.value || null }));
$('refresh').addEventListener('click', () => post({ type: 'refresh' }));

// ---- start -------------------------------------------------------------------------------------------

function measure(): void {
  const probe = document.createElement('div');
  probe.className = 'row';
  probe.style.visibility = 'hidden';
  probe.append(renderCell(0));
  spacer.appendChild(probe);
  rowHeight = Math.max(16, Math.round(probe.getBoundingClientRect().height) || 24);
  probe.remove();
  spacer.style.height = `${WINDOW_ROWS * rowHeight}px`;
  document.documentElement.style.setProperty('--row-height', `${rowHeight}px`);
}

measure();
showDetails();
post({ type: 'ready' });
