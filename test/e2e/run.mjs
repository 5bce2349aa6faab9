#!/usr/bin/env node
// End-to-end test of the Tagvisor extension in the real VS Code (code-server 4.100.3 = VS Code
// 1.100.3), headless, driven through Debian's chromium by playwright-core.
//
//   bash test/e2e/install.sh     # once (idempotent): code-server, chromium, playwright-core
//   node test/e2e/run.mjs        # packages the VSIX (npm run package), installs it, runs the checks
//
// What it does, as a person would: opens a copy of examples/ as the workspace, opens
// use-after-free.s (language mode, a hover from the language server), presses F5 (no launch.json: the
// extension's configuration provider debugs the active file, stopping on entry), checks the
// Variables view (registers, pointers with their tags), continues into the tag check fault (the
// "Tag check fault (sync)" exception breakpoint), checks the Memory Tag Inspector that opens on the
// fault (grid, fault granule, pointer markers, provenance), reverse-continues to the tag write from the
// inspector, edits a tag there, steps into a chosen call (Step Into Target), runs hypervisor commands
// (swap out, migrate) and checks that the Variables view follows each change, and stops.
//
// Env: TAGVISOR_E2E_DIR (install.sh's dir, shared), VSIX (skip packaging), OUT_DIR (default
// $TAGVISOR_E2E_DIR/screenshots/<checkout>-<hash>), KEEP=1 (keep the run dir).
// Prints one line per check and `e2e: N passed, N failed`; the exit code is 0 only if all passed.
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIR = process.env.TAGVISOR_E2E_DIR || '/tmp/tagvisor-e2e';
const CODE_SERVER = path.join(DIR, 'bin/code-server');
// $DIR is shared by every checkout on the machine (one install); what a run writes is its own: a
// fresh run directory (mkdtemp below) and screenshots in a folder named after this checkout.
const CHECKOUT_ID = `${path.basename(ROOT)}-${createHash('sha1').update(ROOT).digest('hex').slice(0, 8)}`;
const OUT_DIR = process.env.OUT_DIR || path.join(DIR, 'screenshots', CHECKOUT_ID);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const t0 = Date.now();
const secs = () => ((Date.now() - t0) / 1000).toFixed(1);
const log = (m) => console.log(`[${secs()}s] ${m}`);
let passed = 0, failed = 0;
function check(name, ok, detail = '') {
  if (ok) { passed++; console.log(`ok   - ${name}`); } else { failed++; console.log(`FAIL - ${name}${detail ? ': ' + String(detail).slice(0, 600) : ''}`); }
  return ok;
}

if (!fs.existsSync(CODE_SERVER) || !fs.existsSync(path.join(DIR, 'tools/node_modules/playwright-core'))) {
  console.log(`FAIL - e2e harness missing in ${DIR}: run bash test/e2e/install.sh first`);
  console.log('e2e: 0 passed, 1 failed');
  process.exit(1);
}
const require = createRequire(path.join(DIR, 'tools/'));
const { chromium } = require('playwright-core');

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  s.on('error', reject);
});
async function waitHttp(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try { const r = await fetch(url); if (r.ok) return; } catch { /* not yet */ }
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error(`timeout waiting for ${url}`);
}
/** The remote extension host logs this once the eager extensions are activated; F5 before it does nothing. */
async function waitExtHost(userData, ms) {
  const end = Date.now() + ms;
  const logs = path.join(userData, 'logs');
  while (Date.now() < end) {
    for (const d of fs.existsSync(logs) ? fs.readdirSync(logs) : []) {
      const f = path.join(logs, d, 'exthost1', 'remoteexthost.log');
      if (fs.existsSync(f) && fs.readFileSync(f, 'utf8').includes('Eager extensions activated')) return true;
    }
    await new Promise(r => setTimeout(r, 200));
  }
  return false;
}
function extHostLog(userData) {
  const logs = path.join(userData, 'logs');
  let out = '';
  for (const d of fs.existsSync(logs) ? fs.readdirSync(logs) : []) {
    const f = path.join(logs, d, 'exthost1', 'remoteexthost.log');
    if (fs.existsSync(f)) out += fs.readFileSync(f, 'utf8');
  }
  return out;
}

// ---- VS Code UI helpers ----
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Opens the quick input (F1) and types `text` into it ('>' + a command, or a file name for Go to File). */
async function quickInput(page, text) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await page.keyboard.press('F1');
  if (!await input.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false)) {
    // F1 went somewhere that keeps it (seen once, focus unknown): take the focus back and ask again
    log(`F1 did not open the command palette (focus: ${await page.evaluate(() => document.activeElement?.className ?? '')}); retrying`);
    await page.evaluate(() => { const a = document.activeElement; if (a instanceof HTMLElement) a.blur(); });
    await page.keyboard.press('Control+Shift+P');
    await input.waitFor({ state: 'visible', timeout: 10000 });
  }
  await input.fill(text);
}
async function runCommand(page, label, match) {
  await quickInput(page, '>' + label);
  const row = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: match ?? new RegExp(`^${escapeRe(label)}$`) }) }).first();
  await row.waitFor({ state: 'visible', timeout: 10000 });
  await row.click();
}
const pane = (page, title) => page.locator('.pane', { has: page.locator(`.pane-header[aria-label="${title} Section"]`) });
const paneRows = (page, title) => pane(page, title).locator('.monaco-list-row');
const rowsOf = (page, title) => paneRows(page, title).evaluateAll(rs => rs.map(r => ({
  label: r.getAttribute('aria-label') ?? '', text: r.textContent.trim(), expanded: r.getAttribute('aria-expanded'), level: Number(r.getAttribute('aria-level')),
  name: r.querySelector('.label-name')?.textContent.trim() ?? '', desc: r.querySelector('.label-description')?.textContent.trim() ?? '',
})));
/** Every row of a (virtualised) view: scroll it with the mouse wheel, collecting the rows as they render. */
async function allRowsOf(page, title) {
  const seen = new Map();
  const list = pane(page, title).locator('.monaco-list').first();
  const box = await list.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + Math.min(40, box.height / 2));
  for (let i = 0; i < 15; i++) await page.mouse.wheel(0, -600); // to the top
  await page.waitForTimeout(150);
  for (let i = 0; i < 40; i++) {
    const before = seen.size;
    for (const r of await rowsOf(page, title)) seen.set(r.label, r);
    if (i > 1 && seen.size === before) break;
    await page.mouse.wheel(0, 120);
    await page.waitForTimeout(80);
  }
  for (let i = 0; i < 15; i++) await page.mouse.wheel(0, -600);
  return [...seen.values()];
}
/** A row of a view: `what` is a RegExp on its text or a string its aria-label starts with. */
const rowOf = (page, title, what) => typeof what === 'string'
  ? pane(page, title).locator(`.monaco-list-row[aria-label^="${what.replace(/["\\]/g, '\\$&')}"]`).first()
  : paneRows(page, title).filter({ hasText: what }).first();
/** Scrolls a virtualised view (mouse wheel, from its top) until the row `what` (see rowOf) is rendered. */
async function revealRow(page, title, what) {
  const row = rowOf(page, title, what);
  const box = await pane(page, title).locator('.monaco-list').first().boundingBox();
  if (!await row.count()) {
    // to the top (one huge wheel delta is not always taken: go up in steps until the first row shows)
    await page.mouse.move(box.x + box.width / 2, box.y + Math.min(40, box.height / 2));
    const first = pane(page, title).locator('.monaco-list-row[data-index="0"]');
    for (let i = 0; i < 30 && !(await first.count()); i++) { await page.mouse.wheel(0, -600); await page.waitForTimeout(50); }
    await page.waitForTimeout(100);
    for (let i = 0; i < 40 && !(await row.count()); i++) { await page.mouse.wheel(0, 120); await page.waitForTimeout(80); }
    await row.waitFor({ timeout: 5000 });
  }
  // rendered is not enough: bring it inside the list's viewport
  for (let i = 0; i < 20; i++) {
    const rb = await row.boundingBox();
    if (!rb) break;
    if (rb.y < box.y) await page.mouse.wheel(0, -22);
    else if (rb.y + rb.height > box.y + box.height) await page.mouse.wheel(0, 22);
    else break;
    await page.waitForTimeout(80);
  }
  return row;
}
async function expandRow(page, title, re) {
  const row = paneRows(page, title).filter({ hasText: re }).first();
  await row.waitFor({ timeout: 15000 });
  if (await row.getAttribute('aria-expanded') === 'false') await row.click();
  return row;
}
/** Expands a scope (or any row) of the Variables view, scrolling to it first. */
async function expandVar(page, what) {
  const row = await revealRow(page, 'Variables', what);
  if (await row.getAttribute('aria-expanded') === 'false') await row.click();
  return row;
}
/**
 * The value of the Variables row `name` (its aria-label is "NAME, value VALUE"), polled until
 * `want(value)` holds or `ms` pass; '' when the row is not there.
 */
async function varValue(page, name, want = () => true, ms = 8000) {
  const prefix = `${name}, value `;
  const end = Date.now() + ms;
  for (;;) {
    const row = await revealRow(page, 'Variables', prefix).catch(() => null);
    const label = row ? await row.getAttribute('aria-label', { timeout: 1000 }).catch(() => null) : null;
    const v = label?.startsWith(prefix) ? label.slice(prefix.length) : '';
    if ((v && want(v)) || Date.now() > end) return v;
    await page.waitForTimeout(250);
  }
}
/** Right-click a row and pick an entry of its context menu (code-server draws the menu in HTML). */
async function contextMenu(page, row, item) {
  await row.click({ button: 'right' });
  const menu = page.locator('.context-view .monaco-menu');
  const entry = menu.locator('.action-item', { has: page.locator('.action-label', { hasText: item }) }).first();
  await entry.waitFor({ timeout: 5000 });
  // a mouse click right after the menu opens is not always taken: point at the entry and press Enter
  await entry.hover();
  await page.waitForFunction((t) => [...document.querySelectorAll('.context-view .monaco-menu .action-item.focused .action-label')].some(e => e.textContent.trim() === t), item, { timeout: 3000 }).catch(() => {});
  await page.keyboard.press('Enter');
  if (!await menu.waitFor({ state: 'detached', timeout: 3000 }).then(() => true, () => false)) {
    await entry.click().catch(() => {});
    await menu.waitFor({ state: 'detached', timeout: 3000 }).catch(() => page.keyboard.press('Escape'));
  }
}
/** Evaluates `expr` in the Debug Console (context "repl", as a user types it) and returns the result row's text. */
async function consoleEval(page, expr) {
  await runCommand(page, 'Debug: Focus on Debug Console View', /Focus on Debug Console View$/);
  await page.locator('.repl-input-wrapper .monaco-editor.focused').waitFor({ timeout: 5000 });
  const rows = page.locator('.repl .monaco-list-row');
  const lastIndex = async () => Math.max(-1, ...(await rows.evaluateAll(rs => rs.map(r => Number(r.getAttribute('data-index'))))));
  const before = await lastIndex();
  await page.keyboard.insertText(expr);
  if (await page.locator('.repl-input-wrapper .suggest-widget.visible').count()) await page.keyboard.press('Escape');
  await page.keyboard.press('Enter');
  for (let i = 0; i < 50; i++) {
    const texts = await rows.evaluateAll((rs, b) => rs.filter(r => Number(r.getAttribute('data-index')) > b && r.querySelector('.evaluation-result'))
      .map(r => r.querySelector('.evaluation-result').textContent.trim()), before);
    if (texts.length) return texts[texts.length - 1];
    await page.waitForTimeout(100);
  }
  return '';
}
/** "label description" rows of the Hypervisor view (the extension's tree over tagvisor/hypervisor): label -> description. */
async function hvTree(page) {
  const out = new Map();
  for (const r of await allRowsOf(page, 'Hypervisor')) if (r.name && !out.has(r.name)) out.set(r.name, r.desc);
  return out;
}
async function shot(page, name, locator) {
  const p = path.join(OUT_DIR, name);
  await (locator ?? page).screenshot({ path: p });
  log(`screenshot ${p}`);
}

// ---- main ----
fs.mkdirSync(OUT_DIR, { recursive: true });
const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tagvisor-e2e-'));
const dirs = { userData: path.join(runDir, 'user-data'), extensions: path.join(runDir, 'extensions'), xdg: path.join(runDir, 'xdg'), workspace: path.join(runDir, 'examples') };
for (const d of [dirs.userData, dirs.extensions, dirs.xdg]) fs.mkdirSync(d, { recursive: true });
// the workspace is a copy of examples/ (copied: a folder inside the git repo would make the git extension chatter)
fs.cpSync(path.join(ROOT, 'examples'), dirs.workspace, { recursive: true });
// a line with two calls, for Step Into Target (the adapter tests' program)
fs.copyFileSync(path.join(ROOT, 'test/adapter/programs/targets.s'), path.join(dirs.workspace, 'targets.s'));
fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
fs.writeFileSync(path.join(dirs.userData, 'User/settings.json'), JSON.stringify({
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'git.openRepositoryInParentFolders': 'never',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'editor.minimap.enabled': false,
  // sticky tree headers (the "Registers" scope row) cover rows and swallow clicks
  'workbench.tree.enableStickyScroll': false,
  'workbench.colorTheme': process.env.E2E_THEME || 'Default Dark Modern',
}, null, 2));
const env = { ...process.env, XDG_CONFIG_HOME: path.join(dirs.xdg, 'config'), XDG_DATA_HOME: path.join(dirs.xdg, 'data') };
const csArgs = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
const timings = {};
const mark = (k) => { timings[k] = Number(secs()); };

let cs, browser, page;
try {
  // 1. the VSIX
  let vsix = process.env.VSIX;
  if (!vsix) {
    execFileSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    vsix = path.join(ROOT, 'dist', 'tagvisor.vsix');
  }
  const size = fs.statSync(vsix).size;
  check(`VSIX built (${(size / 1024).toFixed(0)} KiB, under 2 MiB)`, size < 2 * 2 ** 20, `${size} bytes`);
  mark('vsix');
  const inst = execFileSync(CODE_SERVER, [...csArgs, '--install-extension', vsix], { env, encoding: 'utf8' });
  check('VSIX installs into VS Code 1.100', /successfully installed/i.test(inst), inst.trim());
  mark('installed');

  // 2. code-server
  const port = await freePort();
  const csLog = fs.openSync(path.join(runDir, 'code-server.log'), 'w');
  cs = spawn(CODE_SERVER, ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--disable-getting-started-override', ...csArgs, dirs.workspace], { env, detached: true, stdio: ['ignore', csLog, csLog] });
  const base = `http://127.0.0.1:${port}`;
  await waitHttp(`${base}/healthz`, 30000);
  mark('server');

  // 3. the browser
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    env: { ...process.env, XDG_CONFIG_HOME: path.join(dirs.xdg, 'chromium-config'), XDG_CACHE_HOME: path.join(dirs.xdg, 'cache') },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.on('pageerror', e => log(`pageerror: ${e.message}`));
  await page.goto(`${base}/?folder=${encodeURIComponent(dirs.workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60000 });
  check('extension host started', await waitExtHost(dirs.userData, 60000));
  mark('workbench');

  // 4. open the example: language mode and the language server
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'use-after-free.s' }).first().click();
  await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: 20000 });
  const mode = page.locator('.statusbar-item[id="status.editor.mode"]');
  await mode.waitFor({ timeout: 20000 });
  await page.waitForFunction(() => /Tagvisor/.test(document.querySelector('[id="status.editor.mode"]')?.textContent ?? ''), null, { timeout: 20000 }).catch(() => {});
  check('.s file opens in the tagvisor-asm language', /AArch64 Assembly \(Tagvisor\)/.test(await mode.innerText()), await mode.innerText());
  // hover on `irg` (line 62): go to the line, put the cursor on the mnemonic, show the hover
  const src = fs.readFileSync(path.join(dirs.workspace, 'use-after-free.s'), 'utf8').split('\n');
  const irgLine = src.findIndex(l => /^\s+irg\s/.test(l)) + 1;
  await page.locator('.monaco-editor textarea').first().focus();
  await page.keyboard.press('Control+G');
  await page.keyboard.type(`${irgLine}:10`);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(1500); // the language server starts with the first .s document
  let hoverText = '';
  for (let i = 0; i < 3 && !/Insert random tag/.test(hoverText); i++) {
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    const hover = page.locator('.monaco-hover-content').first();
    hoverText = await hover.waitFor({ timeout: 8000 }).then(() => hover.innerText(), () => '');
    if (!/Insert random tag/.test(hoverText)) await page.waitForTimeout(1500);
  }
  check('language server hover on irg explains its tag semantics', /Insert random tag/.test(hoverText) && /GCR_EL1/.test(hoverText), hoverText);
  await shot(page, 'hover.png');
  await page.keyboard.press('Escape');
  mark('language');

  // 5. F5 without launch.json: debug the active file, stop on entry
  await runCommand(page, 'View: Show Run and Debug');
  await page.locator('.pane-header[aria-label="Variables Section"]').waitFor({ timeout: 10000 }).catch(() => {});
  await page.locator('.monaco-editor textarea').first().focus();
  await page.keyboard.press('F5');
  const toolbar = page.locator('.debug-toolbar');
  if (!await toolbar.waitFor({ timeout: 15000 }).then(() => true, () => false)) {
    log('no debug toolbar after F5, retrying');
    await page.keyboard.press('F5');
    await toolbar.waitFor({ timeout: 15000 });
  }
  await page.locator('.pane-header[aria-label="Call Stack Section"]').waitFor({ timeout: 10000 });
  await paneRows(page, 'Call Stack').filter({ hasText: /_start/ }).first().waitFor({ timeout: 20000 });
  const stackHeader = await page.locator('.pane-header[aria-label="Call Stack Section"]').innerText();
  check('F5 debugs the open .s file and stops on entry', /paused on entry/i.test(stackHeader), stackHeader);
  mark('debugStarted');
  await expandRow(page, 'Variables', /^Registers$/);
  await paneRows(page, 'Variables').filter({ hasText: /^x0\b/ }).first().waitFor({ timeout: 15000 });
  let vars = await allRowsOf(page, 'Variables');
  check('Variables view: Registers scope with x0..x30, sp, pc', ['x0', 'x30', 'sp', 'pc'].every(r => vars.some(v => v.label.startsWith(`${r}, value`))), JSON.stringify(vars.map(v => v.label)));
  check('Variables view: other scopes (PSTATE and MTE, Memory tags)', vars.some(v => v.label === 'Scope PSTATE and MTE') && vars.some(v => v.label === 'Scope Memory tags'), JSON.stringify(vars.map(v => v.label)));
  await page.mouse.move(1500, 980);
  await shot(page, 'debug-entry.png');

  // the Variables context menu: "Show in Memory Tag Inspector" on a register opens the inspector where it points
  const spRow = await revealRow(page, 'Variables', 'sp, value ');
  const spEntry = /^sp, value (0x[0-9a-f]+)/.exec(await spRow.getAttribute('aria-label') ?? '')?.[1];
  await contextMenu(page, spRow, 'Show in Memory Tag Inspector');
  const wv = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  const granuleOf = (a) => { try { return BigInt(a) & 0x00ff_ffff_ffff_fff0n; } catch { return -1n; } };
  const selectedGranule = async () => granuleOf(/Granule (0x[0-9a-f]+)/.exec(await wv.locator('#details h2').innerText({ timeout: 1000 }).catch(() => ''))?.[1] ?? '-1');
  let spShown = -1n;
  for (let i = 0; i < 75 && spShown !== granuleOf(spEntry ?? '-1'); i++) { await page.waitForTimeout(200); spShown = await selectedGranule(); }
  const spBox = await wv.locator('#address').inputValue({ timeout: 1000 }).catch(() => '');
  check('Variables context menu "Show in Memory Tag Inspector" on sp opens the inspector on the granule sp points to',
    !!spEntry && spShown === granuleOf(spEntry) && granuleOf(spBox) === granuleOf(spEntry), `sp ${spEntry}, selected 0x${spShown.toString(16)}, address box ${spBox}`);
  // close it again: the inspector must still open by itself on the fault below
  const inspectorTab = page.locator('.tabs-container .tab', { hasText: 'Memory Tags' }).first();
  if (await inspectorTab.count()) {
    await inspectorTab.hover({ timeout: 5000 }).catch(() => {});
    await inspectorTab.locator('.tab-actions .action-label').first().click({ timeout: 5000 }).catch(() => {});
    await page.locator('iframe.webview.ready').first().waitFor({ state: 'detached', timeout: 10000 }).catch(() => {});
  }

  // 6. the exception breakpoint, and continue into the tag check fault
  const bps = await rowsOf(page, 'Breakpoints');
  const tagBp = bps.find(b => /Tag check fault \(sync\)/.test(b.text));
  const tagBpChecked = await paneRows(page, 'Breakpoints').filter({ hasText: 'Tag check fault (sync)' }).first().locator('input[type=checkbox]').isChecked().catch(() => false);
  check('Breakpoints view offers the "Tag check fault (sync)" exception breakpoint, enabled', !!tagBp && tagBpChecked, JSON.stringify(bps.map(b => b.text)));
  await page.keyboard.press('F5');
  // the Call Stack header shows the stop's description (the exception text) instead of "Paused on exception"
  await page.waitForFunction(() => /Tag check fault/i.test(document.querySelector('.pane-header[aria-label="Call Stack Section"]')?.textContent ?? ''), null, { timeout: 30000 })
    .catch(() => {});
  const excHeader = await page.locator('.pane-header[aria-label="Call Stack Section"]').innerText();
  check('continue stops on the tag check exception breakpoint', /Tag check fault \(sync, load\)/.test(excHeader), excHeader);
  const widget = page.locator('.exception-widget').first();
  const widgetText = await widget.waitFor({ timeout: 10000 }).then(() => widget.innerText(), () => '');
  check('exception widget: "Tag check fault (sync, load): logical tag …, allocation tag …"', /Tag check fault \(sync, load\): logical tag 0x[0-9a-f], allocation tag 0x[0-9a-f] at 0x[0-9a-f]+/.test(widgetText), widgetText);
  const ltag = /logical tag (0x[0-9a-f])/.exec(widgetText)?.[1];
  const atag = /allocation tag (0x[0-9a-f])/.exec(widgetText)?.[1];
  const faultAddr = /at (0x[0-9a-f]+)/.exec(widgetText)?.[1];
  mark('fault');

  // registers with tags: x20 is the stale pointer, x21 the retagged one. The Variables pane is short
  // and virtualised: focus its first register, then use the tree's keyboard navigation (type the label).
  await runCommand(page, 'Focus on Variables View', /Focus on Variables View$/);
  await page.waitForTimeout(200);
  await page.keyboard.press('Home');
  for (let i = 0; i < 21; i++) await page.keyboard.press('ArrowDown'); // Registers, x0 .. x20
  await page.waitForTimeout(200);
  const x20row = paneRows(page, 'Variables').filter({ hasText: /^x20\b/ }).first();
  const x20label = await x20row.getAttribute('aria-label', { timeout: 10000 }).catch(() => null);
  check('x20 shows its logical tag and the mismatching allocation tag', new RegExp(`\\[tag ${ltag} != mem ${atag}: mismatch\\]`).test(x20label ?? ''), x20label);
  const focused = await pane(page, 'Variables').locator('.monaco-list-row.focused').getAttribute('aria-label').catch(() => '');
  check('keyboard focus reaches x20 in the Variables view', /^x20, value/.test(focused ?? ''), focused);
  await page.keyboard.press('ArrowRight'); // expand the focused x20
  await paneRows(page, 'Variables').filter({ hasText: /^logical tag/ }).first().waitFor({ timeout: 10000 }).catch(() => {});
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown'); // reveal its children
  if (process.env.E2E_DEBUG) await shot(page, 'debug-expand.png');
  await page.waitForTimeout(200);
  vars = await rowsOf(page, 'Variables');
  check('x20 expands into address, logical tag, allocation tag and match', vars.some(v => v.label === `logical tag, value ${ltag}`) && vars.some(v => v.label === `allocation tag, value ${atag}`) && vars.some(v => /^match, value mismatch/.test(v.label)), JSON.stringify(vars.filter(v => v.level > 2).map(v => v.label)));
  await shot(page, 'tag-fault.png');
  await pane(page, 'Variables').screenshot({ path: path.join(OUT_DIR, 'variables-pane.png') });

  // 7. the Memory Tag Inspector opened on the fault
  const faultCell = wv.locator('.cell.fault');
  const inspectorUp = await faultCell.waitFor({ timeout: 20000 }).then(() => true, () => false);
  check('Memory Tag Inspector opens by itself on the tag fault, fault granule marked', inspectorUp);
  mark('inspector');
  if (inspectorUp) {
    await wv.locator('.cell.fault .t').filter({ hasText: /^[0-9A-F]$/ }).waitFor({ timeout: 15000 }).catch(() => {});
    const cellTag = (await faultCell.locator('.t').innerText()).trim();
    check('the fault granule shows its allocation tag in hex', atag !== undefined && cellTag === atag.slice(2).toUpperCase(), `cell ${cellTag}, expected ${atag}`);
    const rowCells = await wv.locator('.row').first().locator('.cell').count();
    check('the grid has 16 granules per row', rowCells === 16, String(rowCells));
    const renderedRows = await wv.locator('.row').count();
    check('the grid is virtualised (a screenful of rows rendered out of 4096)', renderedRows > 5 && renderedRows < 200, String(renderedRows));
    const ptrs = await wv.locator('.cell.pointer .ptr').allInnerTexts();
    check('pointer registers are drawn in the granule they point to (x20, x21)', ptrs.some(p => p.includes('x20') && p.includes('x21')), JSON.stringify(ptrs));
    check('the granule with a mismatching pointer is highlighted', await wv.locator('.cell.mismatch', { hasText: 'x20' }).count() > 0);
    const L = ltag?.slice(2).toUpperCase(), A = atag?.slice(2).toUpperCase();
    const bad = (await wv.locator('#pointers .chip.bad').allInnerTexts()).map(t => t.replace(/\s+/g, ' '));
    const good = (await wv.locator('#pointers .chip.ok').allInnerTexts()).map(t => t.replace(/\s+/g, ' '));
    check(`pointer strip: x20 logical ${L} ≠ allocation ${A} (mismatch), x21 ${A} = ${A}`, bad.includes(`x20 ${L} ≠ ${A}`) && good.includes(`x21 ${A} = ${A}`), JSON.stringify({ bad, good }));
    const banner = await wv.locator('#fault').innerText().catch(() => '');
    check('the inspector names the fault', banner.includes('Tag check fault') && (!faultAddr || banner.includes(faultAddr)), banner);
    // details of the faulting granule: who retagged it
    await faultCell.click();
    const details = wv.locator('#details');
    await details.locator('text=Set by').waitFor({ timeout: 10000 }).catch(() => {});
    const detailsText = await details.innerText();
    check('clicking the fault granule shows its provenance (st2g x21, step, previous tag)', /Set by st2g\s+x21, \[x21\]/.test(detailsText) && new RegExp(`previous tag ${ltag}`).test(detailsText) && /step \d+/.test(detailsText), detailsText);
    // keyboard: arrow right selects the next granule
    const before = await details.locator('h2').innerText().catch(() => '');
    await wv.locator('#viewport').focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForTimeout(200);
    const after = await details.locator('h2').innerText().catch(() => '');
    const addrOf = (t) => BigInt(/Granule (0x[0-9a-f]+)/.exec(t)?.[1] ?? '0');
    check('arrow keys move the selection to the next granule', /Granule 0x/.test(before) && addrOf(after) === addrOf(before) + 16n, `${before} -> ${after}`);
    await page.keyboard.press('ArrowLeft');
    await page.mouse.move(1500, 980);
    await shot(page, 'inspector.png');
    const panel = page.locator('.editor-group-container').last();
    await shot(page, 'inspector-panel.png', panel);

    // "follow register": pick sp; the view moves to the stack and selects sp's granule
    const spTitle = await wv.locator('#pointers .chip', { hasText: /^sp/ }).getAttribute('title').catch(() => '');
    const spVal = /sp = (0x[0-9a-f]+)/.exec(spTitle ?? '')?.[1];
    await wv.locator('#follow').selectOption('sp');
    const want = spVal ? '0x' + (BigInt(spVal) & ~0xfn).toString(16) : '?';
    let addrBox = '';
    for (let i = 0; i < 30 && addrBox !== want; i++) { await page.waitForTimeout(200); addrBox = await wv.locator('#address').inputValue(); }
    check('"Follow" a register moves the view to where it points (sp)', addrBox === want, `${addrBox} vs ${want}`);
    await wv.locator('#follow').selectOption('');
    // back to the fault granule through the address box
    await wv.locator('#address').fill(faultAddr ?? '');
    await wv.locator('#address').press('Enter');
    await wv.locator('.cell.fault').waitFor({ timeout: 10000 }).catch(() => {});
    await wv.locator('.cell.fault').click();
    await details.locator('text=Set by').waitFor({ timeout: 10000 }).catch(() => {});
    check('the address box goes back to the fault granule', await wv.locator('.cell.fault.selected').count() === 1);

    // 8. reverse-continue to the tag write from the inspector
    const reverse = wv.locator('#reverse');
    if (await reverse.isEnabled().catch(() => false)) {
      await reverse.click();
        const st2gLine = src.findIndex(l => /^\s+st2g\s+x21/.test(l)) + 1;
      await paneRows(page, 'Call Stack').filter({ hasText: `${st2gLine}:` }).first().waitFor({ timeout: 20000 }).catch(() => {});
      const frame = await rowsOf(page, 'Call Stack');
      let status = '';
      for (let i = 0; i < 50 && !/paused \(goto\)/.test(status); i++) { if (i) await page.waitForTimeout(200); status = await wv.locator('#status').innerText().catch(() => ''); }
      check('"Reverse-continue to this write" goes back to the st2g that set the tag', frame.some(f => f.label.includes(`line ${st2gLine},`)) && /paused \(goto\)/.test(status), `${status} ${JSON.stringify(frame.map(f => f.label))}`);
      // VS Code learns of the move from the adapter only (tagvisor/goToStep is the extension's custom request)
      const gotoHeader = await page.waitForFunction(() => /paused on goto/i.test(document.querySelector('.pane-header[aria-label="Call Stack Section"]')?.textContent ?? ''), null, { timeout: 10000 }).then(() => true, () => false);
      const widgetGone = await page.locator('.exception-widget').first().waitFor({ state: 'hidden', timeout: 5000 }).then(() => true, () => false);
      check('after that custom request VS Code shows the new stop: Call Stack "Paused on goto", the old fault\'s exception widget closed', gotoHeader && widgetGone,
        `${await page.locator('.pane-header[aria-label="Call Stack Section"]').innerText().catch(() => '')}; exception widget ${widgetGone ? 'closed' : 'still open'}`);
      await wv.locator('.cell.fault').waitFor({ state: 'detached', timeout: 10000 }).catch(() => {});
      await shot(page, 'inspector-after-reverse.png');

      // 9. set a tag by hand in the inspector (x20's granule, before st2g x21 retags it): the grid, the
      // Debug Console's tag(x20) and the Variables view (refreshed by the adapter's `invalidated` after
      // the extension's tagvisor/writeTags custom request) all show the new tag
      const g = granuleOf(faultAddr ?? '-1');
      await wv.locator('#address').fill('0x' + g.toString(16));
      await wv.locator('#address').press('Enter');
      const selTag = wv.locator('.cell.selected .t');
      let cur = '';
      for (let i = 0; i < 50 && !(await selectedGranule() === g && /^[0-9A-F]$/.test(cur)); i++) { await page.waitForTimeout(200); cur = (await selTag.innerText({ timeout: 1000 }).catch(() => '')).trim(); }
      const curTag = parseInt(cur, 16);
      const newTag = [(curTag + 7) & 15, (curTag + 3) & 15].find(t => t !== 0 && t !== curTag);
      await wv.locator('#newtag').selectOption(String(newTag)).catch(() => {});
      await wv.locator('#details .edit button', { hasText: 'Apply' }).click().catch(() => {});
      const N = newTag.toString(16).toUpperCase();
      let shown = '';
      for (let i = 0; i < 50 && shown !== N; i++) { await page.waitForTimeout(200); shown = (await selTag.innerText({ timeout: 1000 }).catch(() => '')).trim(); }
      const chipsAfter = (await wv.locator('#pointers .chip').allInnerTexts().catch(() => [])).map(t => t.replace(/\s+/g, ' '));
      check(`editing a tag in the inspector: granule 0x${g.toString(16)} ${cur} -> ${N} in the grid and the pointer strip (x20 ${ltag?.slice(2).toUpperCase()} ≠ ${N})`,
        /^[0-9A-F]$/.test(cur) && shown === N && chipsAfter.includes(`x20 ${ltag?.slice(2).toUpperCase()} ≠ ${N}`), `${cur} -> ${shown} ${JSON.stringify(chipsAfter)}`);
      const tagEval = await consoleEval(page, 'tag(x20)');
      check(`Debug Console: tag(x20) is the edited tag 0x${newTag.toString(16)}`, tagEval.startsWith(`0x${newTag.toString(16)} `), tagEval);
      const x20after = await varValue(page, 'x20', v => v.includes(`mem 0x${newTag.toString(16)}`));
      check('Variables view: x20 shows the edited allocation tag without a new stop (invalidated after the inspector\'s custom request)',
        x20after.includes(`[tag ${ltag} != mem 0x${newTag.toString(16)}: mismatch]`), x20after);
      await page.mouse.move(1500, 980);
      await shot(page, 'inspector-tag-edited.png');
    } else {
      check('"Reverse-continue to this write" button is enabled', false);
    }
  }

  // 10. stop
  await page.keyboard.press('Shift+F5');
  const stopped = await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 15000 }).then(() => true, () => false);
  check('Shift+F5 ends the session', stopped);

  // 11. the same F5 with the adapter as a separate process (tagvisor.debugAdapter.mode: "process")
  const settingsFile = path.join(dirs.userData, 'User/settings.json');
  const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
  fs.writeFileSync(settingsFile, JSON.stringify({ ...settings, 'tagvisor.debugAdapter.mode': 'process' }, null, 2));
  await page.waitForTimeout(1500); // VS Code picks up the changed settings file
  await page.locator('.monaco-editor textarea').first().focus();
  await page.keyboard.press('F5');
  await page.locator('.debug-toolbar').waitFor({ timeout: 20000 }).catch(() => {});
  await page.waitForFunction(() => /paused on entry/i.test(document.querySelector('.pane-header[aria-label="Call Stack Section"]')?.textContent ?? ''), null, { timeout: 30000 }).catch(() => {});
  const hdr2 = await page.locator('.pane-header[aria-label="Call Stack Section"]').innerText().catch(() => '');
  const adapterProcs = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter(l => l.includes(`${path.sep}dist${path.sep}adapter.js`) && l.includes(dirs.extensions));
  check('with "tagvisor.debugAdapter.mode": "process", F5 runs dist/adapter.js as its own process and stops on entry', /paused on entry/i.test(hdr2) && adapterProcs.length > 0, `${hdr2} ${JSON.stringify(adapterProcs)}`);
  await page.keyboard.press('Shift+F5');
  await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 15000 }).catch(() => {});
  mark('processMode');

  // 12. Step Into Target on a line with two calls (test/adapter/programs/targets.s: `both twice, add_one`,
  // a macro): VS Code's quick pick lists the adapter's stepInTargets; picking the second steps over
  // the first and stops in it. Also the Variables context menu's "Toggle Hexadecimal Values".
  fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2)); // back to the inline adapter
  await page.waitForTimeout(1000); // VS Code picks up the changed settings file
  await quickInput(page, 'targets.s'); // Go to File
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'targets.s' }).first().waitFor({ timeout: 15000 });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: 'targets.s' }).first().waitFor({ timeout: 15000 });
  const tsrc = fs.readFileSync(path.join(dirs.workspace, 'targets.s'), 'utf8').split('\n');
  const bothLine = tsrc.findIndex(l => /^\s+both\s+twice, add_one/.test(l)) + 1;
  const addOneLine = tsrc.findIndex(l => /^add_one:/.test(l)) + 2; // its first instruction
  await page.locator('.editor-group-container.active .monaco-editor textarea').first().focus();
  await page.keyboard.press('Control+G');
  await page.keyboard.type(String(bothLine));
  await page.keyboard.press('Enter');
  await page.keyboard.press('F9');
  await paneRows(page, 'Breakpoints').filter({ hasText: 'targets.s' }).first().waitFor({ timeout: 10000 }).catch(() => {});
  await page.keyboard.press('F5');
  const callStackHeader = () => page.locator('.pane-header[aria-label="Call Stack Section"]').innerText().catch(() => '');
  await page.waitForFunction(() => /paused on entry/i.test(document.querySelector('.pane-header[aria-label="Call Stack Section"]')?.textContent ?? ''), null, { timeout: 30000 }).catch(() => {});
  await page.keyboard.press('F5');
  await page.waitForFunction(() => /paused on breakpoint/i.test(document.querySelector('.pane-header[aria-label="Call Stack Section"]')?.textContent ?? ''), null, { timeout: 30000 }).catch(() => {});
  await rowOf(page, 'Call Stack', `Stack Frame _start, line ${bothLine},`).waitFor({ timeout: 10000 }).catch(() => {});
  const atBp = await rowsOf(page, 'Call Stack');
  check(`a breakpoint on targets.s:${bothLine} (F9) stops there`, /paused on breakpoint/i.test(await callStackHeader()) && atBp.some(f => f.label.includes(`line ${bothLine},`)), JSON.stringify(atBp.map(f => f.label)));
  await runCommand(page, 'Debug: Step Into Target', /^Debug: Step Into Target$/);
  const targetRows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  await targetRows.first().waitFor({ timeout: 10000 }).catch(() => {});
  const targets = (await targetRows.locator('.label-name').allInnerTexts().catch(() => [])).map(t => t.trim());
  check('"Debug: Step Into Target" offers the two calls of the line: twice, add_one', JSON.stringify(targets) === JSON.stringify(['twice', 'add_one']), JSON.stringify(targets));
  await targetRows.filter({ hasText: 'add_one' }).first().click().catch(() => {});
  await paneRows(page, 'Call Stack').filter({ hasText: `${addOneLine}:` }).first().waitFor({ timeout: 20000 }).catch(() => {});
  const inTarget = await rowsOf(page, 'Call Stack');
  const x0afterTwice = await varValue(page, 'x0', v => v === '0x2');
  check(`picking add_one steps over twice (x0 = 2) and stops at add_one's first instruction (line ${addOneLine})`,
    (inTarget.find(f => f.label.startsWith('Stack Frame '))?.label ?? '').startsWith(`Stack Frame add_one, line ${addOneLine},`) && x0afterTwice === '0x2', `${x0afterTwice} ${JSON.stringify(inTarget.map(f => f.label))}`);
  // tagvisor.toggleHex from the Variables context menu (a custom request; the view refreshes on the adapter's invalidated event)
  await contextMenu(page, await revealRow(page, 'Variables', 'x0, value '), 'Toggle Hexadecimal Values').catch(() => {});
  const x0dec = await varValue(page, 'x0', v => v === '2');
  check('Variables context menu "Toggle Hexadecimal Values" shows x0 as 2', x0dec === '2', x0dec);
  await page.keyboard.press('Shift+F5');
  await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 15000 }).catch(() => {});
  mark('stepInTarget');

  // 13. a VM: launch.json with a "vm" section, the Hypervisor view, and a hypervisor command (swap out)
  fs.mkdirSync(path.join(dirs.workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(dirs.workspace, '.vscode', 'launch.json'), JSON.stringify({
    version: '0.2.0',
    configurations: [{
      type: 'tagvisor', request: 'launch', name: 'Use after free in a VM', program: '${workspaceFolder}/use-after-free.s', stopOnEntry: true,
      vm: { name: 'e2e-vm', mte: true, memory: [{ name: 'ram', gpa: '0x40000000', size: '64M', backing: 'anon' }] },
    }],
  }, null, 2));
  await page.waitForTimeout(1500);
  await page.locator('.monaco-editor textarea').first().focus();
  await page.keyboard.press('F5');
  await page.locator('.debug-toolbar').waitFor({ timeout: 20000 }).catch(() => {});
  await page.waitForFunction(() => /paused on entry/i.test(document.querySelector('.pane-header[aria-label="Call Stack Section"]')?.textContent ?? ''), null, { timeout: 30000 }).catch(() => {});
  const hvHeader = page.locator('.pane-header[aria-label="Hypervisor Section"]');
  const hvShown = await hvHeader.waitFor({ timeout: 15000 }).then(() => true, () => false);
  check('the Hypervisor view appears in Run and Debug for a Tagvisor session', hvShown);
  if (hvShown) {
    if (await hvHeader.getAttribute('aria-expanded') === 'false') await hvHeader.click();
    await paneRows(page, 'Hypervisor').filter({ hasText: /^ram/ }).first().waitFor({ timeout: 15000 }).catch(() => {});
    let hv = await allRowsOf(page, 'Hypervisor');
    check('Hypervisor view: the VM, its memslot "ram" (0x40000000, 64 MiB, anon), stage 2, host memory and swap, dirty log',
      hv.some(r => /^VM/.test(r.text) && r.text.includes('e2e-vm')) && hv.some(r => /^ram/.test(r.text) && r.text.includes('0x40000000') && r.text.includes('64 MiB'))
      && ['Stage 2 (KVM)', 'Host memory and swap', 'Dirty log'].every(l => hv.some(r => r.text.startsWith(l))), JSON.stringify(hv.map(r => r.text)));
    // The Variables view's Hypervisor scope against the adapter's own numbers (the Hypervisor view
    // shows the tagvisor/hypervisor snapshot): after each change the Variables view must follow.
    await expandVar(page, 'Scope Hypervisor');
    const hvWant = (t) => ({
      'stage-2 faults / sanitised pages': `${t.get('faults')} / ${t.get('sanitised')}`,
      'host resident pages / with tags': `${t.get('residentPages')} / ${t.get('taggedPages')}`,
      'swap slots used / saved tag buffers': `${t.get('swapSlotsUsed')} / ${t.get('swapTagBuffers')}`,
      VM: t.get('VM'),
    });
    /** Polls until the Hypervisor scope's rows equal the Hypervisor view's numbers and `extra(numbers)` holds. */
    async function hvScopeAgrees(extra = () => true) {
      const end = Date.now() + 10000;
      for (;;) {
        const want = hvWant(await hvTree(page));
        const got = {};
        for (const k of Object.keys(want)) if (k !== 'VM') got[k] = await varValue(page, k, () => true, 0);
        got.VM = await varValue(page, 'VM', () => true, 0);
        const vmName = /^name (\S+),/.exec(want.VM ?? '')?.[1];
        const ok = Object.keys(want).every(k => k === 'VM' || got[k] === want[k]) && !!vmName && got.VM.startsWith(`${vmName},`) && extra(want, got);
        if (ok || Date.now() > end) return { ok, detail: JSON.stringify({ variables: got, adapter: want }) };
        await page.waitForTimeout(300);
      }
    }
    let hvCmp = await hvScopeAgrees();
    check('Variables view: the Hypervisor scope shows what the adapter reports (stage 2, host pages, swap)', hvCmp.ok, hvCmp.detail);
    // the command: swap out the stack page (guest virtual; its address from the Variables view)
    const spValue = await varValue(page, 'sp');
    const spPage = '0x' + (BigInt(/^0x[0-9a-f]+/.exec(spValue)?.[0] ?? '0') & ~0xfffn).toString(16);
    await runCommand(page, 'Tagvisor: Swap Out Guest Memory…');
    const box = page.locator('.quick-input-widget .quick-input-box input');
    await box.waitFor({ state: 'visible', timeout: 10000 });
    await box.fill(`${spPage} 4K`);
    await page.keyboard.press('Enter');
    const toast = page.locator('.notifications-toasts .notification-list-item-message', { hasText: `swap out of 4 KiB at ${spPage}` }).first();
    const toastText = await toast.waitFor({ timeout: 15000 }).then(() => toast.innerText(), () => '');
    check('"Tagvisor: Swap Out Guest Memory…" swaps the page out and reports it', /1 page swapped/.test(toastText), toastText);
    let swapText = '';
    for (let i = 0; i < 25 && !/^swapSlotsUsed\s*1$/.test(swapText); i++) {
      if (i) await page.waitForTimeout(200);
      swapText = ((await allRowsOf(page, 'Hypervisor')).find(r => /^swapSlotsUsed/.test(r.text))?.text ?? '').trim();
    }
    check('the Hypervisor view refreshes: one swap slot in use', /^swapSlotsUsed\s*1$/.test(swapText), swapText);
    hvCmp = await hvScopeAgrees(w => w['swap slots used / saved tag buffers'].startsWith('1 /'));
    check('after "Swap Out Guest Memory…" the Variables view\'s Hypervisor scope follows (one swap slot, one page less resident)', hvCmp.ok, hvCmp.detail);
    await page.mouse.move(1500, 980);
    await pane(page, 'Hypervisor').screenshot({ path: path.join(OUT_DIR, 'hypervisor.png') });
    // Looking at the swapped-out stack brings it back: expanding sp reads *(u64*)sp through the VMM's
    // debug path, the host faults the page in. The Variables view's Hypervisor scope and the
    // Hypervisor view must both show the page resident again, without a new stop.
    const resident = (w) => Number(/^(\d+) \//.exec(w['host resident pages / with tags'] ?? '')?.[1]);
    const residentSwapped = resident(hvWant(await hvTree(page)));
    await expandVar(page, 'sp, value ');
    const spWord = await varValue(page, '*(u64*)sp');
    hvCmp = await hvScopeAgrees(w => resident(w) === residentSwapped + 1);
    check(`expanding sp (*(u64*)sp = ${spWord}) swaps the stack page back in: the Hypervisor view and the Variables view's Hypervisor scope show it resident (${residentSwapped} -> ${residentSwapped + 1} pages) without a new stop`,
      !!spWord && hvCmp.ok, hvCmp.detail);
    // Set Value on NZCV (PSTATE and MTE scope): the other rows of the scope (N, Z, C, V) follow, and the Debug Console agrees
    await expandVar(page, 'Scope PSTATE and MTE');
    const nzcvRow = await revealRow(page, 'Variables', 'NZCV, value ');
    await nzcvRow.dblclick();
    const valueBox = pane(page, 'Variables').locator('.monaco-inputbox input').first();
    const editing = await valueBox.waitFor({ timeout: 5000 }).then(() => true, () => false);
    if (editing) { await valueBox.fill('0xf0000000'); await valueBox.press('Enter'); }
    const flags = [];
    for (const f of ['N', 'Z', 'C', 'V']) flags.push(await varValue(page, f, v => v === '1'));
    const nzcvEval = await consoleEval(page, 'nzcv');
    check('Set Value on NZCV in the Variables view: N, Z, C and V show 1, and the Debug Console\'s nzcv is 0xf0000000',
      editing && flags.every(v => v === '1') && nzcvEval.startsWith('0xf0000000 '), `${editing} ${JSON.stringify(flags)} ${nzcvEval}`);
    // the guest still runs into its use-after-free (its stack page came back from swap above)
    await page.keyboard.press('F5');
    await page.waitForFunction(() => /Tag check fault/i.test(document.querySelector('.pane-header[aria-label="Call Stack Section"]')?.textContent ?? ''), null, { timeout: 30000 }).catch(() => {});
    const h3 = await page.locator('.pane-header[aria-label="Call Stack Section"]').innerText();
    check('after swap-in the VM guest runs on to the same tag check fault', /Tag check fault \(sync, load\)/.test(h3), h3);
    const banner2 = wv.locator('#fault');
    let b2 = '';
    for (let i = 0; i < 25 && !/Tag check fault/.test(b2); i++) { await page.waitForTimeout(200); b2 = await banner2.innerText().catch(() => ''); }
    const chips2 = (await wv.locator('#pointers .chip').allInnerTexts()).map(t => t.replace(/\s+/g, ' '));
    check('the inspector follows the VM session to its fault (tags read through the hypervisor debug path)', /Tag check fault/.test(b2) && chips2.some(c => /^x20 /.test(c)), `${b2} ${JSON.stringify(chips2)}`);
    // at the new stop: registers and the Hypervisor scope as the adapter reports them
    const x20var = await varValue(page, 'x20', v => /mismatch/.test(v));
    const x20eval = await consoleEval(page, 'x20');
    check('at the next stop the Variables view\'s x20 is what the Debug Console evaluates', !!x20var && x20eval.startsWith(`${x20var} (`), `${x20var} | ${x20eval}`);
    hvCmp = await hvScopeAgrees();
    check('at the next stop the Hypervisor scope agrees with the adapter', hvCmp.ok, hvCmp.detail);
    // "Migrate VM Now": the guest moves to a new VM; the verification is reported, the views follow
    await runCommand(page, 'Tagvisor: Migrate VM Now');
    const mToast = page.locator('.notifications-toasts .notification-list-item-message', { hasText: /Migration/ }).first();
    const mText = await mToast.waitFor({ timeout: 30000 }).then(() => mToast.innerText(), () => '');
    const dst = /e2e-vm -> (\S+),/.exec(mText)?.[1];
    check('"Tagvisor: Migrate VM Now" reports the migration verified (0 data and 0 tag mismatches)', /^Tagvisor: Migration verified: e2e-vm -> \S+, .*; verification: 0 data and 0 tag mismatches in \d+ pages?$/.test(mText.trim()), mText);
    hvCmp = await hvScopeAgrees((w, got) => !!dst && got.VM.startsWith(`${dst},`));
    check(`after the migration the Variables view's Hypervisor scope shows the destination VM (${dst}) and its numbers`, hvCmp.ok, hvCmp.detail);
    await page.mouse.move(1500, 980);
    await shot(page, 'vm-session.png');
  }
  await page.keyboard.press('Shift+F5');
  await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 15000 }).catch(() => {});
  mark('vm');

  const ext = extHostLog(dirs.userData);
  check('no errors from the extension in the extension host log', !/\[error\][^\n]*tagvisor/i.test(ext), (/\[error\][^\n]*tagvisor[^\n]*/i.exec(ext) ?? [''])[0]);
  mark('done');
} catch (e) {
  failed++;
  console.log(`FAIL - exception: ${e.stack || e}`);
  if (page) await page.screenshot({ path: path.join(OUT_DIR, 'failure.png') }).catch(() => {});
  const f = path.join(runDir, 'code-server.log');
  if (fs.existsSync(f)) console.log('--- code-server.log (tail) ---\n' + fs.readFileSync(f, 'utf8').slice(-2000));
  const ext = extHostLog(dirs.userData);
  if (ext) console.log('--- extension host log (tail) ---\n' + ext.slice(-3000));
} finally {
  await browser?.close().catch(() => {});
  if (cs?.pid) { try { process.kill(-cs.pid, 'SIGTERM'); } catch { /* gone */ } }
  await new Promise(r => setTimeout(r, 500));
  if (cs?.pid) { try { process.kill(-cs.pid, 'SIGKILL'); } catch { /* gone */ } }
  if (!process.env.KEEP) fs.rmSync(runDir, { recursive: true, force: true }); else log(`kept ${runDir}`);
  log(`timings (s): ${JSON.stringify(timings)}`);
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
