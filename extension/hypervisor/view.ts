// The Hypervisor view (Run and Debug side bar) and its commands, over the adapter's
// `tagvisor/hypervisor` snapshot and `tagvisor/hypervisorAction` requests.
import * as vscode from 'vscode';
import { migrateSummary, parseRange, snapshotToNodes, sizeText, summary, swapSummary, type HvNode } from './tree';

export const DEBUG_TYPE = 'tagvisor';

export class HypervisorView implements vscode.TreeDataProvider<HvNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<HvNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private nodes: HvNode[] = [];
  private session: vscode.DebugSession | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly output: vscode.OutputChannel) {}

  /** Re-reads the snapshot (debounced: stops and events can come in bursts). */
  refresh(session?: vscode.DebugSession): void {
    if (session) this.session = session;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => { void this.load(); }, 50);
  }

  clear(session: vscode.DebugSession): void {
    if (session !== this.session) return;
    this.session = undefined;
    this.nodes = [];
    this.changed.fire(undefined);
  }

  currentSession(): vscode.DebugSession | undefined {
    const a = vscode.debug.activeDebugSession;
    return a?.type === DEBUG_TYPE ? a : this.session;
  }

  private async load(): Promise<void> {
    const s = this.currentSession();
    if (!s) { this.nodes = []; this.changed.fire(undefined); return; }
    try {
      const body = await s.customRequest('tagvisor/hypervisor', {});
      this.nodes = snapshotToNodes(body);
    } catch (e) {
      this.nodes = [{ label: 'Hypervisor state unavailable', description: e instanceof Error ? e.message : String(e), icon: 'warning' }];
    }
    this.changed.fire(undefined);
  }

  getTreeItem(n: HvNode): vscode.TreeItem {
    const item = new vscode.TreeItem(n.label, n.children?.length ? (n.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None);
    item.description = n.description;
    item.tooltip = n.tooltip ?? (n.description ? `${n.label}: ${n.description}` : n.label);
    item.contextValue = n.contextValue;
    if (n.icon) item.iconPath = new vscode.ThemeIcon(n.icon);
    return item;
  }

  getChildren(n?: HvNode): HvNode[] {
    if (!n) return this.nodes;
    return n.children ?? [];
  }

  dispose(): void { clearTimeout(this.timer); this.changed.dispose(); }

  // ---- commands ----------------------------------------------------------------------------------

  private need(): vscode.DebugSession | undefined {
    const s = this.currentSession();
    if (!s) void vscode.window.showErrorMessage('Tagvisor: start a Tagvisor debug session first.');
    return s;
  }

  private async askRange(title: string, what: string, prefill?: HvNode): Promise<{ address: number; size: number } | undefined> {
    const value = prefill?.range ? `${prefill.range.address} ${sizeText(prefill.range.size).replace(' ', '').replace('iB', '')}` : '';
    const text = await vscode.window.showInputBox({
      title, value, prompt: `${what}: ADDRESS SIZE (e.g. 0x40000000 64K), START-END or ADDRESS+SIZE; page aligned.`,
      validateInput: t => { const r = parseRange(t); return 'error' in r ? r.error : undefined; },
    });
    if (text === undefined) return undefined;
    const r = parseRange(text);
    return 'error' in r ? undefined : r;
  }

  private async action(s: vscode.DebugSession, args: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    try {
      const r = await s.customRequest('tagvisor/hypervisorAction', args);
      this.refresh(s);
      return r ?? {};
    } catch (e) {
      void vscode.window.showErrorMessage(`Tagvisor: ${e instanceof Error ? e.message : String(e)}`);
      this.output.appendLine(`hypervisorAction ${JSON.stringify(args)} failed: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  async swapOut(node?: HvNode): Promise<void> {
    const s = this.need(); if (!s) return;
    void node; // the adapter swaps guest virtual pages: memslot ranges (guest-physical) do not apply
    const r = await this.askRange('Swap out guest memory (the host swaps the pages out; tags go to swap with them)', 'Guest virtual range');
    if (!r) return;
    const res = await this.action(s, { action: 'swapOut', address: '0x' + r.address.toString(16), length: r.size });
    if (res) void vscode.window.showInformationMessage(`Tagvisor: swap out of ${sizeText(r.size)} at 0x${r.address.toString(16)}: ${swapSummary(res)}`);
  }

  async convert(toPrivate: boolean, node?: HvNode): Promise<void> {
    const s = this.need(); if (!s) return;
    const r = await this.askRange(`Convert guest memory to ${toPrivate ? 'private' : 'shared'} (KVM_SET_MEMORY_ATTRIBUTES)`, 'Guest-physical range', node);
    if (!r) return;
    const res = await this.action(s, { action: 'convert', gpa: '0x' + r.address.toString(16), size: r.size, private: toPrivate });
    if (res) void vscode.window.showInformationMessage(`Tagvisor: 0x${r.address.toString(16)} (${sizeText(r.size)}) is now ${toPrivate ? 'private' : 'shared'}. ${summary(res)}`);
  }

  async migrate(): Promise<void> {
    const s = this.need(); if (!s) return;
    const res = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Tagvisor: migrating the VM', cancellable: false }, async progress => {
      progress.report({ message: 'copying memory, tags and vCPU state…' });
      const sub = vscode.debug.onDidReceiveDebugSessionCustomEvent(e => {
        if (e.session === s && e.event === 'tagvisor/migrationProgress') {
          const b = e.body as { message?: string; increment?: number } | undefined;
          progress.report({ message: b?.message, increment: b?.increment });
        }
      });
      try { return await this.action(s, { action: 'migrate' }); } finally { sub.dispose(); }
    });
    if (!res) return;
    const m = migrateSummary(res);
    const text = `Migration ${m.verified === true ? 'verified' : m.verified === false ? 'FAILED verification' : 'finished'}: ${m.text}`;
    if (m.verified === false) void vscode.window.showErrorMessage(`Tagvisor: ${text}`);
    else void vscode.window.showInformationMessage(`Tagvisor: ${text}`);
  }
}
