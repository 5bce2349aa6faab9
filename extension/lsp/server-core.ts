// The guest assembly language server over any LSP connection (stdio/IPC in production, in-memory
// streams in tests). Documents are analysed with the real assembler and instruction table; the
// analysis of each version is cached and diagnostics are published after a short quiet period.
import { readFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  TextDocuments, TextDocumentSyncKind, ResponseError, ErrorCodes, DiagnosticSeverity,
  type Connection, type Diagnostic, type InitializeResult, type Location,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, type Analysis } from './analysis';
import * as F from './features';

export interface ServerOptions {
  /** Delay between the last edit and publishing diagnostics (ms). */
  debounceMs?: number;
  /** Reads included files that are not open in the editor (default: the file system). */
  readFile?: (path: string) => string | undefined;
}

/** The file name the assembler sees for a document URI (a path for file: URIs). */
export function uriToFile(uri: string, languageId?: string): string {
  if (uri.startsWith('file:')) { try { return fileURLToPath(uri); } catch { /* fall through */ } }
  // untitled and virtual documents: keep the URI, but make sure the extension selects the dialect
  return /\.(s|S|sx|asm)$/.test(uri) ? uri : `${uri}${languageId === 'tagvisor-asm' ? '.s' : ''}`;
}

export function fileToUri(file: string): string {
  return nodePath.isAbsolute(file) ? pathToFileURL(file).href : file;
}

export function startLanguageServer(connection: Connection, options: ServerOptions = {}): { dispose(): void } {
  const documents = new TextDocuments(TextDocument);
  const cache = new Map<string, { version: number; analysis: Analysis }>();
  const timers = new Map<string, NodeJS.Timeout>();
  const debounceMs = options.debounceMs ?? 200;
  const readFile = options.readFile ?? ((p: string) => { try { return readFileSync(p, 'utf8'); } catch { return undefined; } });

  const openByPath = (p: string): TextDocument | undefined => {
    for (const d of documents.all()) if (uriToFile(d.uri, d.languageId) === p) return d;
    return undefined;
  };

  const analysisOf = (doc: TextDocument): Analysis => {
    const hit = cache.get(doc.uri);
    if (hit && hit.version === doc.version) return hit.analysis;
    const file = uriToFile(doc.uri, doc.languageId);
    const analysis = analyze(doc.getText(), {
      file,
      readInclude: (path, fromFile) => {
        const dirs = [nodePath.dirname(fromFile), nodePath.dirname(file)];
        for (const dir of nodePath.isAbsolute(path) ? [''] : dirs) {
          if (dir === '' && !nodePath.isAbsolute(path)) continue;
          if (dir !== '' && !nodePath.isAbsolute(dir)) continue;
          const full = dir === '' ? path : nodePath.resolve(dir, path);
          const open = openByPath(full);
          const text = open ? open.getText() : readFile(full);
          if (text !== undefined) return { file: full, text };
        }
        return undefined;
      },
    });
    cache.set(doc.uri, { version: doc.version, analysis });
    return analysis;
  };

  const get = (uri: string): Analysis | undefined => {
    const d = documents.get(uri);
    return d ? analysisOf(d) : undefined;
  };

  const publish = (doc: TextDocument): void => {
    const a = analysisOf(doc);
    const diagnostics: Diagnostic[] = a.problems.map(p => ({
      range: p.range,
      severity: p.severity === 'error' ? DiagnosticSeverity.Error : p.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
      message: p.message,
      source: 'tagvisor-as',
      relatedInformation: p.related.length ? p.related.map(r => ({ location: { uri: fileToUri(r.file === a.file ? doc.uri : r.file), range: r.range }, message: r.message })) : undefined,
    }));
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  };

  const schedule = (doc: TextDocument, now = false): void => {
    clearTimeout(timers.get(doc.uri));
    if (now || debounceMs === 0) { timers.delete(doc.uri); publish(doc); return; }
    timers.set(doc.uri, setTimeout(() => {
      timers.delete(doc.uri);
      const cur = documents.get(doc.uri);
      if (cur) publish(cur);
    }, debounceMs));
  };

  connection.onInitialize((): InitializeResult => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      completionProvider: { triggerCharacters: ['.', '\\', '%'], resolveProvider: true },
      definitionProvider: true,
      referencesProvider: true,
      documentHighlightProvider: true,
      documentSymbolProvider: true,
      renameProvider: { prepareProvider: true },
      semanticTokensProvider: { legend: F.LEGEND, full: true },
    },
    serverInfo: { name: 'tagvisor-asm', version: '0.1.0' },
  }));

  // TextDocuments fires onDidOpen and then onDidChangeContent for an opened document: publish the
  // first analysis at once, later edits after the quiet period.
  const justOpened = new Set<string>();
  documents.onDidOpen(e => { justOpened.add(e.document.uri); });
  documents.onDidChangeContent(e => { schedule(e.document, justOpened.delete(e.document.uri)); });
  documents.onDidClose(e => {
    clearTimeout(timers.get(e.document.uri));
    timers.delete(e.document.uri);
    cache.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  const loc = (a: Analysis, uri: string, r: F.FileRange): Location => ({ uri: r.file === a.file ? uri : fileToUri(r.file), range: r.range });

  connection.onHover(p => { const a = get(p.textDocument.uri); return a ? F.hover(a, p.position) : null; });
  connection.onCompletion(p => {
    const d = documents.get(p.textDocument.uri);
    if (!d) return [];
    const lineText = d.getText({ start: { line: p.position.line, character: 0 }, end: { line: p.position.line + 1, character: 0 } }).replace(/\r?\n$/, '');
    return F.completion(analysisOf(d), p.position, lineText);
  });
  connection.onCompletionResolve(item => F.resolveCompletion(item));
  connection.onDefinition(p => { const a = get(p.textDocument.uri); return a ? F.definition(a, p.position).map(r => loc(a, p.textDocument.uri, r)) : []; });
  connection.onReferences(p => {
    const a = get(p.textDocument.uri);
    return a ? F.references(a, p.position, p.context.includeDeclaration).map(r => loc(a, p.textDocument.uri, r)) : [];
  });
  connection.onDocumentHighlight(p => { const a = get(p.textDocument.uri); return a ? F.highlights(a, p.position) : []; });
  connection.onDocumentSymbol(p => { const a = get(p.textDocument.uri); return a ? F.documentSymbols(a) : []; });
  connection.onPrepareRename(p => { const a = get(p.textDocument.uri); return a ? F.prepareRename(a, p.position) : null; });
  connection.onRenameRequest(p => {
    const a = get(p.textDocument.uri);
    if (!a) return null;
    const r = F.rename(a, p.position, p.newName);
    if ('error' in r) throw new ResponseError(ErrorCodes.InvalidRequest, r.error);
    return { changes: { [p.textDocument.uri]: r.edits.map(range => ({ range, newText: p.newName })) } };
  });
  connection.languages.semanticTokens.on(p => { const a = get(p.textDocument.uri); return { data: a ? F.semanticTokens(a) : [] }; });

  documents.listen(connection);
  return {
    dispose: () => { for (const t of timers.values()) clearTimeout(t); timers.clear(); },
  };
}
