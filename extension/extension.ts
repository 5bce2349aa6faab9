// The Tagvisor VS Code extension: guest assembly language support, the `tagvisor` debugger glue
// (the adapter runs inline by default), the Memory Tag Inspector and the Hypervisor view.
import * as vscode from 'vscode';
import { TagvisorSession } from '../adapter/index';
import { startLanguageClient } from './client';
import { DEBUG_TYPE, TagvisorAdapterFactory, TagvisorConfigurationProvider, TagvisorDynamicConfigurationProvider } from './debug/provider';
import { valueOf } from './inspector/dap';
import { TagInspector } from './inspector/panel';
import { HypervisorView } from './hypervisor/view';
import type { HvNode } from './hypervisor/tree';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Tagvisor');
  context.subscriptions.push(output);

  // ---- debugger ----
  const provider = new TagvisorConfigurationProvider();
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, provider, vscode.DebugConfigurationProviderTriggerKind.Initial),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new TagvisorDynamicConfigurationProvider(), vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new TagvisorAdapterFactory(context, () => new TagvisorSession())),
  );

  // ---- inspector and hypervisor view ----
  const inspector = new TagInspector(context, output);
  const hv = new HypervisorView(output);
  context.subscriptions.push(inspector, hv, vscode.window.registerTreeDataProvider('tagvisor.hypervisor', hv));

  // Stops, continues and the adapter's custom events drive both views.
  context.subscriptions.push(vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
    createDebugAdapterTracker: session => ({
      // VS Code's own run requests: the adapter sends no `continued` for them (DAP does not expect it)
      onWillReceiveMessage: (m: { type?: string; command?: string }) => {
        if (m.type === 'request' && typeof m.command === 'string' && RUN_REQUESTS.has(m.command)) inspector.onContinued(session);
      },
      onDidSendMessage: (m: { type?: string; event?: string; command?: string; success?: boolean; body?: Record<string, unknown> }) => {
        if (m.type === 'response' && m.success === false && typeof m.command === 'string' && RUN_REQUESTS.has(m.command)) inspector.onRunRefused(session);
        if (m.type !== 'event') return;
        if (m.event === 'stopped') {
          const body = (m.body ?? {}) as { reason?: string; threadId?: number; description?: string; text?: string };
          const tagFault = body.reason === 'exception' && /tag check/i.test(`${body.description ?? ''} ${body.text ?? ''}`);
          const open = tagFault && vscode.workspace.getConfiguration('tagvisor').get<boolean>('inspector.openOnTagFault', true);
          void (async () => {
            if (open && !inspector.isOpen) await inspector.show(session);
            await inspector.onStopped(session, body);
          })().catch(e => output.appendLine(`inspector: ${e instanceof Error ? e.stack : String(e)}`));
          hv.refresh(session);
        } else if (m.event === 'continued') {
          inspector.onContinued(session);
        } else if (m.event === 'terminated') {
          inspector.onTerminated(session);
          hv.clear(session);
        }
      },
    }),
  }));
  context.subscriptions.push(
    vscode.debug.onDidReceiveDebugSessionCustomEvent(e => {
      if (e.session.type !== DEBUG_TYPE) return;
      if (e.event === 'tagvisor/tagsChanged') void inspector.onTagsChanged(e.session);
      if (e.event.startsWith('tagvisor/hypervisor') || e.event === 'tagvisor/hvEvent') hv.refresh(e.session);
    }),
    vscode.debug.onDidStartDebugSession(s => { if (s.type === DEBUG_TYPE) hv.refresh(s); }),
    vscode.debug.onDidTerminateDebugSession(s => { if (s.type === DEBUG_TYPE) { inspector.onTerminated(s); hv.clear(s); } }),
  );

  // ---- commands ----
  const cmd = (id: string, f: (...a: never[]) => unknown): void => { context.subscriptions.push(vscode.commands.registerCommand(id, f)); };
  cmd('tagvisor.openTagInspector', () => inspector.show());
  cmd('tagvisor.inspectTags', (arg?: { sessionId?: string; variable?: { value?: string; memoryReference?: string; evaluateName?: string } }) => {
    const v = arg?.variable;
    const address = valueOf(v?.memoryReference) ?? valueOf(v?.value);
    if (address === undefined) {
      void vscode.window.showWarningMessage(`Tagvisor: "${v?.evaluateName ?? v?.value ?? 'this value'}" is not an address.`);
      return inspector.show();
    }
    return inspector.show(undefined, address);
  });
  cmd('tagvisor.hypervisor.refresh', () => hv.refresh());
  cmd('tagvisor.hypervisor.swapOut', (n?: HvNode) => hv.swapOut(n));
  cmd('tagvisor.hypervisor.migrate', () => hv.migrate());
  cmd('tagvisor.hypervisor.convertPrivate', (n?: HvNode) => hv.convert(true, n));
  cmd('tagvisor.hypervisor.convertShared', (n?: HvNode) => hv.convert(false, n));
  cmd('tagvisor.openExample', async (name?: string) => {
    const file = typeof name === 'string' && /^[\w.-]+$/.test(name) ? name : 'use-after-free.s';
    // the workspace's own copy first (so it can be edited and debugged there), else the one shipped in the extension
    const found = await vscode.workspace.findFiles(`**/examples/${file}`, '**/node_modules/**', 1);
    const uri = found[0] ?? vscode.Uri.joinPath(context.extensionUri, 'examples', file);
    await vscode.window.showTextDocument(uri);
  });
  cmd('tagvisor.toggleHex', async () => {
    const s = vscode.debug.activeDebugSession;
    if (s?.type === DEBUG_TYPE) await s.customRequest('tagvisor/toggleHex', {});
  });

  // ---- language ----
  await startLanguageClient(context).catch(e => {
    output.appendLine(`language server: ${e instanceof Error ? e.stack : String(e)}`);
    void vscode.window.showWarningMessage(`Tagvisor: the assembly language server did not start: ${e instanceof Error ? e.message : String(e)}`);
  });
}

/** Requests after which the program runs until the next `stopped` event. */
const RUN_REQUESTS: ReadonlySet<string> = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto', 'restart']);

export function deactivate(): void { /* subscriptions dispose everything */ }
