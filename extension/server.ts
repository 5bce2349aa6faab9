// Entry point of the guest assembly language server (bundled to dist/server.js). The extension
// starts it as a Node process; the transport (IPC, stdio or a socket) comes from its command line.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startLanguageServer } from './lsp/server-core';

const connection = createConnection(ProposedFeatures.all);
startLanguageServer(connection);
connection.listen();
