// An in-memory LSP client for the language server: two PassThrough streams, the real server
// (startLanguageServer over vscode-languageserver's node connection) on one side and a JSON-RPC
// client on the other. Nothing is spawned and no socket is opened.
import { PassThrough } from 'node:stream';
import {
  createConnection, createProtocolConnection, StreamMessageReader, StreamMessageWriter,
  type ProtocolConnection, type PublishDiagnosticsParams,
} from 'vscode-languageserver/node';
import { startLanguageServer, type ServerOptions } from '../../extension/lsp/server-core';

export interface Harness {
  client: ProtocolConnection;
  /** Resolves with the next diagnostics published for `uri` (or the one already waiting). */
  diagnostics(uri: string): Promise<PublishDiagnosticsParams>;
  open(uri: string, text: string, languageId?: string): Promise<PublishDiagnosticsParams>;
  change(uri: string, version: number, text: string): Promise<PublishDiagnosticsParams>;
  close(): void;
}

export async function startHarness(options: ServerOptions = {}): Promise<Harness> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  // Readers/writers (not raw streams), so the server does not exit the process when they end.
  const serverConn = createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  const server = startLanguageServer(serverConn, { debounceMs: 0, ...options });
  serverConn.listen();
  const client = createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  const waiting = new Map<string, ((p: PublishDiagnosticsParams) => void)[]>();
  const pending = new Map<string, PublishDiagnosticsParams[]>();
  client.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    const w = waiting.get(p.uri);
    if (w && w.length) w.shift()!(p);
    else pending.set(p.uri, [...(pending.get(p.uri) ?? []), p]);
  });
  client.listen();
  await client.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} });
  client.sendNotification('initialized', {});
  const diagnostics = (uri: string): Promise<PublishDiagnosticsParams> => {
    const q = pending.get(uri);
    if (q && q.length) return Promise.resolve(q.shift()!);
    return new Promise(resolve => waiting.set(uri, [...(waiting.get(uri) ?? []), resolve]));
  };
  return {
    client,
    diagnostics,
    open(uri, text, languageId = 'tagvisor-asm') {
      void client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
      return diagnostics(uri);
    },
    change(uri, version, text) {
      void client.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
      return diagnostics(uri);
    },
    close() {
      server.dispose();
      client.dispose();
      serverConn.dispose();
      toServer.destroy();
      toClient.destroy();
    },
  };
}
