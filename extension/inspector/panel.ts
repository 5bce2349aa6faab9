// The Memory Tag Inspector panel (extension host side): one webview panel that follows the active
// Tagvisor debug session, reads tags through the adapter's `tagvisor/readTags` custom request, and
// turns the webview's requests (go to, follow register, edit tag, reverse to a write) into DAP.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { tagStyleSheet } from './colors';
import { allRegisters, faultFromExceptionInfo, granulesFromReadTags, pointerRegisters, valueOf } from './dap';
import { granuleAlign, hex, inWindow, parseAddress, untag, windowAround } from './layout';
import { parseFromWebview, type FaultMark, type HostToWebview, type InspectorState, type RegisterPointer, type WebviewToHost } from './protocol';

export const DEBUG_TYPE = 'tagvisor';

interface StopContext { threadId?: number; reason?: string }

export class TagInspector implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private session: vscode.DebugSession | undefined;
  private stop: StopContext | undefined;
  private running = false;
  private windowStart = 0n;
  private follow: string | null = null;
  private generation = 0;
  private registers: RegisterPointer[] = [];
  private pointers: RegisterPointer[] = [];
  private fault: FaultMark | undefined;
  private pendingReveal: bigint | undefined;
  /** The granule the webview should reveal; re-sent with every state until a newer one replaces it. */
  private reveal: { address: bigint; seq: number } | undefined;
  private revealSeq = 0;
  /** Refreshes run one at a time (stops, 'ready' and user actions can overlap). */
  private queue: Promise<void> = Promise.resolve();
  private message: string | undefined;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext, private readonly output: vscode.OutputChannel) {}

  get isOpen(): boolean { return this.panel !== undefined; }

  /** Opens (or reveals) the panel; `address` centers the view on it. */
  async show(session?: vscode.DebugSession, address?: bigint): Promise<void> {
    const s = session ?? (vscode.debug.activeDebugSession?.type === DEBUG_TYPE ? vscode.debug.activeDebugSession : this.session);
    if (s && s !== this.session) { this.session = s; this.stop = undefined; }
    if (!this.panel) this.create();
    else this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, false);
    if (address !== undefined) this.pendingReveal = address;
    await this.refresh(false);
  }

  // ---- debug session events (from the tracker in extension.ts) ----------------------------------------

  async onStopped(session: vscode.DebugSession, body: { reason?: string; threadId?: number }): Promise<void> {
    this.session = session;
    this.stop = { threadId: body.threadId, reason: body.reason };
    this.running = false;
    if (this.panel) await this.refresh(true);
  }

  onContinued(session: vscode.DebugSession): void {
    if (session !== this.session) return;
    this.running = true;
    this.post();
  }

  /** A run request was refused (e.g. step back with the history off): the program did not move. */
  onRunRefused(session: vscode.DebugSession): void {
    if (session !== this.session || !this.running) return;
    this.running = false;
    this.post();
  }

  async onTagsChanged(session: vscode.DebugSession): Promise<void> {
    if (session !== this.session || !this.panel) return;
    this.generation++;
    this.post();
  }

  onTerminated(session: vscode.DebugSession): void {
    if (session !== this.session) return;
    this.session = undefined;
    this.stop = undefined;
    this.running = false;
    this.registers = []; this.pointers = []; this.fault = undefined;
    this.generation++;
    this.post();
  }

  // ---- state ----------------------------------------------------------------------------------------

  /** Re-reads registers and the fault (after a stop), moves the window if needed, and tells the webview. */
  private refresh(afterStop: boolean): Promise<void> {
    const next = this.queue.then(() => this.doRefresh(afterStop));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async doRefresh(afterStop: boolean): Promise<void> {
    this.generation++;
    this.message = undefined;
    const s = this.session;
    if (s && !this.running) {
      try {
        const threadId = this.stop?.threadId ?? await this.firstThread(s);
        if (threadId !== undefined) {
          const vars = await this.registerVariables(s, threadId);
          this.registers = allRegisters(vars);
          this.pointers = pointerRegisters(vars);
          if (afterStop || !this.fault) {
            this.fault = undefined;
            if (this.stop?.reason === 'exception') {
              const info = await Promise.resolve(s.customRequest('exceptionInfo', { threadId })).catch(() => undefined);
              this.fault = faultFromExceptionInfo(info);
            }
          }
        }
      } catch (e) {
        this.message = `could not read registers: ${errorText(e)}`;
      }
    }
    // where to look: an explicit address, else the followed register, else the fault, else keep the window
    let reveal = this.pendingReveal;
    this.pendingReveal = undefined;
    if (reveal === undefined && this.follow) {
      const r = this.registers.find(x => x.name === this.follow);
      if (r) reveal = BigInt(r.value);
    }
    if (reveal === undefined && afterStop && this.fault) reveal = BigInt(this.fault.address);
    if (reveal === undefined && this.windowStart === 0n) {
      // first look: the fault, else a pointer into tagged memory, else the stack
      const p = this.pointers.find(x => x.allocationTag !== undefined) ?? this.pointers.find(x => x.name === 'sp') ?? this.pointers[0];
      const first = this.fault ? BigInt(this.fault.address) : p ? BigInt(p.value) : undefined;
      if (first !== undefined) reveal = first;
    }
    if (reveal !== undefined) {
      if (!inWindow(this.windowStart, reveal)) this.windowStart = windowAround(reveal);
      this.reveal = { address: granuleAlign(untag(reveal)), seq: ++this.revealSeq };
    }
    this.post();
  }

  private post(): void {
    if (!this.panel || !this.ready) return;
    const s = this.session;
    const state: InspectorState = {
      session: s ? { name: s.name, state: this.running ? 'running' : 'stopped', reason: this.stop?.reason } : null,
      windowStart: hex(this.windowStart),
      reveal: this.reveal ? hex(this.reveal.address) : undefined,
      revealSeq: this.reveal?.seq ?? 0,
      center: true,
      registers: this.pointers,
      fault: this.fault,
      follow: this.follow,
      generation: this.generation,
      canReverse: !!s && s.configuration.historySize !== 0,
      message: this.message,
    };
    void this.panel.webview.postMessage({ type: 'state', state } satisfies HostToWebview);
  }

  private async firstThread(s: vscode.DebugSession): Promise<number | undefined> {
    const r = await s.customRequest('threads');
    return r?.threads?.[0]?.id;
  }

  private async registerVariables(s: vscode.DebugSession, threadId: number): Promise<{ name: string; value: string }[]> {
    const st = await s.customRequest('stackTrace', { threadId, startFrame: 0, levels: 1 });
    const frameId = st?.stackFrames?.[0]?.id;
    if (frameId === undefined) return [];
    const sc = await s.customRequest('scopes', { frameId });
    const scope = (sc?.scopes ?? []).find((x: { name: string }) => /^registers$/i.test(x.name)) ?? sc?.scopes?.[0];
    if (!scope) return [];
    const v = await s.customRequest('variables', { variablesReference: scope.variablesReference });
    return v?.variables ?? [];
  }

  // ---- webview ----------------------------------------------------------------------------------------

  private create(): void {
    const media = vscode.Uri.joinPath(this.context.extensionUri, 'extension', 'media');
    const dist = vscode.Uri.joinPath(this.context.extensionUri, 'dist');
    this.panel = vscode.window.createWebviewPanel('tagvisor.tagInspector', 'Memory Tags', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [media, dist],
    });
    this.panel.iconPath = vscode.Uri.joinPath(media, 'tag.svg');
    this.ready = false;
    this.panel.webview.html = this.html(this.panel.webview, media, dist);
    this.panel.webview.onDidReceiveMessage(m => this.onMessage(m), undefined, this.disposables);
    this.panel.onDidDispose(() => { this.panel = undefined; this.ready = false; }, undefined, this.disposables);
  }

  private html(webview: vscode.Webview, media: vscode.Uri, dist: vscode.Uri): string {
    const nonce = randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
    const css = webview.asWebviewUri(vscode.Uri.joinPath(media, 'inspector.css'));
    const js = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js'));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource} 'nonce-${nonce}'`,
      `script-src 'nonce-${nonce}'`,
      `img-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css}" nonce="${nonce}">
<style nonce="${nonce}">${tagStyleSheet()}</style>
<title>Memory Tags</title>
</head>
<body>
<header class="toolbar" role="toolbar" aria-label="Memory tag inspector">
  <span class="group"><label for="address">Address</label>
  <input id="address" type="text" spellcheck="false" placeholder="0x… or register / expression" aria-label="Address or expression">
  <button id="go">Go</button></span>
  <span class="group"><label for="follow">Follow</label>
  <select id="follow" aria-label="Follow register"><option value="">(none)</option></select></span>
  <button id="refresh" title="Read the tags again">Refresh</button>
  <span id="status" role="status" aria-live="polite"></span>
</header>
<div id="fault" class="fault-banner" role="alert" hidden></div>
<div id="pointers" class="pointers" aria-label="Pointer registers" hidden></div>
<div class="grid-head" aria-hidden="true"><span class="addr">address</span>${Array.from({ length: 16 }, (_, i) => `<span>+${(i * 16).toString(16).toUpperCase().padStart(2, '0')}</span>`).join('')}</div>
<div id="viewport" class="viewport" tabindex="0" role="grid" aria-label="Allocation tags, 16 granules of 16 bytes per row" aria-rowcount="4096" aria-colcount="17">
  <div id="spacer" class="spacer"></div>
</div>
<section id="details" class="details" aria-label="Selected granule"></section>
<footer class="legend" aria-hidden="true">
  <span class="legend-title">Allocation tag:</span>${Array.from({ length: 16 }, (_, t) => `<span class="key"><span class="swatch tag-${t.toString(16)}"></span>${t.toString(16).toUpperCase()}</span>`).join('')}
  <span class="key"><span class="swatch tag-none"></span>no tags</span>
  <span class="key"><span class="ptr-sample">x0</span> a register points here</span>
  <span class="key"><span class="swatch mismatch-sample"></span>its logical tag ≠ allocation tag</span>
  <span class="key">⚡ fault</span>
</footer>
<script nonce="${nonce}" src="${js}"></script>
</body>
</html>`;
  }

  private async onMessage(raw: unknown): Promise<void> {
    const m = parseFromWebview(raw);
    if (!m) { this.output.appendLine(`inspector: ignored a malformed message from the webview: ${JSON.stringify(raw)?.slice(0, 200)}`); return; }
    try {
      await this.handle(m);
    } catch (e) {
      this.postError(errorText(e));
    }
  }

  private postError(message: string): void {
    void this.panel?.webview.postMessage({ type: 'error', message } satisfies HostToWebview);
  }

  private async handle(m: WebviewToHost): Promise<void> {
    const s = this.session;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        await this.refresh(false);
        return;
      case 'refresh':
        await this.refresh(false);
        return;
      case 'fetch': {
        if (!s || this.running) return;
        const gen = m.generation;
        try {
          const body = await s.customRequest('tagvisor/readTags', { address: m.start, count: m.count });
          const granules = granulesFromReadTags(body, m.count);
          void this.panel?.webview.postMessage({ type: 'tags', generation: gen, start: m.start, granules } satisfies HostToWebview);
        } catch (e) {
          const granules = Array.from({ length: m.count }, () => ({ tag: null, note: errorText(e) }));
          void this.panel?.webview.postMessage({ type: 'tags', generation: gen, start: m.start, granules, error: errorText(e) } satisfies HostToWebview);
        }
        return;
      }
      case 'goto': {
        const a = await this.resolveAddress(m.text);
        if (a === undefined) { this.postError(`Not an address: ${m.text}`); return; }
        this.pendingReveal = a;
        await this.refresh(false);
        return;
      }
      case 'follow':
        this.follow = m.register;
        await this.refresh(false);
        return;
      case 'setTag': {
        if (!s) return;
        await s.customRequest('tagvisor/writeTags', { address: m.address, tags: [m.tag] });
        this.pendingReveal = BigInt(m.address);
        await this.refresh(false);
        return;
      }
      case 'reverseTo': {
        if (!s) return;
        // back to just before the instruction that wrote the tag (it is then the next to execute)
        await s.customRequest('tagvisor/goToStep', { step: m.step, before: true });
        this.pendingReveal = BigInt(m.address);
        return; // the adapter reports a stopped event (reason "goto"), which refreshes the panel
      }
    }
  }

  /** Hex/decimal text, else the debugger evaluates it (registers, arithmetic, symbols). */
  private async resolveAddress(text: string): Promise<bigint | undefined> {
    const direct = parseAddress(text);
    if (direct !== undefined) return direct;
    if (!this.session || !text.trim()) return undefined;
    const st = this.stop?.threadId !== undefined ? await Promise.resolve(this.session.customRequest('stackTrace', { threadId: this.stop.threadId, startFrame: 0, levels: 1 })).catch(() => undefined) : undefined;
    const r = await this.session.customRequest('evaluate', { expression: text.trim(), context: 'watch', frameId: st?.stackFrames?.[0]?.id });
    return valueOf(r?.result);
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
