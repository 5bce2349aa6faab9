// The `tagvisor` debugger glue: configuration provider (initial, dynamic, resolve) and the adapter
// descriptor factory (inline by default, a separate process by setting, or a server via debugServer).
import * as vscode from 'vscode';
import { SCENARIOS } from './scenarios';
import { completeConfig, configForFile, elfProblem, isAarch64Elf, kindByName, type DebuggableKind } from './resolve';

export const DEBUG_TYPE = 'tagvisor';

/** The file of the active editor tab (text editors, and the binary/custom editor an ELF opens in). */
export function activeFileUri(): vscode.Uri | undefined {
  const ed = vscode.window.activeTextEditor;
  if (ed && ed.document.uri.scheme === 'file') return ed.document.uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) return input.uri.scheme === 'file' ? input.uri : undefined;
  return undefined;
}

async function readHead(uri: vscode.Uri): Promise<Uint8Array | undefined> {
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.type !== vscode.FileType.File) return undefined;
    // workspace.fs has no partial read; executables of interest are small, but cap what we read
    if (stat.size > 64 * 2 ** 20) return undefined;
    return (await vscode.workspace.fs.readFile(uri)).subarray(0, 64);
  } catch { return undefined; }
}

export async function debuggableKind(uri: vscode.Uri): Promise<{ kind?: DebuggableKind; problem?: string }> {
  const byName = kindByName(uri.fsPath);
  if (byName) return { kind: byName };
  const head = await readHead(uri);
  if (!head) return {};
  if (isAarch64Elf(head)) return { kind: 'elf' };
  return { problem: elfProblem(head) };
}

export class TagvisorConfigurationProvider implements vscode.DebugConfigurationProvider {
  /** "create a launch.json": one configuration per scenario whose program exists, else the active file. */
  async provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
    const out: vscode.DebugConfiguration[] = [];
    for (const s of SCENARIOS) {
      const program = String(s.config.program);
      if (folder) {
        const p = vscode.Uri.joinPath(folder.uri, program.replace('${workspaceFolder}/', ''));
        try { await vscode.workspace.fs.stat(p); } catch { continue; }
      }
      out.push({ ...(s.config as vscode.DebugConfiguration) });
    }
    if (!out.length) {
      const uri = activeFileUri();
      const k = uri ? await debuggableKind(uri) : {};
      out.push(uri && k.kind ? configForFile(uri.fsPath, k.kind) as vscode.DebugConfiguration
        : { type: DEBUG_TYPE, request: 'launch', name: 'Debug the active file', program: '${file}', stopOnEntry: true });
    }
    return out;
  }

  async resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    const uri = activeFileUri();
    let active: { path: string; kind: DebuggableKind | undefined } | undefined;
    let problem: string | undefined;
    if (uri) {
      const k = await debuggableKind(uri);
      active = { path: uri.fsPath, kind: k.kind };
      problem = k.problem;
    }
    const r = completeConfig(config, active);
    if ('error' in r) {
      // undefined aborts the launch; null would open launch.json instead
      void vscode.window.showErrorMessage(problem && uri ? `Tagvisor cannot debug ${uri.fsPath}: ${problem}.` : `Tagvisor: ${r.error}`);
      return undefined;
    }
    return r.config as vscode.DebugConfiguration;
  }
}

/** "Run and Debug" > "Show all automatic debug configurations": the active file and the workspace's assembly files. */
export class TagvisorDynamicConfigurationProvider implements vscode.DebugConfigurationProvider {
  async provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined, token?: vscode.CancellationToken): Promise<vscode.DebugConfiguration[]> {
    const out: vscode.DebugConfiguration[] = [];
    const seen = new Set<string>();
    const uri = activeFileUri();
    if (uri) {
      const k = await debuggableKind(uri);
      if (k.kind) { out.push(configForFile(uri.fsPath, k.kind) as vscode.DebugConfiguration); seen.add(uri.fsPath); }
    }
    const pattern = folder ? new vscode.RelativePattern(folder, '**/*.{s,S}') : '**/*.{s,S}';
    for (const f of await vscode.workspace.findFiles(pattern, '**/node_modules/**', 50, token)) {
      if (seen.has(f.fsPath)) continue;
      seen.add(f.fsPath);
      out.push(configForFile(f.fsPath, 'asm') as vscode.DebugConfiguration);
    }
    return out;
  }
}

export type AdapterMode = 'inline' | 'process';

export class TagvisorAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(
    private readonly context: vscode.ExtensionContext,
    /** Creates the adapter's session class in this process (the adapter is bundled into the extension). */
    private readonly createInline: () => vscode.DebugAdapter,
  ) {}

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    const port = session.configuration.debugServer;
    if (typeof port === 'number') return new vscode.DebugAdapterServer(port, '127.0.0.1');
    const cfg = vscode.workspace.getConfiguration('tagvisor');
    const mode = cfg.get<AdapterMode>('debugAdapter.mode', 'inline');
    if (mode === 'process') {
      const program = this.context.asAbsolutePath('dist/adapter.js');
      const runtime = cfg.get<string>('debugAdapter.nodePath') || process.execPath;
      // process.execPath is Electron in desktop VS Code: ELECTRON_RUN_AS_NODE makes it a plain Node.
      return new vscode.DebugAdapterExecutable(runtime, [program], { env: { ELECTRON_RUN_AS_NODE: '1' } });
    }
    return new vscode.DebugAdapterInlineImplementation(this.createInline());
  }
}
