// Starts the guest assembly language server (dist/server.js) for `tagvisor-asm` documents.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

export const LANGUAGE_ID = 'tagvisor-asm';

export async function startLanguageClient(context: vscode.ExtensionContext): Promise<LanguageClient | undefined> {
  if (!vscode.workspace.getConfiguration('tagvisor').get<boolean>('languageServer.enable', true)) return undefined;
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: LANGUAGE_ID }],
    // included files (.include / #include) change the analysis of the files that include them
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{s,S,inc,h}') },
    diagnosticCollectionName: 'tagvisor-as',
  };
  const client = new LanguageClient('tagvisor-asm', 'Tagvisor Assembly Language Server', serverOptions, clientOptions);
  await client.start();
  context.subscriptions.push(client);
  return client;
}
