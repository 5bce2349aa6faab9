// The Tagvisor VS Code extension: guest assembly language support, the `tagvisor` debugger glue,
// the Memory Tag Inspector and the hypervisor view.
import * as vscode from 'vscode';
import { startLanguageClient } from './client';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  await startLanguageClient(context).catch(e => {
    void vscode.window.showWarningMessage(`Tagvisor: the assembly language server did not start: ${e instanceof Error ? e.message : String(e)}`);
  });
}

export function deactivate(): void { /* subscriptions dispose everything */ }
