// The Debug Adapter Protocol session: translates DAP requests into calls on the debuggee
// (emulator/debug) and its answers into DAP responses and events. No emulation happens here.
//
// Usable three ways: inline in the extension host (`new TagvisorSession()` handed to
// vscode.DebugAdapterInlineImplementation), over stdio, or per connection of a loopback server
// (adapter/main.ts). Requests are handled one at a time, synchronously; execution runs in slices
// on the event loop so `pause` and other requests are answered while the guest runs.
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve as resolvePath } from 'node:path';
import {
  Breakpoint, BreakpointEvent, ContinuedEvent, DebugSession, Event, ExitedEvent, Handles, InitializedEvent, InvalidatedEvent,
  MemoryEvent, ModuleEvent, OutputEvent, Response, Scope, Source, StackFrame, StoppedEvent, TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { CliError, loadProgram } from '../emulator/cli/program';
import { Debuggee, EXCEPTION_FILTERS, type ExceptionFilter, type ExceptionStop, type StopInfo, type Watchpoint } from '../emulator/debug/debuggee';
import { DebugAccessError, untagged } from '../emulator/debug/memory';
import { callsFrom } from '../emulator/debug/step-targets';
import { A64 } from '../emulator/isa/table';
import { describeTaggedAddrCtrl } from '../emulator/linux/tombstone';
import { signalName, siCodeName } from '../emulator/linux/constants';
import { parseVmDescription, VmDescriptionError, type VmConfig } from '../emulator/hv/description';
import { HvError } from '../emulator/hv/errors';
import type { HvEvent } from '../emulator/hv/events';
import { ConfigError, describeValue, validateLaunchConfig, type LaunchConfig } from './config';
import { COMMANDS, EvalError, FUNCTIONS, NotAssignableError, evaluateExpression, parseLvalue, runTagCommand, type EvalContext, type Lvalue, type TagCommandContext } from './evaluate';
import { TCF_NAMES, deliveryActionText, exceptionText, hex, hex16, logicalTag, provenanceText, tagSet, untag } from './format';
import { ProvenanceColumns } from './tags';

const THREAD_ID = 1;
const HEX_CODES = Array.from('0123456789abcdef', c => c.charCodeAt(0));
/** Tag byte (as unsigned: 0..15, or 0xff for -1 = no tags) -> its character in `tagvisor/readTags`. */
const TAG_CHAR = new Uint8Array(256).fill(45); // '-'
TAG_CHAR.set(HEX_CODES);
/** Largest readMemory / writeMemory / readTags request served at once. */
export const MAX_MEMORY_REQUEST = 16 * 2 ** 20;
export const MAX_TAG_REQUEST = 2 ** 20;
/** Milliseconds of guest execution per event-loop turn. */
const SLICE_MS = 25;

export class RequestError extends Error {
  constructor(message: string) { super(message); this.name = 'RequestError'; }
}

type Args = Record<string, unknown>;

/** Argument readers that reject wrong types with a message naming the field. */
function field(cmd: string, args: Args, name: string): unknown { void cmd; return args[name]; }
function reqString(cmd: string, args: Args, name: string): string {
  const v = field(cmd, args, name);
  if (typeof v !== 'string') throw new RequestError(`${cmd}: "${name}" must be a string, got ${describeValue(v)}`);
  return v;
}
function optString(cmd: string, args: Args, name: string): string | undefined {
  const v = field(cmd, args, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new RequestError(`${cmd}: "${name}" must be a string, got ${describeValue(v)}`);
  return v;
}
function reqInt(cmd: string, args: Args, name: string, min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  const v = field(cmd, args, name);
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new RequestError(`${cmd}: "${name}" must be an integer, got ${describeValue(v)}`);
  if (v < min || v > max) throw new RequestError(`${cmd}: "${name}" must be between ${min} and ${max}, got ${v}`);
  return v;
}
function optInt(cmd: string, args: Args, name: string, dflt: number, min?: number, max?: number): number {
  return field(cmd, args, name) === undefined || field(cmd, args, name) === null ? dflt : reqInt(cmd, args, name, min, max);
}
function optBool(cmd: string, args: Args, name: string): boolean | undefined {
  const v = field(cmd, args, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new RequestError(`${cmd}: "${name}" must be true or false, got ${describeValue(v)}`);
  return v;
}
function reqArray(cmd: string, args: Args, name: string): unknown[] {
  const v = field(cmd, args, name);
  if (!Array.isArray(v)) throw new RequestError(`${cmd}: "${name}" must be an array, got ${describeValue(v)}`);
  return v;
}
function optArray(cmd: string, args: Args, name: string): unknown[] | undefined {
  const v = field(cmd, args, name);
  if (v === undefined || v === null) return undefined;
  return reqArray(cmd, args, name);
}
function obj(cmd: string, v: unknown, what: string): Args {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new RequestError(`${cmd}: ${what} must be an object, got ${describeValue(v)}`);
  return v as Args;
}

/** Parses a memory reference or address text: hex (0x...), decimal, or a bigint. */
export function parseAddress(cmd: string, v: unknown, what: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string') {
    const s = v.trim();
    if (/^0x[0-9a-f]{1,16}$/i.test(s) || /^[0-9]{1,20}$/.test(s)) {
      const b = BigInt(s);
      if (b < 1n << 64n) return b;
    }
  }
  throw new RequestError(`${cmd}: ${what} must be an address (hex like "0x401000" or decimal), got ${describeValue(v)}`);
}

interface BpRecord {
  id: number;
  kind: 'source' | 'function' | 'instruction';
  addresses: number[];
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
  hits: number;
  verified: boolean;
  message?: string;
  line?: number;
  source?: string;
}

interface DataBpRecord { id: number; dataId: string; start: number; length: number; access: Watchpoint['access']; condition?: string; hitCondition?: string; hits: number }

type Container =
  | { kind: 'registers' }
  | { kind: 'pointer'; name: string; value: bigint }
  | { kind: 'pstate' }
  | { kind: 'memtags' }
  | { kind: 'granules'; label: string; ptr: bigint; from: number; count: number }
  | { kind: 'frame'; index: number }
  | { kind: 'value'; expr: string; value: bigint }
  | { kind: 'hv' }
  | { kind: 'hvList'; what: 'slots' | 'events' | 'pointers' };

const REG_NAMES = Array.from({ length: 31 }, (_, i) => `x${i}`).concat(['sp', 'pc']);
const FLAG_NAMES = ['N', 'Z', 'C', 'V'];

export class TagvisorSession extends DebugSession {
  private dbg: Debuggee | null = null;
  private config: LaunchConfig | null = null;
  private rawLaunchArgs: Args | null = null;
  private handles = new Handles<Container>();
  private linesStartAt1 = true;
  private columnsStartAt1 = true;
  private configurationDone = false;
  private runTimer: NodeJS.Immediate | null = null;
  private hexValues = true;
  private nextBpId = 1;
  private sourceBps = new Map<string, { args: Args[]; records: BpRecord[] }>();
  private functionBps: BpRecord[] = [];
  private instructionBps: BpRecord[] = [];
  private dataBps: DataBpRecord[] = [];
  private exceptionFilterArgs: { filters: string[]; options: { filterId: string; condition?: string }[] } = { filters: [], options: [] };
  private valueNumber = 0;
  private terminated = false;
  /** Launched with `noDebug` (Run Without Debugging): no breakpoints, no exception stops, no history. */
  private noDebug = false;
  private frameCache: { pc: number; isReturnAddress: boolean; fp: bigint }[] | null = null;
  /** VM changes made by the debugger's accesses already reported since the last stop or hypervisor action (kind@gpa). */
  private hvReported = new Set<string>();

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    // The base class exits the process on any 'error' event, including a malformed message. Only
    // broken streams end the session; a bad message is reported and ignored.
    this.removeAllListeners('error');
    this.on('error', (e: { body?: unknown }) => {
      const text = String(e?.body ?? '');
      if (/^(in|out)Stream error/.test(text)) this.shutdown();
      else this.sendEvent(new OutputEvent(`tagvisor: ignored a malformed message: ${text}\n`, 'stderr'));
    });
  }

  /** The debuggee (for tests and the extension's in-process use); null before launch. */
  get debuggee(): Debuggee | null { return this.dbg; }

  // ---- message dispatch -------------------------------------------------------------------------

  override handleMessage(msg: DebugProtocol.ProtocolMessage): void {
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
      this.sendEvent(new OutputEvent(`tagvisor: ignored a message that is not an object (${describeValue(msg)})\n`, 'stderr'));
      return;
    }
    if ((msg as { type?: unknown }).type === 'request' && typeof (msg as { seq?: unknown }).seq !== 'number') {
      (msg as { seq: number }).seq = 0;
    }
    super.handleMessage(msg);
  }

  protected override dispatchRequest(request: DebugProtocol.Request): void {
    const response = new Response(request);
    const command = request.command;
    const mark = this.hvMark();
    try {
      if (typeof command !== 'string') throw new RequestError(`the request has no "command" (got ${describeValue(command)})`);
      const raw = request.arguments;
      if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
        throw new RequestError(`${command}: "arguments" must be an object, got ${describeValue(raw)}`);
      }
      const args = (raw ?? {}) as Args;
      const h = this.handler(command);
      if (!h) throw new RequestError(`unknown request '${command}'`);
      h(response, args);
    } catch (e) {
      this.fail(response, e);
    }
    if (mark) this.reportHvSideEffects(command, mark);
  }

  /** Where the VM's event log stands before a request (null when there is no VM or it is running). */
  private hvMark(): { d: Debuggee; seq: number } | null {
    const d = this.dbg;
    if (!d || !d.hvEvents || d.running) return null;
    const recent = d.hvEvents.recent;
    return { d, seq: recent.length ? recent[recent.length - 1].seq : 0 };
  }

  /**
   * While the guest is stopped, the debugger's own accesses can change the VM: reading a swapped-out
   * page through the VMM's debug path swaps it back in (do_swap_page), reading tags of a page never
   * mapped sanitises it. No stop follows, so nothing would refresh the Variables view's Hypervisor
   * scope or the Hypervisor view: after a request that changed the VM, `tagvisor/hypervisorChanged`
   * and `invalidated` (variables) say so, after its response. Access notes ('vmm-access', 'refused',
   * 'copy-tags') change nothing; a change already reported since the last stop or hypervisor action
   * (same kind, same page) is not reported again, so a refresh that repeats it cannot loop.
   */
  private reportHvSideEffects(command: string, mark: { d: Debuggee; seq: number }): void {
    const d = this.dbg;
    if (d !== mark.d || !d.hvEvents || d.running || command === 'tagvisor/hypervisorAction') return;
    const changes = d.hvEvents.recent.filter(e => e.seq > mark.seq && !HV_NOTES.has(e.kind) && !this.hvReported.has(`${e.kind}@${e.gpa}`));
    if (changes.length === 0) return;
    for (const e of changes) this.hvReported.add(`${e.kind}@${e.gpa}`);
    this.sendEvent(new Event('tagvisor/hypervisorChanged', { counts: {}, recent: changes.slice(-10).map(hvEventJson) }));
    this.sendEvent(new InvalidatedEvent(['variables']));
  }

  private fail(response: DebugProtocol.Response, e: unknown): void {
    let msg: string;
    if (e instanceof RequestError || e instanceof ConfigError || e instanceof EvalError || e instanceof DebugAccessError || e instanceof CliError) msg = e.message;
    else if (e instanceof Error) msg = `internal error: ${e.message}`;
    else msg = `internal error: ${String(e)}`;
    response.success = false;
    response.message = msg;
    response.body = { error: { id: 1, format: '{_msg}', variables: { _msg: msg }, showUser: true } };
    this.sendResponse(response);
  }

  private ok(response: DebugProtocol.Response, body?: unknown): void {
    if (body !== undefined) response.body = body;
    this.sendResponse(response);
  }

  private handler(command: string): ((r: DebugProtocol.Response, a: Args) => void) | undefined {
    const table: Record<string, (r: DebugProtocol.Response, a: Args) => void> = {
      initialize: this.initialize, launch: this.launch, attach: this.attach, configurationDone: this.configDone,
      disconnect: this.disconnect, terminate: this.terminate, restart: this.restart,
      threads: this.threads, setBreakpoints: this.setBreakpoints, setFunctionBreakpoints: this.setFunctionBreakpoints,
      setInstructionBreakpoints: this.setInstructionBreakpoints, setExceptionBreakpoints: this.setExceptionBreakpoints,
      breakpointLocations: this.breakpointLocations, dataBreakpointInfo: this.dataBreakpointInfo, setDataBreakpoints: this.setDataBreakpoints,
      continue: this.continue, next: this.next, stepIn: this.stepIn, stepOut: this.stepOut, pause: this.pause,
      stepBack: this.stepBack, reverseContinue: this.reverseContinue, goto: this.goto, gotoTargets: this.gotoTargets,
      stepInTargets: this.stepInTargets, modules: this.modules, setExpression: this.setExpression,
      stackTrace: this.stackTrace, scopes: this.scopes, variables: this.variables, setVariable: this.setVariable,
      source: this.source, loadedSources: this.loadedSources, evaluate: this.evaluate, completions: this.completions,
      exceptionInfo: this.exceptionInfo, readMemory: this.readMemory, writeMemory: this.writeMemory, disassemble: this.disassemble,
      cancel: this.cancel,
      'tagvisor/readTags': this.readTags, 'tagvisor/tagHistory': this.tagHistory, 'tagvisor/writeTags': this.writeTags,
      'tagvisor/goToStep': this.goToStep, 'tagvisor/toggleHex': this.toggleHex, 'tagvisor/status': this.status,
      'tagvisor/hypervisor': this.hypervisor, 'tagvisor/hypervisorAction': this.hypervisorAction,
    };
    return Object.prototype.hasOwnProperty.call(table, command) ? table[command].bind(this) : undefined;
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private need(cmd: string): Debuggee {
    if (!this.dbg) throw new RequestError(`${cmd}: no program is running (send "launch" first)`);
    return this.dbg;
  }

  private stopped(cmd: string): Debuggee {
    const d = this.need(cmd);
    if (d.running) throw new RequestError(`${cmd}: the program is running; pause it first`);
    return d;
  }

  private toClientLine(l: number): number { return this.linesStartAt1 ? l : l - 1; }
  private fromClientLine(l: number): number { return this.linesStartAt1 ? l : l + 1; }
  private toClientColumn(c: number): number { return this.columnsStartAt1 ? c : c - 1; }

  private symbolLabel(addr: number): string | undefined {
    return this.dbg?.symbols.label(addr);
  }

  /** deliveryActionText with the handler's symbol. */
  private deliveryAction(s: NonNullable<ExceptionStop['signal']>): string {
    return deliveryActionText(s, a => (a < 2n ** 53n ? this.symbolLabel(Number(a)) : undefined));
  }

  private insnText(pc: number): string {
    const w = this.dbg?.readWord(pc);
    if (w === undefined) return '(unreadable)';
    const d = A64.disassemble(w, { pc, symbolize: a => this.symbolLabel(a) });
    return `${d.mnemonic}${d.operands ? ' ' + d.operands : ''}`;
  }

  private fmt(v: bigint): string { return this.hexValues ? hex(v) : BigInt.asUintN(64, v).toString(10); }

  private evalContext(d: Debuggee, vars?: Record<string, bigint>): TagCommandContext {
    return {
      register: name => this.readRegister(d, name),
      symbol: name => d.symbols.value(name),
      read: (addr, size) => {
        const r = d.memory.read(addr, size);
        if (r.unreadable) throw new EvalError(`cannot read ${size} byte(s) at ${hex(addr)}: ${r.reason}`);
        let v = 0n;
        for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(r.bytes[i]);
        return v;
      },
      allocationTag: addr => d.memory.readTags(addr, 1)[0],
      setAllocationTags: (addr, tags) => {
        try { this.writeTagsAt(d, addr, tags); return true; } catch (e) { if (e instanceof DebugAccessError) return false; throw e; }
      },
      nextValueNumber: () => ++this.valueNumber,
      variables: vars,
    };
  }

  private readRegister(d: Debuggee, name: string): bigint | undefined {
    const c = d.cpu;
    const n = name.toLowerCase();
    let m = /^x([0-9]|[12][0-9]|30)$/.exec(n);
    if (m) return c.x[Number(m[1])];
    m = /^w([0-9]|[12][0-9]|30)$/.exec(n);
    if (m) return c.x[Number(m[1])] & 0xffff_ffffn;
    switch (n) {
      case 'sp': return c.x[32];
      case 'pc': return BigInt(c.pc);
      case 'lr': return c.x[30];
      case 'fp': return c.x[29];
      case 'xzr': case 'wzr': return 0n;
      case 'nzcv': return BigInt(c.nzcv);
      case 'n': return BigInt(c.nf);
      case 'z': return BigInt(c.zf);
      case 'c': return BigInt(c.cf);
      case 'v': return BigInt(c.vf);
      case 'tco': return BigInt(c.tco);
      case 'tcf0': return BigInt(c.tcf0);
      case 'gcr_el1': case 'gcr': return BigInt(c.gcrExclude | (c.gcrRrnd << 16));
      case 'rgsr_el1': case 'rgsr': return BigInt(c.rgsr);
      case 'tfsre0_el1': case 'tfsre0': return BigInt(c.tfsre0);
      case 'tpidr_el0': case 'tpidr': return c.tpidr;
      case 'steps': case 'step': return BigInt(d.position);
      default: return undefined;
    }
  }

  private writeRegister(d: Debuggee, name: string, v: bigint): boolean {
    const c = d.cpu;
    const n = name.toLowerCase();
    v = BigInt.asUintN(64, v);
    const m = /^x([0-9]|[12][0-9]|30)$/.exec(n);
    if (m) c.x[Number(m[1])] = v;
    else if (n === 'lr') c.x[30] = v;
    else if (n === 'fp') c.x[29] = v;
    else if (n === 'sp') c.x[32] = v;
    else if (n === 'pc') {
      if (v % 4n !== 0n || v >= 1n << 48n) throw new RequestError(`pc must be a 4-byte aligned user address, got ${hex(v)}`);
      c.pc = Number(v);
    } else if (n === 'n' || n === 'z' || n === 'c' || n === 'v' || n === 'tco') {
      if (v > 1n) throw new RequestError(`${name.toUpperCase()} is one bit: 0 or 1, got ${v}`);
      const b = Number(v);
      if (n === 'n') c.nf = b; else if (n === 'z') c.zf = b; else if (n === 'c') c.cf = b; else if (n === 'v') c.vf = b; else c.tco = b;
    } else if (n === 'nzcv') c.nzcv = Number(v & 0xf000_0000n);
    else return false;
    d.stateEdited();
    return true;
  }

  private writeTagsAt(d: Debuggee, addr: bigint, tags: number[]): void {
    const a = untagged(addr);
    if (a < 0) throw new DebugAccessError(`${hex(addr)} is not a user address`);
    const g0 = a - (a % 16);
    const before = d.memory.readTags(BigInt(g0), tags.length);
    d.memory.writeTags(BigInt(g0), tags);
    for (let i = 0; i < tags.length; i++) d.noteDebuggerTagWrite(g0 + i * 16, before[i], tags[i]);
    d.stateEdited();
    this.sendEvent(new Event('tagvisor/tagsChanged', { low: hex(g0), high: hex(g0 + tags.length * 16), count: tags.length, by: 'debugger' }));
  }

  // ---- lifecycle --------------------------------------------------------------------------------

  private initialize(response: DebugProtocol.Response, args: Args): void {
    const l = optBool('initialize', args, 'linesStartAt1');
    const c = optBool('initialize', args, 'columnsStartAt1');
    const pf = optString('initialize', args, 'pathFormat');
    if (pf !== undefined && pf !== 'path') throw new RequestError(`initialize: only "pathFormat": "path" is supported, got ${JSON.stringify(pf)}`);
    this.linesStartAt1 = l ?? true;
    this.columnsStartAt1 = c ?? true;
    const filter = (id: ExceptionFilter, label: string, description: string, conditionDescription: string, dflt: boolean): DebugProtocol.ExceptionBreakpointsFilter =>
      ({ filter: id, label, description, default: dflt, supportsCondition: true, conditionDescription });
    const caps: DebugProtocol.Capabilities = {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsEvaluateForHovers: true,
      exceptionBreakpointFilters: [
        filter('tag-check-sync', 'Tag check fault (sync)', 'Stop at a load or store whose logical tag does not match the allocation tag (synchronous mode: the access is not performed).', 'An expression, e.g. `$write` or `$logical_tag == 5` ($fault_address, $logical_tag, $allocation_tag, $size, $write, $pc)', true),
        filter('tag-check-async', 'Tag check fault (async)', 'Stop at the access that makes an asynchronous tag-check mismatch, before it is performed (Linux would only report it at the next kernel entry).', 'An expression over $fault_address, $logical_tag, $allocation_tag, $size, $write, $pc', true),
        filter('tag-check-asymm', 'Tag check fault (asymmetric)', 'Asymmetric mode: loads fault synchronously, stores are reported asynchronously.', 'An expression over $fault_address, $logical_tag, $allocation_tag, $size, $write, $pc', true),
        filter('signal', 'Signals', 'Stop before a signal is delivered: at the faulting instruction for SIGSEGV, SIGBUS, SIGILL, SIGTRAP from faults; at the kernel exit that delivers it for any other signal (kill, abort, alarm...). Ignored signals do not stop.', 'Signal names or numbers, e.g. `SIGSEGV, SIGBUS`', true),
        filter('hypervisor', 'Hypervisor events', 'Stop on hypervisor events: stage-2 refusals, memory-fault exits, swap-in, migration finished.', 'Event kinds, e.g. `refused, swap-in, memory-fault-exit, migration-complete`', false),
      ],
      supportsStepBack: true,
      supportsSetVariable: true,
      supportsRestartFrame: false,
      supportsGotoTargetsRequest: true,
      supportsStepInTargetsRequest: true,
      supportsCompletionsRequest: true,
      completionTriggerCharacters: ['.', ' ', '('],
      supportsModulesRequest: true,
      additionalModuleColumns: [{ attributeName: 'lineInfo', label: 'Line info', type: 'string' }],
      supportsRestartRequest: true,
      supportsExceptionOptions: false,
      supportsValueFormattingOptions: true,
      supportsExceptionInfoRequest: true,
      supportTerminateDebuggee: true,
      supportsDelayedStackTraceLoading: true,
      supportsLoadedSourcesRequest: true,
      supportsLogPoints: true,
      supportsTerminateThreadsRequest: false,
      supportsSetExpression: true,
      supportsTerminateRequest: true,
      supportsDataBreakpoints: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsDisassembleRequest: true,
      supportsCancelRequest: true,
      supportsBreakpointLocationsRequest: true,
      supportsClipboardContext: true,
      supportsSteppingGranularity: true,
      supportsInstructionBreakpoints: true,
      supportsExceptionFilterOptions: true,
      supportsSingleThreadExecutionRequests: false,
      supportsDataBreakpointBytes: true,
      breakpointModes: [
        { mode: 'data', label: 'Memory', description: 'Break when the program reads or writes these bytes', appliesTo: ['data'] },
        { mode: 'tags', label: 'Allocation tags', description: 'Break when an allocation tag of a granule in this range changes', appliesTo: ['data'] },
      ],
    };
    this.ok(response, caps);
  }

  private attach(_response: DebugProtocol.Response, _args: Args): void {
    throw new RequestError('attach: Tagvisor runs the program itself; use "request": "launch"');
  }

  private launch(response: DebugProtocol.Response, args: Args): void {
    if (this.dbg) throw new RequestError('launch: a program is already running in this session');
    this.startProgram(args);
    this.ok(response);
    this.sendEvent(new ModuleEvent('new', this.moduleInfo(this.dbg!)));
    this.sendEvent(new InitializedEvent());
  }

  /** Validates the configuration and builds the machine. Throws RequestError / ConfigError. */
  private startProgram(args: Args): void {
    const { config, unknownFields } = validateLaunchConfig(args, {
      baseDir: process.cwd(), resolve: (b, p) => resolvePath(b, p), dirname,
    });
    let st;
    try { st = statSync(config.program); } catch { throw new RequestError(`launch.json: "program": ${config.program}: no such file`); }
    if (st.isDirectory()) throw new RequestError(`launch.json: "program": ${config.program} is a directory`);
    try { if (!statSync(config.cwd).isDirectory()) throw new Error(); } catch { throw new RequestError(`launch.json: "cwd": ${config.cwd} is not a directory`); }
    let vm: VmConfig | undefined;
    if (config.vm !== undefined) {
      try { vm = parseVmDescription(config.vm, 'vm'); } catch (e) {
        if (e instanceof VmDescriptionError) throw new RequestError(`launch.json: ${e.message}`);
        throw e;
      }
    }
    let program;
    try { program = loadProgram(config.program); } catch (e) {
      if (e instanceof CliError) throw new RequestError(`launch.json: "program": ${e.message}`);
      throw e;
    }
    this.noDebug = args.noDebug === true;
    if (this.noDebug) { config.stopOnEntry = false; config.historySize = 0; }
    let d: Debuggee;
    try {
      d = new Debuggee({ program, args: config.args, env: config.env, cwd: config.cwd, seed: config.seed, historySize: config.historySize, vm });
    } catch (e) {
      if (e instanceof HvError) throw new RequestError(`launch.json: "vm": the hypervisor refused the VM: ${e.message}`);
      throw e;
    }
    this.dbg = d;
    this.config = config;
    this.rawLaunchArgs = args;
    this.terminated = false;
    d.on('output', o => this.sendEvent(new OutputEvent(o.text, o.category)));
    d.on('tagsChanged', t => this.sendEvent(new Event('tagvisor/tagsChanged', { low: hex(t.low), high: hex(t.high + 16), count: t.count, by: 'guest' })));
    d.on('hypervisor', h => this.sendEvent(new Event('tagvisor/hypervisorChanged', { counts: h.counts, recent: h.recent.slice(-10).map(hvEventJson) })));
    d.breakpointFilter = pc => this.breakpointHit(pc);
    this.applyExceptionFilters();
    this.applyBreakpoints();
    if (unknownFields.length) this.sendEvent(new OutputEvent(`launch.json: ignoring unknown field(s) ${unknownFields.map(f => `"${f}"`).join(', ')}\n`, 'console'));
  }

  private configDone(response: DebugProtocol.Response, _args: Args): void {
    this.ok(response);
    if (this.configurationDone) return;
    this.configurationDone = true;
    this.begin();
  }

  /** After launch/restart: stop on entry or run. */
  private begin(): void {
    const d = this.dbg;
    if (!d || !this.configurationDone) return;
    if (this.config?.stopOnEntry) this.reportStop({ reason: 'entry' });
    else this.run({ kind: 'continue' });
  }

  private stopRunning(): void {
    if (this.runTimer) { clearImmediate(this.runTimer); this.runTimer = null; }
  }

  private disconnect(response: DebugProtocol.Response, _args: Args): void {
    this.stopRunning();
    this.dbg = null;
    this.ok(response);
    this.shutdown();
  }

  private terminate(response: DebugProtocol.Response, _args: Args): void {
    this.stopRunning();
    this.ok(response);
    if (!this.terminated) { this.terminated = true; this.sendEvent(new TerminatedEvent()); }
  }

  private restart(response: DebugProtocol.Response, args: Args): void {
    const a = args.arguments !== undefined ? obj('restart', args.arguments, '"arguments"') : this.rawLaunchArgs;
    if (!a) throw new RequestError('restart: nothing was launched yet');
    this.stopRunning();
    const old = this.dbg;
    this.dbg = null;
    try {
      this.startProgram(a);
    } catch (e) {
      this.dbg = old;
      throw e;
    }
    this.handles.reset();
    this.frameCache = null;
    this.ok(response);
    // One module per session (id 1): the program restarted, possibly rebuilt or another one.
    this.sendEvent(new ModuleEvent('changed', this.moduleInfo(this.dbg!)));
    this.sendEvent(new InvalidatedEvent(['all']));
    this.begin();
  }

  private threads(response: DebugProtocol.Response, _args: Args): void {
    this.ok(response, { threads: [new Thread(THREAD_ID, 'vCPU 0')] });
  }

  private cancel(response: DebugProtocol.Response, _args: Args): void {
    // Requests are answered synchronously: there is never one in flight to cancel.
    this.ok(response);
  }

  // ---- running ----------------------------------------------------------------------------------

  private checkThread(cmd: string, args: Args): void {
    const t = field(cmd, args, 'threadId');
    if (t !== undefined && t !== THREAD_ID) throw new RequestError(`${cmd}: unknown thread ${JSON.stringify(t)} (the only thread is ${THREAD_ID}, "vCPU 0")`);
  }

  private granularity(cmd: string, args: Args): 'line' | 'instruction' {
    const g = optString(cmd, args, 'granularity');
    if (g === undefined || g === 'statement' || g === 'line') return 'line';
    if (g === 'instruction') return 'instruction';
    throw new RequestError(`${cmd}: "granularity" must be "statement", "line" or "instruction", got ${JSON.stringify(g)}`);
  }

  private run(mode: Parameters<Debuggee['resume']>[0]): void {
    const d = this.dbg!;
    this.handles.reset();
    this.frameCache = null;
    this.hvReported.clear();
    d.resume(mode);
    this.schedule();
  }

  private schedule(): void {
    if (this.runTimer) return;
    this.runTimer = setImmediate(() => {
      this.runTimer = null;
      const d = this.dbg;
      if (!d || !d.running) return;
      let s: StopInfo | null;
      try {
        s = d.runFor(SLICE_MS);
      } catch (e) {
        this.sendEvent(new OutputEvent(`tagvisor: internal error while running: ${(e as Error).stack ?? e}\n`, 'stderr'));
        s = { reason: 'pause' };
      }
      if (s) this.reportStop(s); else this.schedule();
    });
  }

  private reportStop(s: StopInfo): void {
    const d = this.dbg;
    if (!d) return;
    this.handles.reset();
    this.frameCache = null;
    this.hvReported.clear();
    switch (s.reason) {
      case 'exited': {
        const st = s.status;
        const code = st.signal !== null ? 128 + st.signal : st.code ?? 0;
        if (st.signal !== null) {
          const info = st.info;
          this.sendEvent(new OutputEvent(`Program terminated by signal ${st.signal} (${info ? `${signalNameOf(d, st.signal)}, ${siCodeOf(d, info.signo, info.code)}` : ''})${st.core ? ', core dumped' : ''}.\n`, 'console'));
        } else {
          this.sendEvent(new OutputEvent(`Program exited with code ${st.code}.\n`, 'console'));
        }
        this.sendEvent(new ExitedEvent(code));
        if (!this.terminated) { this.terminated = true; this.sendEvent(new TerminatedEvent()); }
        return;
      }
      case 'exception': {
        const ev = new StoppedEvent('exception', THREAD_ID, exceptionText(s.exception)) as DebugProtocol.StoppedEvent;
        ev.body.description = exceptionText(s.exception);
        this.sendEvent(ev);
        return;
      }
      case 'breakpoint': {
        const ids = this.recordsAt(s.pc).map(r => r.id);
        const ev = new StoppedEvent('breakpoint', THREAD_ID) as DebugProtocol.StoppedEvent;
        const kinds = new Set(this.recordsAt(s.pc).map(r => r.kind));
        if (kinds.size === 1 && kinds.has('function')) ev.body.reason = 'function breakpoint';
        else if (kinds.size === 1 && kinds.has('instruction')) ev.body.reason = 'instruction breakpoint';
        ev.body.hitBreakpointIds = ids;
        this.sendEvent(ev);
        return;
      }
      case 'data breakpoint': {
        const h = s.hit;
        const ev = new StoppedEvent('data breakpoint', THREAD_ID) as DebugProtocol.StoppedEvent;
        ev.body.hitBreakpointIds = [h.id];
        ev.body.description = h.kind === 'tag'
          ? `Allocation tag of granule ${hex(untag(h.va) & ~15n)} changed ${hex(h.oldTag ?? 0)} -> ${hex(h.newTag ?? 0)} by ${this.insnText(h.pc)} at ${hex(h.pc)}`
          : `${h.write ? 'Write' : 'Read'} of ${h.size} byte(s) at ${hex(h.va)} by ${this.insnText(h.pc)} at ${hex(h.pc)}`;
        ev.body.text = ev.body.description;
        this.sendEvent(ev);
        return;
      }
      case 'blocked': {
        this.sendEvent(new OutputEvent(`The program is blocked forever in ${s.syscall}() (no input or nothing to wait for).\n`, 'console'));
        this.sendEvent(new StoppedEvent('pause', THREAD_ID));
        return;
      }
      case 'history start': {
        this.sendEvent(new OutputEvent(`${s.message}\n`, 'console'));
        this.sendEvent(new StoppedEvent('step', THREAD_ID));
        return;
      }
      default:
        this.sendEvent(new StoppedEvent(s.reason, THREAD_ID));
    }
  }

  private continue(response: DebugProtocol.Response, args: Args): void {
    this.checkThread('continue', args);
    const d = this.stopped('continue');
    this.ok(response, { allThreadsContinued: true });
    if (d.exited) { this.reportStop({ reason: 'exited', status: d.exited }); return; }
    this.run({ kind: 'continue' });
  }

  private next(response: DebugProtocol.Response, args: Args): void {
    this.checkThread('next', args);
    const g = this.granularity('next', args);
    const d = this.stopped('next');
    this.ok(response);
    if (d.exited) { this.reportStop({ reason: 'exited', status: d.exited }); return; }
    this.run({ kind: 'next', granularity: g });
  }

  private stepIn(response: DebugProtocol.Response, args: Args): void {
    this.checkThread('stepIn', args);
    const g = this.granularity('stepIn', args);
    const t = field('stepIn', args, 'targetId');
    const target = t === undefined || t === null ? undefined : reqInt('stepIn', args, 'targetId', 0);
    const d = this.stopped('stepIn');
    if (target !== undefined && !d.exited) {
      const targets = this.stepTargets(d);
      if (!targets.some(x => x.id === target)) {
        throw new RequestError(`stepIn: unknown "targetId" ${target}: ${targets.length ? `the step-in targets here are ${targets.map(x => `${x.id} (${x.label})`).join(', ')}` : 'there is no call on the current line'} (ask "stepInTargets" again after each stop)`);
      }
    }
    this.ok(response);
    if (d.exited) { this.reportStop({ reason: 'exited', status: d.exited }); return; }
    // With a target the step covers what stepInTargets listed (the rest of the line, or the
    // instruction at pc without line information), whatever the granularity.
    this.run(target !== undefined ? { kind: 'stepIn', granularity: 'line', target: { call: target, from: d.pc } } : { kind: 'stepIn', granularity: g });
  }

  /**
   * The step-in targets at pc: each call (BL, BLR) from pc to the end of its source line, or the
   * call at pc when it has no line. The id is the call instruction's address.
   */
  private stepTargets(d: Debuggee): DebugProtocol.StepInTarget[] {
    const cpu = d.cpu;
    const { calls } = callsFrom({ pc: d.pc, readWord: a => d.readWord(a), lineAt: a => d.source.lineAt(a), register: n => cpu.x[n] });
    const sym = (a: number): string | undefined => d.symbols.label(a);
    const labels = calls.map(c => {
      if (c.kind === 'bl') return sym(c.target!) ?? hex(c.target!);
      const reg = c.register === 31 ? 'xzr' : `x${c.register}`;
      if (c.target === undefined) return `blr ${reg} -> ? (${reg} changes before the call)`;
      return `blr ${reg} -> ${sym(c.target) ?? hex(c.value ?? 0n)}`;
    });
    return calls.map((c, i) => {
      const dup = labels.some((l, k) => k !== i && l === labels[i]);
      const t: DebugProtocol.StepInTarget = { id: c.site, label: dup ? `${labels[i]} (call at ${hex(c.site)})` : labels[i] };
      if (c.location) { t.line = this.toClientLine(c.location.line); t.column = this.toClientColumn(c.location.column); }
      return t;
    });
  }

  private stepInTargets(response: DebugProtocol.Response, args: Args): void {
    const frameId = reqInt('stepInTargets', args, 'frameId', 0);
    const d = this.stopped('stepInTargets');
    const frames = this.frames(d);
    if (frameId >= frames.length) throw new RequestError(`stepInTargets: unknown frame ${frameId} (there are ${frames.length})`);
    // Only the innermost frame can step; a caller's line has no targets to step into from here.
    this.ok(response, { targets: frameId > 0 || d.exited ? [] : this.stepTargets(d) });
  }

  private stepOut(response: DebugProtocol.Response, args: Args): void {
    this.checkThread('stepOut', args);
    this.granularity('stepOut', args);
    const d = this.stopped('stepOut');
    this.ok(response);
    if (d.exited) { this.reportStop({ reason: 'exited', status: d.exited }); return; }
    this.run({ kind: 'stepOut' });
  }

  private pause(response: DebugProtocol.Response, args: Args): void {
    this.checkThread('pause', args);
    const d = this.need('pause');
    this.ok(response);
    if (d.running) d.pause();
    else this.reportStop({ reason: 'pause' });
  }

  private stepBack(response: DebugProtocol.Response, args: Args): void {
    this.checkThread('stepBack', args);
    const g = this.granularity('stepBack', args);
    const d = this.stopped('stepBack');
    this.ok(response);
    this.reportStop(d.stepBack(g));
  }

  private reverseContinue(response: DebugProtocol.Response, args: Args): void {
    this.checkThread('reverseContinue', args);
    const d = this.stopped('reverseContinue');
    this.ok(response);
    this.reportStop(d.reverseContinue());
  }

  private gotoTargets(response: DebugProtocol.Response, args: Args): void {
    const d = this.stopped('gotoTargets');
    const src = obj('gotoTargets', field('gotoTargets', args, 'source'), '"source"');
    const path = reqString('gotoTargets', src, 'path');
    const line = this.fromClientLine(reqInt('gotoTargets', args, 'line', 0));
    const p = d.source.place(path, line);
    const targets: DebugProtocol.GotoTarget[] = p && p.line === line
      ? p.addresses.map(a => ({ id: a, label: `${hex(a)}${this.symbolLabel(a) ? ' <' + this.symbolLabel(a) + '>' : ''}`, line: this.toClientLine(p.line), instructionPointerReference: hex(a) }))
      : [];
    this.ok(response, { targets });
  }

  private goto(response: DebugProtocol.Response, args: Args): void {
    this.checkThread('goto', args);
    const d = this.stopped('goto');
    const target = reqInt('goto', args, 'targetId', 0, 2 ** 48 - 4);
    if (target % 4 !== 0) throw new RequestError(`goto: target ${hex(target)} is not 4-byte aligned`);
    if (d.readWord(target) === undefined) throw new RequestError(`goto: ${hex(target)} is not mapped`);
    if (d.exited) throw new RequestError('goto: the program has exited');
    d.setPc(target);
    this.ok(response);
    this.reportStop({ reason: 'goto' });
  }

  // ---- breakpoints ------------------------------------------------------------------------------

  private recordsAt(pc: number): BpRecord[] {
    const out: BpRecord[] = [];
    for (const { records } of this.sourceBps.values()) for (const r of records) if (r.addresses.includes(pc)) out.push(r);
    for (const r of this.functionBps) if (r.addresses.includes(pc)) out.push(r);
    for (const r of this.instructionBps) if (r.addresses.includes(pc)) out.push(r);
    return out;
  }

  private applyBreakpoints(): void {
    const d = this.dbg;
    if (!d) return;
    // Re-resolve source breakpoints (the program may have changed on restart).
    for (const [path, e] of this.sourceBps) {
      const fresh = this.resolveSourceBps(path, e.args, e.records);
      e.records = fresh;
    }
    for (const r of this.functionBps) this.resolveFunction(r);
    const all = new Set<number>();
    for (const { records } of this.sourceBps.values()) for (const r of records) r.addresses.forEach(a => all.add(a));
    for (const r of this.functionBps) r.addresses.forEach(a => all.add(a));
    for (const r of this.instructionBps) r.addresses.forEach(a => all.add(a));
    d.setBreakpoints(this.noDebug ? [] : all);
    this.applyWatchpoints();
  }

  private resolveSourceBps(path: string, list: Args[], old: BpRecord[]): BpRecord[] {
    const d = this.dbg;
    return list.map((b, i) => {
      const id = old[i]?.id ?? this.nextBpId++;
      const line = this.fromClientLine(reqInt('setBreakpoints', b, 'line', 0));
      const rec: BpRecord = {
        id, kind: 'source', addresses: [], hits: 0, verified: false, source: path, line,
        condition: optString('setBreakpoints', b, 'condition'), hitCondition: optString('setBreakpoints', b, 'hitCondition'),
        logMessage: optString('setBreakpoints', b, 'logMessage'),
      };
      if (rec.hitCondition !== undefined) parseHitCondition(rec.hitCondition);
      if (!d) { rec.message = 'the program is not loaded yet'; return rec; }
      const p = d.source.place(path, line);
      if (!p) { rec.message = d.source.match(path) ? `no code at or after line ${this.toClientLine(line)}` : 'this file has no code in the program being debugged'; return rec; }
      rec.addresses = p.addresses;
      rec.line = p.line;
      rec.verified = true;
      return rec;
    });
  }

  private bpToDap(r: BpRecord): DebugProtocol.Breakpoint {
    const b = new Breakpoint(r.verified) as DebugProtocol.Breakpoint;
    b.id = r.id;
    if (r.line !== undefined) b.line = this.toClientLine(r.line);
    if (r.source) b.source = new Source(r.source.split('/').pop()!, r.source);
    if (r.message) b.message = r.message;
    if (r.addresses.length) b.instructionReference = hex(r.addresses[0]);
    return b;
  }

  private setBreakpoints(response: DebugProtocol.Response, args: Args): void {
    const src = obj('setBreakpoints', field('setBreakpoints', args, 'source'), '"source"');
    const path = optString('setBreakpoints', src, 'path');
    if (path === undefined) throw new RequestError('setBreakpoints: "source.path" is required (sources without a path have no breakpoints)');
    const list = (optArray('setBreakpoints', args, 'breakpoints') ?? (optArray('setBreakpoints', args, 'lines') ?? []).map(l => ({ line: l }))).map((b, i) => obj('setBreakpoints', b, `"breakpoints[${i}]"`));
    if (list.length > 10000) throw new RequestError('setBreakpoints: at most 10000 breakpoints per file');
    const old = this.sourceBps.get(path)?.records ?? [];
    const records = this.resolveSourceBps(path, list, old.length === list.length ? old : []);
    this.sourceBps.set(path, { args: list, records });
    if (records.length === 0) this.sourceBps.delete(path);
    this.applyBreakpoints();
    this.ok(response, { breakpoints: records.map(r => this.bpToDap(r)) });
  }

  private resolveFunction(r: BpRecord): void {
    const d = this.dbg;
    r.addresses = [];
    r.verified = false;
    if (!d) { r.message = 'the program is not loaded yet'; return; }
    const a = d.symbols.breakAddress(r.source!);
    if (a === undefined) { r.message = `no symbol named '${r.source}'`; return; }
    r.addresses = [a];
    r.verified = true;
    r.message = undefined;
    const loc = d.source.lineAt(a);
    r.line = loc?.line;
  }

  private setFunctionBreakpoints(response: DebugProtocol.Response, args: Args): void {
    const list = reqArray('setFunctionBreakpoints', args, 'breakpoints').map((b, i) => obj('setFunctionBreakpoints', b, `"breakpoints[${i}]"`));
    if (list.length > 10000) throw new RequestError('setFunctionBreakpoints: at most 10000 breakpoints');
    this.functionBps = list.map(b => {
      const name = reqString('setFunctionBreakpoints', b, 'name').trim();
      const r: BpRecord = {
        id: this.nextBpId++, kind: 'function', addresses: [], hits: 0, verified: false, source: name,
        condition: optString('setFunctionBreakpoints', b, 'condition'), hitCondition: optString('setFunctionBreakpoints', b, 'hitCondition'),
      };
      if (r.hitCondition !== undefined) parseHitCondition(r.hitCondition);
      this.resolveFunction(r);
      return r;
    });
    this.applyBreakpoints();
    this.ok(response, {
      breakpoints: this.functionBps.map(r => {
        const b = new Breakpoint(r.verified) as DebugProtocol.Breakpoint;
        b.id = r.id;
        if (r.message) b.message = r.message;
        if (r.addresses.length) b.instructionReference = hex(r.addresses[0]);
        const loc = r.addresses.length ? this.dbg?.source.lineAt(r.addresses[0]) : undefined;
        if (loc) { b.source = new Source(loc.file.split('/').pop()!, loc.file); b.line = this.toClientLine(loc.line); }
        return b;
      }),
    });
  }

  private setInstructionBreakpoints(response: DebugProtocol.Response, args: Args): void {
    const list = reqArray('setInstructionBreakpoints', args, 'breakpoints').map((b, i) => obj('setInstructionBreakpoints', b, `"breakpoints[${i}]"`));
    if (list.length > 10000) throw new RequestError('setInstructionBreakpoints: at most 10000 breakpoints');
    this.instructionBps = list.map(b => {
      const ref = parseAddress('setInstructionBreakpoints', field('setInstructionBreakpoints', b, 'instructionReference'), '"instructionReference"');
      const off = optInt('setInstructionBreakpoints', b, 'offset', 0, -(2 ** 48), 2 ** 48);
      const r: BpRecord = {
        id: this.nextBpId++, kind: 'instruction', addresses: [], hits: 0, verified: false,
        condition: optString('setInstructionBreakpoints', b, 'condition'), hitCondition: optString('setInstructionBreakpoints', b, 'hitCondition'),
      };
      if (r.hitCondition !== undefined) parseHitCondition(r.hitCondition);
      const a = ref + BigInt(off);
      if (a < 0n || a >= 1n << 48n) r.message = `${hex(a)} is not a user address`;
      else if (a % 4n !== 0n) r.message = `${hex(a)} is not 4-byte aligned (A64 instructions are 4 bytes)`;
      else if (this.dbg && this.dbg.readWord(Number(a)) === undefined) r.message = `${hex(a)} is not mapped`;
      else { r.addresses = [Number(a)]; r.verified = true; }
      return r;
    });
    this.applyBreakpoints();
    this.ok(response, {
      breakpoints: this.instructionBps.map(r => {
        const b = new Breakpoint(r.verified) as DebugProtocol.Breakpoint;
        b.id = r.id;
        if (r.message) b.message = r.message;
        if (r.addresses.length) b.instructionReference = hex(r.addresses[0]);
        return b;
      }),
    });
  }

  /** Conditions, hit counts and logpoints of the breakpoints at pc; true = stop. */
  private breakpointHit(pc: number): boolean {
    const d = this.dbg!;
    let stop = false;
    for (const r of this.recordsAt(pc)) {
      if (r.condition && r.condition.trim() !== '') {
        try {
          if (evaluateExpression(r.condition, this.evalContext(d)) === 0n) continue;
        } catch (e) {
          if (!d.scanning) this.sendEvent(new OutputEvent(`Breakpoint ${r.id}: condition "${r.condition}" failed: ${(e as Error).message}; stopping.\n`, 'console'));
          stop = true;
          continue;
        }
      }
      if (d.scanning) { stop = stop || !r.logMessage; continue; }
      r.hits++;
      if (r.hitCondition && !parseHitCondition(r.hitCondition)(r.hits)) continue;
      if (r.logMessage !== undefined) {
        this.sendEvent(new OutputEvent(this.interpolate(d, r.logMessage) + '\n', 'console'));
        continue;
      }
      stop = true;
    }
    return stop;
  }

  private interpolate(d: Debuggee, msg: string): string {
    return msg.replace(/\{([^}]*)\}/g, (_, e: string) => {
      try { return this.fmt(evaluateExpression(e, this.evalContext(d))); } catch (err) { return `<${(err as Error).message}>`; }
    });
  }

  private breakpointLocations(response: DebugProtocol.Response, args: Args): void {
    const src = obj('breakpointLocations', field('breakpointLocations', args, 'source'), '"source"');
    const path = optString('breakpointLocations', src, 'path');
    const line = this.fromClientLine(reqInt('breakpointLocations', args, 'line', 0));
    const endLine = this.fromClientLine(optInt('breakpointLocations', args, 'endLine', this.toClientLine(line), 0));
    const d = this.dbg;
    if (!d || path === undefined) { this.ok(response, { breakpoints: [] }); return; }
    const lines = d.source.linesWithCode(path, line, Math.max(line, Math.min(endLine, line + 100000)));
    this.ok(response, { breakpoints: lines.map(l => ({ line: this.toClientLine(l.line), column: this.toClientColumn(l.column) })) });
  }

  private setExceptionBreakpoints(response: DebugProtocol.Response, args: Args): void {
    const filters = reqArray('setExceptionBreakpoints', args, 'filters').map((f, i) => {
      if (typeof f !== 'string') throw new RequestError(`setExceptionBreakpoints: "filters[${i}]" must be a string, got ${describeValue(f)}`);
      return f;
    });
    const options = (optArray('setExceptionBreakpoints', args, 'filterOptions') ?? []).map((o, i) => {
      const x = obj('setExceptionBreakpoints', o, `"filterOptions[${i}]"`);
      return { filterId: reqString('setExceptionBreakpoints', x, 'filterId'), condition: optString('setExceptionBreakpoints', x, 'condition') };
    });
    for (const id of [...filters, ...options.map(o => o.filterId)]) {
      if (!(EXCEPTION_FILTERS as readonly string[]).includes(id)) throw new RequestError(`setExceptionBreakpoints: unknown filter "${id}" (known: ${EXCEPTION_FILTERS.join(', ')})`);
    }
    // Validate conditions now so a typo is reported when it is set, not when it fires.
    for (const o of options) if (o.condition) this.compileExceptionCondition(o.filterId as ExceptionFilter, o.condition);
    this.exceptionFilterArgs = { filters, options };
    this.applyExceptionFilters();
    const all = [...filters.map(f => ({ filterId: f })), ...options];
    this.ok(response, { breakpoints: all.map(() => ({ verified: true })) });
  }

  private compileExceptionCondition(filter: ExceptionFilter, cond: string): (e: ExceptionStop) => boolean {
    if (filter === 'signal') {
      const names = cond.split(/[\s,]+/).filter(Boolean).map(s => s.toUpperCase());
      for (const n of names) if (!/^(SIG[A-Z0-9+]+|[0-9]+)$/.test(n)) throw new RequestError(`setExceptionBreakpoints: "signal" condition: ${JSON.stringify(n)} is not a signal name or number`);
      return e => !e.signal || names.length === 0 || names.includes(e.signal.name) || names.includes(String(e.signal.signo));
    }
    if (filter === 'hypervisor') {
      const kinds = cond.split(/[\s,]+/).filter(Boolean);
      return e => !e.hv || kinds.length === 0 || kinds.includes(e.hv.kind);
    }
    // Validate the expression syntax with dummy values.
    const probe: EvalContext = { register: () => 0n, symbol: () => 0n, read: () => 0n, allocationTag: () => 0, variables: conditionVars(undefined) };
    try { evaluateExpression(cond, probe); } catch (e) { throw new RequestError(`setExceptionBreakpoints: "${filter}" condition: ${(e as Error).message}`); }
    return e => {
      const d = this.dbg!;
      try { return evaluateExpression(cond, this.evalContext(d, conditionVars(e))) !== 0n; } catch { return true; }
    };
  }

  private applyExceptionFilters(): void {
    const d = this.dbg;
    if (!d) return;
    d.exceptionFilters.clear();
    if (this.noDebug) return;
    for (const f of this.exceptionFilterArgs.filters) d.exceptionFilters.set(f as ExceptionFilter, null);
    for (const o of this.exceptionFilterArgs.options) d.exceptionFilters.set(o.filterId as ExceptionFilter, o.condition ? this.compileExceptionCondition(o.filterId as ExceptionFilter, o.condition) : null);
  }

  // ---- data breakpoints ----------------------------------------------------------------------------

  private dataBreakpointInfo(response: DebugProtocol.Response, args: Args): void {
    const name = reqString('dataBreakpointInfo', args, 'name');
    const ref = field('dataBreakpointInfo', args, 'variablesReference');
    const asAddress = optBool('dataBreakpointInfo', args, 'asAddress');
    const bytes = optInt('dataBreakpointInfo', args, 'bytes', 8, 1, 2 ** 32);
    const mode = optString('dataBreakpointInfo', args, 'mode');
    const d = this.dbg;
    const none = (why: string) => this.ok(response, { dataId: null, description: why });
    if (!d) return none('no program is running');
    let addr: bigint | undefined;
    let tagGranule = mode === 'tags';
    let len = bytes;
    if (asAddress) {
      try { addr = evaluateExpression(name, this.evalContext(d)); } catch (e) { return none(`not an address: ${(e as Error).message}`); }
    } else if (typeof ref === 'number' && ref > 0) {
      const c = this.handles.get(ref);
      if (!c) return none('unknown variables reference');
      if (c.kind === 'granules') {
        const m = /^\[(0x[0-9a-f]+),/.exec(name);
        if (!m) return none('not a granule row');
        addr = BigInt(m[1]);
        tagGranule = true;
        len = 16;
      } else {
        const v = this.readRegister(d, name);
        if (v === undefined) return none(`${name} is not a register`);
        addr = v;
      }
    } else {
      try { addr = evaluateExpression(name, this.evalContext(d)); } catch (e) { return none(`cannot evaluate: ${(e as Error).message}`); }
    }
    const a = untagged(addr);
    if (a < 0) return none(`${hex(addr)} is not a user address`);
    if (tagGranule) {
      const g = a - (a % 16);
      const n = Math.ceil((a + len - g) / 16);
      this.ok(response, { dataId: `tags:${hex(g)}:${n * 16}`, description: `allocation tag(s) of ${n} granule(s) at ${hex(g)}`, accessTypes: ['write'], canPersist: false });
      return;
    }
    this.ok(response, { dataId: `mem:${hex(a)}:${len}`, description: `${len} byte(s) at ${hex(a)}`, accessTypes: ['read', 'write', 'readWrite'], canPersist: false });
  }

  private setDataBreakpoints(response: DebugProtocol.Response, args: Args): void {
    const list = reqArray('setDataBreakpoints', args, 'breakpoints').map((b, i) => obj('setDataBreakpoints', b, `"breakpoints[${i}]"`));
    if (list.length > 1000) throw new RequestError('setDataBreakpoints: at most 1000 data breakpoints');
    const out: DebugProtocol.Breakpoint[] = [];
    const recs: DataBpRecord[] = [];
    for (const b of list) {
      const dataId = reqString('setDataBreakpoints', b, 'dataId');
      const access = optString('setDataBreakpoints', b, 'accessType') ?? 'write';
      const mode = optString('setDataBreakpoints', b, 'mode');
      const m = /^(mem|tags):(0x[0-9a-f]+):([0-9]+)$/.exec(dataId);
      const id = this.nextBpId++;
      if (!m) { out.push({ id, verified: false, message: `unknown data breakpoint id ${JSON.stringify(dataId)}` }); continue; }
      if (!['read', 'write', 'readWrite'].includes(access)) throw new RequestError(`setDataBreakpoints: "accessType" must be read, write or readWrite, got ${JSON.stringify(access)}`);
      const start = Number(BigInt(m[2]));
      const length = Number(m[3]);
      if (length < 1 || start + length > 2 ** 48) { out.push({ id, verified: false, message: 'range outside user space' }); continue; }
      const tags = m[1] === 'tags' || mode === 'tags';
      const r: DataBpRecord = { id, dataId, start, length, access: tags ? 'tag' : access as Watchpoint['access'], condition: optString('setDataBreakpoints', b, 'condition'), hitCondition: optString('setDataBreakpoints', b, 'hitCondition'), hits: 0 };
      if (r.hitCondition !== undefined) parseHitCondition(r.hitCondition);
      recs.push(r);
      out.push({ id, verified: true, message: tags ? `allocation tags of [${hex(start)}, ${hex(start + length)})` : `${length} byte(s) at ${hex(start)} (${access})` });
    }
    this.dataBps = recs;
    this.applyWatchpoints();
    this.ok(response, { breakpoints: out });
  }

  private applyWatchpoints(): void {
    const d = this.dbg;
    if (!d) return;
    d.setWatchpoints(this.noDebug ? [] : this.dataBps.map(r => ({ id: r.id, start: r.start, length: r.length, access: r.access })));
  }

  // ---- stack, scopes, variables ------------------------------------------------------------------

  private frames(d: Debuggee): { pc: number; isReturnAddress: boolean; fp: bigint }[] {
    if (!this.frameCache) this.frameCache = d.frames(256);
    return this.frameCache;
  }

  private stackTrace(response: DebugProtocol.Response, args: Args): void {
    this.checkThread('stackTrace', args);
    const d = this.stopped('stackTrace');
    const start = optInt('stackTrace', args, 'startFrame', 0, 0);
    const levels = optInt('stackTrace', args, 'levels', 0, 0);
    const all = this.frames(d);
    const slice = all.slice(start, levels > 0 ? start + levels : undefined);
    const stackFrames = slice.map((f, i) => {
      const idx = start + i;
      const lookup = f.isReturnAddress ? f.pc - 4 : f.pc;
      const loc = d.source.lineAt(lookup);
      // With a source line the function name is enough; without one, name+offset says where.
      const label = this.symbolLabel(lookup);
      const name = label === undefined ? hex(f.pc) : loc || f.isReturnAddress ? label.replace(/\+0x[0-9a-f]+$/, '') : label;
      const sf = new StackFrame(idx, name, loc ? new Source(loc.file.split('/').pop()!, loc.file) : undefined,
        loc ? this.toClientLine(loc.line) : 0, loc ? this.toClientColumn(loc.column) : 0) as DebugProtocol.StackFrame;
      sf.instructionPointerReference = hex(f.pc);
      if (!loc) sf.presentationHint = 'subtle';
      return sf;
    });
    this.ok(response, { stackFrames, totalFrames: all.length });
  }

  private scopes(response: DebugProtocol.Response, args: Args): void {
    const d = this.stopped('scopes');
    const frameId = reqInt('scopes', args, 'frameId', 0);
    const frames = this.frames(d);
    if (frameId >= frames.length) throw new RequestError(`scopes: unknown frame ${frameId} (there are ${frames.length})`);
    const scopes: DebugProtocol.Scope[] = [];
    if (frameId > 0) scopes.push(new Scope('Frame', this.handles.create({ kind: 'frame', index: frameId }), false));
    const regs = new Scope('Registers', this.handles.create({ kind: 'registers' }), false) as DebugProtocol.Scope;
    regs.presentationHint = 'registers';
    regs.namedVariables = 33;
    scopes.push(regs);
    scopes.push(new Scope('PSTATE and MTE', this.handles.create({ kind: 'pstate' }), false));
    scopes.push(new Scope('Memory tags', this.handles.create({ kind: 'memtags' }), false));
    if (d.vmm) scopes.push(new Scope('Hypervisor', this.handles.create({ kind: 'hv' }), false));
    this.ok(response, { scopes });
  }

  /** A variable for a 64-bit value, expandable when it points into mapped memory. */
  private valueVar(d: Debuggee, name: string, v: bigint, evaluateName?: string): DebugProtocol.Variable {
    const a = untagged(v);
    const vma = a >= 0 ? d.memory.stage1.vmaAt(a) : undefined;
    let value = this.fmt(v);
    let ref = 0;
    // Every register value can be opened in the memory view; pointers into mapped memory also expand.
    const memoryReference = hex(v);
    if (vma) {
      ref = this.handles.create({ kind: 'pointer', name, value: v });
      if (vma.mte) {
        const t = d.memory.readTags(v, 1)[0];
        const l = logicalTag(v);
        value += t === l ? ` [tag ${hex(l)} = mem ${hex(t)}]` : ` [tag ${hex(l)} != mem ${hex(t)}: mismatch]`;
      } else {
        const sym = this.symbolLabel(a);
        if (sym && (vma.prot & 4)) value += ` <${sym}>`;
      }
    }
    return { name, value, variablesReference: ref, memoryReference, evaluateName: evaluateName ?? name };
  }

  private variables(response: DebugProtocol.Response, args: Args): void {
    const ref = reqInt('variables', args, 'variablesReference', 0);
    const d = this.stopped('variables');
    const fmtArg = field('variables', args, 'format');
    const saveHex = this.hexValues;
    if (fmtArg !== undefined && fmtArg !== null) {
      const h = optBool('variables', obj('variables', fmtArg, '"format"'), 'hex');
      if (h !== undefined) this.hexValues = h || saveHex;
    }
    try {
      const c = this.handles.get(ref);
      if (!c) throw new RequestError(`variables: unknown variablesReference ${ref} (references are only valid while stopped)`);
      let vars = this.containerVars(d, c);
      const start = optInt('variables', args, 'start', 0, 0);
      const count = optInt('variables', args, 'count', 0, 0);
      if (start || count) vars = vars.slice(start, count ? start + count : undefined);
      this.ok(response, { variables: vars });
    } finally {
      this.hexValues = saveHex;
    }
  }

  private containerVars(d: Debuggee, c: Container): DebugProtocol.Variable[] {
    const cpu = d.cpu;
    switch (c.kind) {
      case 'registers': {
        const out: DebugProtocol.Variable[] = [];
        for (let i = 0; i < 31; i++) out.push(this.valueVar(d, `x${i}`, cpu.x[i]));
        out.push(this.valueVar(d, 'sp', cpu.x[32]));
        const pcv = this.valueVar(d, 'pc', BigInt(cpu.pc));
        pcv.value = `${hex(cpu.pc)}${this.symbolLabel(cpu.pc) ? ' <' + this.symbolLabel(cpu.pc) + '>' : ''}`;
        out.push(pcv);
        return out;
      }
      case 'pointer': {
        const v = c.value;
        const a = untagged(v);
        const vma = d.memory.stage1.vmaAt(a);
        const out: DebugProtocol.Variable[] = [
          { name: 'address', value: hex(a), variablesReference: 0, memoryReference: hex(a) },
          { name: 'logical tag', value: hex(logicalTag(v)), variablesReference: 0, evaluateName: `ltag(${c.name})` },
        ];
        if (vma?.mte) {
          const t = d.memory.readTags(v, 1)[0];
          out.push({ name: 'allocation tag', value: hex(t), variablesReference: 0, evaluateName: `tag(${c.name})`, memoryReference: hex(a - (a % 16)) });
          out.push({ name: 'match', value: t === logicalTag(v) ? 'match' : `mismatch (logical ${hex(logicalTag(v))}, allocation ${hex(t)})`, variablesReference: 0 });
        } else {
          out.push({ name: 'allocation tag', value: 'none (not PROT_MTE memory: unchecked)', variablesReference: 0 });
          out.push({ name: 'match', value: 'unchecked', variablesReference: 0 });
        }
        if (vma) out.push({ name: 'region', value: `${vma.name || 'anonymous'} [${hex(vma.start)}, ${hex(vma.end)}) ${protText(vma.prot)}${vma.mte ? ' PROT_MTE' : ''}`, variablesReference: 0 });
        const sym = this.symbolLabel(a);
        if (sym) out.push({ name: 'symbol', value: sym, variablesReference: 0 });
        const r = d.memory.read(v, 8);
        if (!r.unreadable) out.push({ name: `*(u64*)${c.name}`, value: hex(new DataView(r.bytes.buffer, r.bytes.byteOffset, 8).getBigUint64(0, true)), variablesReference: 0, evaluateName: `*(u64*)${c.name}` });
        return out;
      }
      case 'pstate': {
        const p = d.proc;
        const tac = p.taggedAddrCtrl;
        const incl = ~cpu.gcrExclude & 0xffff;
        return [
          ...FLAG_NAMES.map(n => ({ name: n, value: String(n === 'N' ? cpu.nf : n === 'Z' ? cpu.zf : n === 'C' ? cpu.cf : cpu.vf), variablesReference: 0, evaluateName: n.toLowerCase() })),
          { name: 'NZCV', value: hex(cpu.nzcv), variablesReference: 0, evaluateName: 'nzcv' },
          { name: 'TCO', value: String(cpu.tco), variablesReference: 0, evaluateName: 'tco' },
          { name: 'SCTLR_EL1.TCF0', value: `${cpu.tcf0} (${TCF_NAMES[cpu.tcf0] ?? '?'})`, variablesReference: 0 },
          { name: 'GCR_EL1.Exclude', value: `${tagSet(cpu.gcrExclude)} (${hex(cpu.gcrExclude)})`, variablesReference: 0 },
          { name: 'IRG may choose', value: cpu.gcrExclude === 0xffff ? '{0} (every tag excluded: IRG gives 0)' : tagSet(incl), variablesReference: 0 },
          { name: 'GCR_EL1.RRND', value: String(cpu.gcrRrnd), variablesReference: 0 },
          { name: 'RGSR_EL1', value: `${hex(cpu.rgsr)} (TAG ${hex(cpu.rgsr & 0xf)}, SEED ${hex((cpu.rgsr >>> 8) & 0xffff)})`, variablesReference: 0 },
          { name: 'TFSRE0_EL1', value: `${hex(cpu.tfsre0)} (TF0 ${cpu.tfsre0 & 1}, TF1 ${(cpu.tfsre0 >> 1) & 1})`, variablesReference: 0 },
          { name: 'tagged_addr_ctrl (prctl)', value: `${hex(tac)}${describeTaggedAddrCtrl(tac)}`, variablesReference: 0 },
          { name: 'allocation tag access (ATA)', value: cpu.ata ? 'enabled' : 'disabled', variablesReference: 0 },
          { name: 'instructions retired', value: String(d.position), variablesReference: 0 },
        ];
      }
      case 'memtags': {
        const out: DebugProtocol.Variable[] = [];
        const fault = d.lastException;
        const fva = fault?.fault?.kind === 'tagcheck' ? fault.fault.va : fault?.mismatch?.faultVa;
        if (fva !== undefined && d.memory.isTagged(fva)) {
          const ref = this.handles.create({ kind: 'granules', label: 'last fault', ptr: fva, from: -4, count: 9 });
          out.push({ name: 'last fault', value: `${hex16(fva)} (${exceptionText(fault!).split(':')[0]})`, variablesReference: ref, memoryReference: hex(untag(fva)) });
        }
        const seen = new Set<string>();
        for (const n of REG_NAMES.slice(0, 32)) {
          const v = n === 'sp' ? cpu.x[32] : cpu.x[Number(n.slice(1))];
          const a = untagged(v);
          if (a < 0 || !d.memory.isTagged(v)) continue;
          const key = `${a >> 4}:${logicalTag(v)}`;
          const t = d.memory.readTags(v, 1)[0];
          const ref = this.handles.create({ kind: 'granules', label: n, ptr: v, from: -4, count: 9 });
          out.push({ name: n, value: `${hex(v)}: tag ${hex(logicalTag(v))}, allocation ${hex(t)}${t === logicalTag(v) ? '' : ' (mismatch)'}${seen.has(key) ? '' : ''}`, variablesReference: ref, memoryReference: hex(a), evaluateName: n });
          seen.add(key);
        }
        if (out.length === 0) out.push({ name: '(none)', value: 'no register points into PROT_MTE memory', variablesReference: 0 });
        return out;
      }
      case 'granules': {
        const base = untag(c.ptr) & ~15n;
        const l = logicalTag(c.ptr);
        const from = base + BigInt(c.from * 16) >= 0n ? base + BigInt(c.from * 16) : base;
        const tags = d.memory.readTags(from, c.count);
        const out: DebugProtocol.Variable[] = [];
        for (let i = 0; i < c.count; i++) {
          const g = from + BigInt(i * 16);
          const t = tags[i];
          const name = `[${hex(g)}, ${hex(g + 16n)})`;
          const mark = g === base ? ` <- ${c.label}` : '';
          const value = t < 0 ? 'no tags (not PROT_MTE)' : `${hex(t)}${t !== l ? ' (mismatch)' : ''}${mark}`;
          out.push({ name, value, variablesReference: 0, memoryReference: hex(g), evaluateName: `tag(${hex(g)})` });
        }
        return out;
      }
      case 'frame': {
        const f = this.frames(d)[c.index];
        if (!f) return [];
        return [
          { name: 'return address', value: `${hex(f.pc)}${this.symbolLabel(f.pc) ? ' <' + this.symbolLabel(f.pc) + '>' : ''}`, variablesReference: 0, memoryReference: hex(f.pc) },
          { name: 'frame pointer (x29)', value: hex(f.fp), variablesReference: 0, memoryReference: hex(f.fp) },
        ];
      }
      case 'value': return [this.valueVar(d, c.expr, c.value)];
      case 'hv': {
        const snap = this.hvSnapshot(d)!;
        const v = (name: string, value: unknown, ref = 0): DebugProtocol.Variable => ({ name, value: String(value), variablesReference: ref });
        return [
          v('VM', `${snap.name}${snap.protected ? ' (protected)' : ''}, MTE ${snap.mte ? 'on (KVM_CAP_ARM_MTE)' : 'off'}, debug ${snap.debug}`),
          v('memslots', `${snap.slots.length}`, this.handles.create({ kind: 'hvList', what: 'slots' })),
          v('stage-2 faults / sanitised pages', `${snap.stats.faults} / ${snap.stats.sanitised}`),
          v('dirty pages (logged)', snap.dirtyPages),
          v('host resident pages / with tags', `${snap.host.residentPages} / ${snap.host.taggedPages}`),
          v('swap slots used / saved tag buffers', `${snap.host.swapSlotsUsed} / ${snap.host.swapTagBuffers}`),
          v('private ranges', snap.private.length ? snap.private.map(r => `[${r.start}, ${r.end})`).join(', ') : 'none'),
          v('memory-fault exits / run errors', `${snap.stats.memoryFaultExits} / ${snap.stats.runErrors}`),
          v('pages under pointer registers', '', this.handles.create({ kind: 'hvList', what: 'pointers' })),
          v('recent events', `${snap.events.length}`, this.handles.create({ kind: 'hvList', what: 'events' })),
        ];
      }
      case 'hvList': {
        const snap = this.hvSnapshot(d)!;
        if (c.what === 'slots') return snap.slots.map(sl => ({ name: `slot ${sl.slot} "${sl.name}"`, value: `[${sl.gpa}, ${sl.end}) ${sl.backing}${sl.protMte ? ' PROT_MTE' : ''}${sl.dirtyLog ? ' dirty-log' : ''}${sl.guestMemfd ? ' guest_memfd' : ''}${sl.readonly ? ' readonly' : ''}`, variablesReference: 0 }));
        if (c.what === 'events') return snap.events.map(e => ({ name: `#${e.seq} ${e.kind}`, value: `${e.gpa}${e.pc ? ' pc ' + e.pc : ''}: ${e.reason}`, variablesReference: 0 }));
        const out: DebugProtocol.Variable[] = [];
        for (let i = 0; i <= 32; i++) {
          const val = i === 32 ? cpu.x[32] : cpu.x[i];
          const a = untagged(val);
          if (a < 0) continue;
          const gpa = d.memory.gpaOf(a);
          if (gpa === undefined) continue;
          const info = d.vmm!.describePage(gpa - (gpa % 4096));
          out.push({ name: i === 32 ? 'sp' : `x${i}`, value: Object.entries(info).map(([k, x]) => `${k}=${typeof x === 'number' && /gpa|slot/i.test(k) ? hex(x) : x}`).join(' '), variablesReference: 0 });
        }
        return out;
      }
    }
  }

  private setVariable(response: DebugProtocol.Response, args: Args): void {
    const ref = reqInt('setVariable', args, 'variablesReference', 0);
    const name = reqString('setVariable', args, 'name');
    const value = reqString('setVariable', args, 'value');
    const d = this.stopped('setVariable');
    const c = this.handles.get(ref);
    if (!c) throw new RequestError(`setVariable: unknown variablesReference ${ref}`);
    const ctx = this.evalContext(d);
    if (c.kind === 'registers' || c.kind === 'pstate') {
      const reg = c.kind === 'pstate' ? ({ N: 'n', Z: 'z', C: 'c', V: 'v', TCO: 'tco', NZCV: 'nzcv' } as Record<string, string>)[name] : name;
      if (!reg) throw new RequestError(`setVariable: ${name} cannot be changed (settable here: N, Z, C, V, NZCV, TCO)`);
      const v = evaluateExpression(value, ctx);
      if (!this.writeRegister(d, reg, v)) throw new RequestError(`setVariable: ${name} is not a register`);
      const nv = this.readRegister(d, reg)!;
      this.frameCache = null;
      const out = c.kind === 'registers' ? this.valueVar(d, name, nv) : { value: String(nv), variablesReference: 0 };
      this.ok(response, { value: out.value, variablesReference: out.variablesReference, memoryReference: (out as DebugProtocol.Variable).memoryReference });
      this.sendEvent(new InvalidatedEvent(['variables', 'stacks']));
      return;
    }
    if (c.kind === 'granules') {
      const m = /^\[(0x[0-9a-f]+),/.exec(name);
      if (!m) throw new RequestError(`setVariable: ${name} is not a granule row`);
      const t = evaluateExpression(value.replace(/\s*\(.*$/, ''), ctx);
      if (t > 15n) throw new RequestError(`setVariable: an allocation tag is 0..15, got ${t}`);
      this.writeTagsAt(d, BigInt(m[1]), [Number(t)]);
      this.ok(response, { value: `${hex(t)}${Number(t) !== logicalTag(c.ptr) ? ' (mismatch)' : ''}`, variablesReference: 0 });
      this.sendEvent(new InvalidatedEvent(['variables']));
      return;
    }
    throw new RequestError(`setVariable: ${name} cannot be changed`);
  }

  /**
   * The Watch view's "Set Value": assigns `value` to the place `expression` names (parseLvalue):
   * registers, memory through the debug path, allocation tags, a register's logical tag.
   */
  private setExpression(response: DebugProtocol.Response, args: Args): void {
    const cmd = 'setExpression';
    const expression = reqString(cmd, args, 'expression');
    const value = reqString(cmd, args, 'value');
    const frameId = field(cmd, args, 'frameId') === undefined || field(cmd, args, 'frameId') === null ? undefined : reqInt(cmd, args, 'frameId', 0);
    const fmtArg = field(cmd, args, 'format');
    const hexFormat = fmtArg === undefined || fmtArg === null ? undefined : optBool(cmd, obj(cmd, fmtArg, '"format"'), 'hex');
    const d = this.stopped(cmd);
    if (frameId !== undefined && frameId >= this.frames(d).length) throw new RequestError(`${cmd}: unknown frame ${frameId} (there are ${this.frames(d).length})`);
    const ctx = this.evalContext(d);
    let lv: Lvalue;
    try { lv = parseLvalue(expression, ctx); } catch (e) {
      if (e instanceof NotAssignableError) throw new RequestError(`${cmd}: ${e.message}`);
      if (e instanceof EvalError) throw new RequestError(`${cmd}: cannot assign to '${expression.trim()}': ${e.message}`);
      throw e;
    }
    let v: bigint;
    try { v = evaluateExpression(value, ctx); } catch (e) {
      if (e instanceof EvalError) throw new RequestError(`${cmd}: "value" ${JSON.stringify(value)}: ${e.message}`);
      throw e;
    }
    const what = `'${expression.trim()}'`;
    /** v as a `bits`-wide value: unsigned, or negative down to -2^(bits-1) (two's complement). */
    const fit = (bits: number, name: string): bigint => {
      if (bits >= 64 || v < 1n << BigInt(bits) || v >= (1n << 64n) - (1n << BigInt(bits - 1))) return BigInt.asUintN(bits, v);
      throw new RequestError(`${cmd}: ${hex(v)} does not fit in ${name} (${bits} bits: 0..${hex((1n << BigInt(bits)) - 1n)}, or -${hex(1n << BigInt(bits - 1))}..-1)`);
    };
    const setReg = (name: string, x: bigint): void => {
      try {
        if (!this.writeRegister(d, name, x)) throw new RequestError(`${what} cannot be assigned`);
      } catch (e) {
        if (e instanceof RequestError) throw new RequestError(`${cmd}: ${e.message}`);
        throw e;
      }
    };
    const events: (() => void)[] = [];
    switch (lv.kind) {
      case 'register': {
        const n = lv.name.toLowerCase();
        const w = /^w([0-9]|[12][0-9]|30)$/.exec(n);
        if (n === 'xzr' || n === 'wzr') throw new RequestError(`${cmd}: ${what} cannot be assigned: ${n} is the zero register (it always reads 0)`);
        if (w) setReg(`x${w[1]}`, fit(32, n)); // writing Wn clears bits 63:32, as an instruction does
        else if (n === 'nzcv') {
          if ((v & ~0xf000_0000n) !== 0n) throw new RequestError(`${cmd}: NZCV holds bits 31:28 only (N ${hex(0x8000_0000)}, Z ${hex(0x4000_0000)}, C ${hex(0x2000_0000)}, V ${hex(0x1000_0000)}), got ${hex(v)}`);
          setReg('nzcv', v);
        } else if (n === 'tpidr' || n === 'tpidr_el0') { d.cpu.tpidr = v; d.stateEdited(); }
        else if (/^(x([0-9]|[12][0-9]|30)|sp|pc|lr|fp|n|z|c|v|tco)$/.test(n)) setReg(n, v);
        else throw new RequestError(`${cmd}: ${what} cannot be assigned: ${n === 'steps' || n === 'step' ? 'it is the count of retired instructions' : `${n} is read-only here (the kernel sets it: prctl, or system registers EL0 cannot write)`}`);
        this.frameCache = null;
        events.push(() => this.sendEvent(new InvalidatedEvent(['variables', 'stacks'])));
        break;
      }
      case 'ltag': {
        const n = lv.register.toLowerCase();
        const reg = n === 'lr' ? 'x30' : n === 'fp' ? 'x29' : n;
        if (!/^(x([0-9]|[12][0-9]|30)|sp)$/.test(reg)) throw new RequestError(`${cmd}: ${what} cannot be assigned: ltag() is assigned for a 64-bit register (x0-x30, sp, lr, fp), not ${n}`);
        if (v > 15n) throw new RequestError(`${cmd}: a logical tag is 0..15, got ${v}`);
        const old = this.readRegister(d, reg)!;
        setReg(reg, (old & ~(0xfn << 56n)) | (v << 56n));
        this.frameCache = null;
        events.push(() => this.sendEvent(new InvalidatedEvent(['variables', 'stacks'])));
        break;
      }
      case 'tag': {
        if (v > 15n) throw new RequestError(`${cmd}: an allocation tag is 0..15, got ${v}`);
        try { this.writeTagsAt(d, lv.address, [Number(v)]); } catch (e) {
          if (e instanceof DebugAccessError) throw new RequestError(`${cmd}: cannot set the allocation tag of ${what} at ${hex(lv.address)}: ${e.message}`);
          throw e;
        }
        events.push(() => this.sendEvent(new InvalidatedEvent(['variables'])));
        break;
      }
      case 'memory': {
        const x = fit(lv.size * 8, lv.type);
        const bytes = new Uint8Array(lv.size);
        for (let i = 0; i < lv.size; i++) bytes[i] = Number((x >> BigInt(8 * i)) & 0xffn);
        const a = untagged(lv.address);
        try { d.memory.write(lv.address, bytes); } catch (e) {
          if (e instanceof DebugAccessError) throw new RequestError(`${cmd}: cannot store ${lv.size} byte(s) at ${hex(lv.address)} for ${what}: ${e.message}`);
          throw e;
        }
        d.stateEdited();
        this.frameCache = null;
        events.push(() => { this.sendEvent(new MemoryEvent(hex(a), 0, lv.size)); this.sendEvent(new InvalidatedEvent(['variables'])); });
        break;
      }
    }
    // The value as evaluate shows it now (the Watch view shows evaluate's result).
    const saveHex = this.hexValues;
    if (hexFormat !== undefined) this.hexValues = hexFormat;
    try {
      let nv: bigint;
      try { nv = evaluateExpression(expression, this.evalContext(d)); } catch (e) {
        if (!(e instanceof EvalError)) throw e;
        nv = v; // assigned, but no longer readable as written (e.g. memory that went away): show what was stored
      }
      const r = this.evalResult(d, expression, nv, 'watch');
      this.ok(response, { value: r.result, variablesReference: r.variablesReference, memoryReference: r.memoryReference });
    } finally {
      this.hexValues = saveHex;
    }
    for (const e of events) e();
  }

  private source(response: DebugProtocol.Response, args: Args): void {
    const src = field('source', args, 'source');
    const path = src !== undefined ? optString('source', obj('source', src, '"source"'), 'path') : undefined;
    if (!path) throw new RequestError('source: only sources with a path exist (no generated sources)');
    const d = this.dbg;
    if (d && !d.source.match(path)) throw new RequestError(`source: ${path} is not a source of the program`);
    let text: string;
    try { text = readFileSync(path, 'utf8'); } catch (e) { throw new RequestError(`source: cannot read ${path}: ${(e as Error).message}`); }
    this.ok(response, { content: text, mimeType: 'text/x-aarch64-assembly' });
  }

  private loadedSources(response: DebugProtocol.Response, _args: Args): void {
    const d = this.dbg;
    this.ok(response, { sources: d ? d.source.files().map(f => new Source(f.split('/').pop()!, f)) : [] });
  }

  /**
   * The guest program as a module: its loaded segments' address range [low, high) with the load
   * bias of a static-pie applied, whether it has a symbol table, and where source lines come from
   * (`lineInfo`, an extra column: the assembler's line map, DWARF .debug_line, or none).
   */
  private moduleInfo(d: Debuggee): DebugProtocol.Module & { lineInfo: string } {
    const elf = d.program.elf;
    const bias = d.symbols.loadBias;
    const loads = elf.loadSegments.filter(p => p.memsz > 0n);
    const hasSymbols = elf.symbols.some(s => s.name !== '' && s.shndx !== 0 && s.type !== 'file' && s.type !== 'section' && !s.name.startsWith('$'));
    let lineInfo: string;
    if (d.program.asm) lineInfo = 'assembler line map';
    else {
      try {
        const t = elf.lineTable;
        lineInfo = t && t.sequences.length > 0 ? 'DWARF .debug_line' : 'none';
      } catch (e) {
        lineInfo = `none (unreadable .debug_line: ${(e as Error).message})`;
      }
    }
    const m: DebugProtocol.Module & { lineInfo: string } = {
      id: 1, name: basename(d.program.path), path: d.program.path, isUserCode: true,
      symbolStatus: hasSymbols ? 'symbols loaded' : 'no symbols',
      lineInfo,
    };
    if (hasSymbols) m.symbolFilePath = d.program.path;
    if (loads.length) {
      let lo = Infinity, hi = -Infinity;
      for (const p of loads) { lo = Math.min(lo, Number(p.vaddr)); hi = Math.max(hi, Number(p.vaddr + p.memsz)); }
      m.addressRange = `${hex(lo + bias)}-${hex(hi + bias)}`;
    }
    return m;
  }

  private modules(response: DebugProtocol.Response, args: Args): void {
    const start = optInt('modules', args, 'startModule', 0, 0);
    const count = optInt('modules', args, 'moduleCount', 0, 0);
    const all = this.dbg ? [this.moduleInfo(this.dbg)] : [];
    this.ok(response, { modules: all.slice(start, count > 0 ? start + count : undefined), totalModules: all.length });
  }

  // ---- evaluate ---------------------------------------------------------------------------------

  private evaluate(response: DebugProtocol.Response, args: Args): void {
    const expr = reqString('evaluate', args, 'expression');
    const context = optString('evaluate', args, 'context') ?? 'repl';
    const d = this.stopped('evaluate');
    const ctx = this.evalContext(d);
    if (context === 'repl' || context === 'clipboard') {
      const out = runTagCommand(expr, ctx);
      if (out !== undefined) { this.frameCache = null; this.ok(response, { result: out, variablesReference: 0 }); return; }
    }
    if (context === 'hover') {
      const v = this.readRegister(d, expr.trim());
      if (v === undefined && !/^[A-Za-z_.$][\w.$]*$/.test(expr.trim())) throw new RequestError('evaluate: nothing to show');
    }
    const v = evaluateExpression(expr, ctx);
    this.ok(response, this.evalResult(d, expr, v, context));
  }

  /** An evaluate result for a value: pointers expand and carry their tags, hex also shows decimal. */
  private evalResult(d: Debuggee, expr: string, v: bigint, context: string): { result: string; variablesReference: number; memoryReference?: string } {
    const varv = this.valueVar(d, expr, v, expr);
    const dec = BigInt.asUintN(64, v).toString(10);
    const result = context === 'clipboard' ? hex(v) : `${varv.value}${this.hexValues ? ` (${dec})` : ''}`;
    return { result, variablesReference: varv.variablesReference, memoryReference: varv.memoryReference };
  }

  private completions(response: DebugProtocol.Response, args: Args): void {
    const text = reqString('completions', args, 'text');
    const column = reqInt('completions', args, 'column', 0, text.length + 1);
    const upto = text.slice(0, this.columnsStartAt1 ? Math.max(0, column - 1) : column);
    const targets: DebugProtocol.CompletionItem[] = [];
    const cmd = COMMANDS.filter(c => c.startsWith(upto) && upto.length > 0 && c !== upto);
    for (const c of cmd) targets.push({ label: c.trim(), text: c, start: 0, length: upto.length, type: 'keyword' });
    const m = /[$A-Za-z_.][$A-Za-z0-9_.]*$/.exec(upto);
    const word = m ? m[0] : '';
    const start = upto.length - word.length;
    if (word.length > 0 || /[\s(+\-*&|^~!,]$/.test(upto) || upto === '') {
      const names = new Set<string>([...REG_NAMES, ...Array.from({ length: 31 }, (_, i) => `w${i}`), 'lr', 'fp', 'nzcv', 'tco']);
      for (const n of names) if (n.startsWith(word)) targets.push({ label: n, start, length: word.length, type: 'variable' });
      for (const [f, doc] of Object.entries(FUNCTIONS)) if (f.startsWith(word)) targets.push({ label: f, text: `${f}(`, start, length: word.length, type: 'function', detail: doc });
      const d = this.dbg;
      if (d && word.length > 0) {
        let n = 0;
        for (const s of d.program.elf.symbols) {
          if (!s.name || !s.name.startsWith(word) || s.type === 'file' || s.type === 'section' || s.name.startsWith('$')) continue;
          targets.push({ label: s.name, start, length: word.length, type: s.type === 'func' ? 'function' : 'reference' });
          if (++n >= 200) break;
        }
      }
    }
    const seen = new Set<string>();
    this.ok(response, { targets: targets.filter(t => (seen.has(t.label) ? false : (seen.add(t.label), true))) });
  }

  private exceptionInfo(response: DebugProtocol.Response, args: Args): void {
    this.checkThread('exceptionInfo', args);
    const d = this.stopped('exceptionInfo');
    const s = d.lastStop;
    if (s.reason !== 'exception') throw new RequestError('exceptionInfo: the program did not stop for an exception');
    const e = s.exception;
    const lines: string[] = [];
    const addr = e.fault?.kind === 'tagcheck' ? e.fault.va : e.mismatch?.faultVa;
    if (e.fault?.kind === 'tagcheck' || e.mismatch) {
      const lt = e.fault?.kind === 'tagcheck' ? e.fault.logicalTag : e.mismatch!.logicalTag;
      const at = e.fault?.kind === 'tagcheck' ? e.fault.allocationTag : e.mismatch!.allocationTag;
      const size = e.fault?.kind === 'tagcheck' ? e.fault.size : e.mismatch!.size;
      const write = e.fault?.kind === 'tagcheck' ? e.fault.write : e.mismatch!.write;
      const g = untag(addr!) & ~15n;
      const prov = d.tagProvenance(Number(g));
      lines.push(`Logical tag: ${hex(lt)} (pointer bits 59:56)`);
      lines.push(`Allocation tag: ${hex(at)}`);
      const apc = e.mismatch ? e.mismatch.pc : e.pc;
      lines.push(`Access: ${size}-byte ${write ? 'store' : 'load'} by \`${this.insnText(apc)}\` at ${hex(apc)}${this.symbolLabel(apc) ? ' <' + this.symbolLabel(apc) + '>' : ''}`);
      lines.push(`Fault address: ${hex16(addr!)}`);
      lines.push(`Granule: [${hex(g)}, ${hex(g + 16n)})`);
      lines.push(`Tag last set by: ${provenanceText(prov.last, pc => this.insnText(pc), at)}`);
      if (e.atDelivery && e.signal) {
        lines.push(`Linux is about to deliver SIGSEGV (${e.signal.codeName}, si_addr 0) at this kernel entry (pc ${hex(e.pc)}), after the access: ${this.deliveryAction(e.signal)}. Nothing is done yet; continuing delivers it.`);
      } else if (e.signal?.delivered) {
        lines.push(`Linux delivered SIGSEGV (${e.signal.codeName}, si_addr 0) at this kernel entry (pc ${hex(e.pc)}), after the access; ${e.signal.action === 'handler' ? 'its handler runs next' : 'the default action killed the process'}.`);
      } else if (e.fault) {
        lines.push(`Linux delivers: SIGSEGV (SEGV_MTESERR), si_addr ${hex16(BigInt(Number(untag(e.fault.va))) | (BigInt(lt) << 56n))} when the handler has SA_EXPOSE_TAGBITS, else ${hex(untag(e.fault.va))}; continuing delivers it.`);
      } else {
        const when = `Linux delivers SIGSEGV (SEGV_MTEAERR, si_addr 0) at the next kernel entry after it: the next system call, exception or timer interrupt${e.deliveryWithin !== undefined ? ` (a timer interrupt comes within ${e.deliveryWithin} instructions)` : ''}, not at this instruction.`;
        // The debugger stops an async mismatch before the access is performed (ExceptionStop.rewound).
        lines.push(`Stopped at the instruction that makes the mismatching access (it has not run yet). In ${e.filter === 'tag-check-asymm' ? 'asymmetric mode a store' : 'asynchronous mode the access'} does not fault: it completes and sets TFSRE0_EL1.TF0. ${when}`);
      }
    } else if (e.signal) {
      lines.push(`Signal: ${e.signal.signo} (${e.signal.name}), code ${e.signal.code} (${e.signal.codeName})${e.signal.addr !== undefined ? `, si_addr ${hex16(e.signal.addr)}` : ''}`);
      if (e.fault) lines.push(`Faulting instruction: \`${this.insnText(e.pc)}\` at ${hex(e.pc)}; not yet delivered: continuing delivers it.`);
      else if (e.atDelivery) lines.push(`About to be delivered at this kernel exit (user space resumes at ${hex(e.pc)}${this.symbolLabel(e.pc) ? ' <' + this.symbolLabel(e.pc) + '>' : ''}): ${this.deliveryAction(e.signal)}. Nothing has been done with it yet (the process is intact); continuing delivers it.`);
      else if (e.signal.delivered) lines.push(`Delivered: ${e.signal.action === 'handler' ? 'the handler is about to run' : 'the default action ended the process'}.`);
    } else if (e.hv) {
      lines.push(`${e.hv.kind} at gpa ${hex(e.hv.gpa)}: ${e.hv.reason}`);
    }
    this.ok(response, {
      exceptionId: e.filter,
      description: exceptionText(e),
      breakMode: 'always',
      details: {
        message: exceptionText(e),
        typeName: e.filter,
        fullTypeName: e.signal ? `${e.signal.name}/${e.signal.codeName}` : e.filter,
        evaluateName: addr !== undefined ? hex(addr) : undefined,
        stackTrace: lines.join('\n'),
      },
    });
  }

  // ---- memory -------------------------------------------------------------------------------------

  private memoryAddress(cmd: string, args: Args): bigint {
    const ref = parseAddress(cmd, field(cmd, args, 'memoryReference'), '"memoryReference"');
    const off = optInt(cmd, args, 'offset', 0);
    const a = ref + BigInt(off);
    if (a < 0n || a >= 1n << 64n) throw new RequestError(`${cmd}: address ${hex(a)} is out of range`);
    return a;
  }

  private readMemory(response: DebugProtocol.Response, args: Args): void {
    const d = this.stopped('readMemory');
    const a = this.memoryAddress('readMemory', args);
    const count = reqInt('readMemory', args, 'count', 0);
    if (count > MAX_MEMORY_REQUEST) throw new RequestError(`readMemory: count ${count} is too large (at most ${MAX_MEMORY_REQUEST} bytes per request)`);
    const r = d.memory.read(a, count);
    if (count > 0 && r.bytes.length === 0 && r.reason && !/is not mapped|not a user-space address|end of user space/.test(r.reason)) {
      throw new RequestError(`readMemory: ${r.reason}`);
    }
    this.ok(response, { address: hex(a), data: Buffer.from(r.bytes).toString('base64'), unreadableBytes: r.unreadable || undefined });
  }

  private writeMemory(response: DebugProtocol.Response, args: Args): void {
    const d = this.stopped('writeMemory');
    const a = this.memoryAddress('writeMemory', args);
    const data = reqString('writeMemory', args, 'data');
    if (data.length > MAX_MEMORY_REQUEST * 4 / 3 + 4) throw new RequestError(`writeMemory: at most ${MAX_MEMORY_REQUEST} bytes per request`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 === 1) throw new RequestError('writeMemory: "data" is not valid base64');
    const bytes = new Uint8Array(Buffer.from(data, 'base64'));
    d.memory.write(a, bytes);
    d.stateEdited();
    this.frameCache = null;
    this.ok(response, { bytesWritten: bytes.length });
    this.sendEvent(new MemoryEvent(hex(a), 0, bytes.length));
    this.sendEvent(new InvalidatedEvent(['variables']));
  }

  private disassemble(response: DebugProtocol.Response, args: Args): void {
    const d = this.stopped('disassemble');
    const base = this.memoryAddress('disassemble', args);
    const insnOff = optInt('disassemble', args, 'instructionOffset', 0, -(2 ** 40), 2 ** 40);
    const count = reqInt('disassemble', args, 'instructionCount', 0, 100_000);
    const resolveSymbols = optBool('disassemble', args, 'resolveSymbols') ?? true;
    const start = (base & ~3n) + BigInt(insnOff) * 4n;
    const out: DebugProtocol.DisassembledInstruction[] = [];
    let lastLoc = '';
    for (let i = 0; i < count; i++) {
      const a = start + BigInt(i) * 4n;
      if (a < 0n || a >= 1n << 48n) { out.push({ address: hex(BigInt.asUintN(64, a)), instruction: '(invalid)', presentationHint: 'invalid' }); continue; }
      const pc = Number(a);
      const w = d.readWord(pc);
      if (w === undefined) { out.push({ address: hex(pc), instruction: '(invalid)', presentationHint: 'invalid' }); continue; }
      const dis = A64.disassemble(w, { pc, symbolize: resolveSymbols ? x => this.symbolLabel(x) : undefined });
      const ins: DebugProtocol.DisassembledInstruction = {
        address: hex(pc),
        instructionBytes: w.toString(16).padStart(8, '0'),
        instruction: `${dis.mnemonic.padEnd(7)} ${dis.operands}${dis.comment ? `\t// ${dis.comment}` : ''}`.trimEnd(),
      };
      if (resolveSymbols) {
        const s = d.symbols.symbolize(pc);
        if (s && s.offset === 0) ins.symbol = s.name;
      }
      const loc = d.source.lineAt(pc);
      if (loc) {
        const key = `${loc.file}:${loc.line}`;
        if (key !== lastLoc) {
          ins.location = new Source(loc.file.split('/').pop()!, loc.file);
          ins.line = this.toClientLine(loc.line);
          ins.column = this.toClientColumn(loc.column);
          lastLoc = key;
        }
      }
      out.push(ins);
    }
    this.ok(response, { instructions: out });
  }

  // ---- custom requests ----------------------------------------------------------------------------

  /**
   * Tags of `count` granules from the granule containing `address`, in columns (one entry per
   * granule each): `tags` one hex digit per granule ('-' = no tags: not PROT_MTE / unmapped);
   * with provenance (default), who set each tag: `setByRuns` (runs of granules with the same index
   * into `writers`, none = never set by an instruction seen by the debugger), `stepDeltas` (instruction
   * numbers of the set granules, as differences), `previous` (hex digit per granule). setByRuns and
   * stepDeltas are base64 LEB128 columns so 65,536 granules stay small (a loop's tags cost about a byte
   * per granule): adapter/tags.ts builds (ProvenanceColumns) and decodes (decodeReadTags) them.
   */
  private readTags(response: DebugProtocol.Response, args: Args): void {
    const d = this.stopped('tagvisor/readTags');
    const addr = parseAddress('tagvisor/readTags', field('tagvisor/readTags', args, 'address'), '"address"');
    const count = reqInt('tagvisor/readTags', args, 'count', 0, MAX_TAG_REQUEST);
    const withProvenance = optBool('tagvisor/readTags', args, 'provenance') ?? true;
    const a = untagged(addr);
    if (a < 0) throw new RequestError(`tagvisor/readTags: ${hex(addr)} is not a user address`);
    const g0 = a - (a % 16);
    const tags = d.memory.readTags(BigInt(g0), count);
    // One character per granule through a table over the tag bytes (-1 = 0xff = '-').
    const tagBytes = new Uint8Array(tags.buffer, tags.byteOffset, count);
    const text = Buffer.allocUnsafe(count);
    for (let i = 0; i < count; i++) text[i] = TAG_CHAR[tagBytes[i]];
    const body: Record<string, unknown> = { address: hex(g0), count, granuleSize: 16, logicalTag: logicalTag(addr), tags: text.toString('latin1') };
    if (withProvenance) {
      const cols = new ProvenanceColumns(count);
      const writers: { pc: string; instruction: string; by: string }[] = [];
      const writerIndex = new Map<number, number>();
      let lastKey = NaN, lastW = -1;
      // A page at a time: the page's latest-write arrays are read directly.
      for (let i = 0; i < count;) {
        const ga = g0 + i * 16;
        const gi = (ga % 4096) >> 4;
        const n = Math.min(count - i, 256 - gi);
        const last = tags[i] < 0 ? undefined : d.provenance.lastArrays(d.memory.gpnOf(ga - (ga % 4096)));
        if (!last) cols.none(n);
        else {
          const lStep = last.step, lPc = last.pc, lBy = last.by, lPrev = last.prev;
          for (let k = 0; k < n; k++) {
            const g = gi + k;
            const step = lStep[g];
            if (step < 0 || tags[i + k] < 0) { cols.none(1); continue; }
            const key = lBy[g] ? -1 : lPc[g];
            if (key !== lastKey) {
              let w = writerIndex.get(key);
              if (w === undefined) {
                w = writers.length;
                writers.push(lBy[g] ? { pc: hex(d.pc), instruction: '(debugger)', by: 'debugger' } : { pc: hex(lPc[g]), instruction: this.insnText(lPc[g]), by: 'instruction' });
                writerIndex.set(key, w);
              }
              lastKey = key; lastW = w;
            }
            cols.set(lastW, step, lPrev[g]);
          }
        }
        i += n;
      }
      body.writers = writers;
      Object.assign(body, cols.finish());
    }
    this.ok(response, body);
  }

  private tagHistory(response: DebugProtocol.Response, args: Args): void {
    const d = this.stopped('tagvisor/tagHistory');
    const addr = parseAddress('tagvisor/tagHistory', field('tagvisor/tagHistory', args, 'address'), '"address"');
    const a = untagged(addr);
    if (a < 0) throw new RequestError(`tagvisor/tagHistory: ${hex(addr)} is not a user address`);
    const g = a - (a % 16);
    const p = d.tagProvenance(g);
    const current = d.memory.readTags(BigInt(g), 1)[0];
    this.ok(response, {
      granule: hex(g), tag: current < 0 ? null : current,
      writes: p.history.map(w => ({ step: w.step, pc: hex(w.pc), instruction: w.by === 'debugger' ? '(debugger)' : this.insnText(w.pc), previous: w.prev, tag: w.tag, address: hex(w.va), by: w.by })),
      historyStart: d.history?.start ?? null,
    });
  }

  private writeTags(response: DebugProtocol.Response, args: Args): void {
    const d = this.stopped('tagvisor/writeTags');
    const addr = parseAddress('tagvisor/writeTags', field('tagvisor/writeTags', args, 'address'), '"address"');
    const tags = reqArray('tagvisor/writeTags', args, 'tags').map((t, i) => {
      if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t > 15) throw new RequestError(`tagvisor/writeTags: "tags[${i}]" must be an integer 0..15, got ${describeValue(t)}`);
      return t;
    });
    if (tags.length > MAX_TAG_REQUEST) throw new RequestError(`tagvisor/writeTags: at most ${MAX_TAG_REQUEST} tags`);
    this.writeTagsAt(d, addr, tags);
    this.ok(response, { count: tags.length });
    this.sendEvent(new InvalidatedEvent(['variables']));
  }

  private goToStep(response: DebugProtocol.Response, args: Args): void {
    const d = this.stopped('tagvisor/goToStep');
    const step = reqInt('tagvisor/goToStep', args, 'step', 1);
    const before = optBool('tagvisor/goToStep', args, 'before') ?? true;
    const target = before ? step - 1 : step;
    const err = d.goToPosition(target);
    if (err) throw new RequestError(`tagvisor/goToStep: ${err}`);
    this.ok(response, { position: d.position, pc: hex(d.pc) });
    // The client cannot know that this custom request moved the program (VS Code only assumes so for
    // its own continue, step, goto... requests): without `continued` it keeps the previous stop's
    // details (the Call Stack header and the exception widget of a tag fault) next to the new stop.
    this.sendEvent(new ContinuedEvent(THREAD_ID, true));
    this.reportStop({ reason: 'goto' });
  }

  private toggleHex(response: DebugProtocol.Response, args: Args): void {
    const v = optBool('tagvisor/toggleHex', args, 'hex');
    this.hexValues = v ?? !this.hexValues;
    this.ok(response, { hex: this.hexValues });
    this.sendEvent(new InvalidatedEvent(['variables']));
  }

  private status(response: DebugProtocol.Response, _args: Args): void {
    const d = this.dbg;
    this.ok(response, d ? {
      running: d.running, exited: d.exited !== null, position: d.position, pc: hex(d.pc),
      history: d.history ? { start: d.history.start, capacity: d.history.capacity } : null,
      program: d.program.path, vm: d.vmm !== null,
    } : { running: false, exited: false, program: null });
  }

  private hvSnapshot(d: Debuggee) {
    const vmm = d.vmm;
    if (!vmm) return null;
    const vm = vmm.vm;
    let dirtyPages = 0;
    for (const sl of vm.slots.values()) if (sl.dirty) for (const b of sl.dirty) { let x = b; while (x) { dirtyPages += x & 1; x >>= 1; } }
    return {
      vm: true, name: vm.name, mte: vm.mteEnabled, protected: vm.isProtected, debug: vm.debugAllowed ? 'allow' : 'deny',
      slots: vmm.regions.map(r => ({
        slot: r.slot, name: r.cfg.name, gpa: hex(r.cfg.gpa), end: hex(r.cfg.gpa + r.cfg.size), size: r.cfg.size, backing: r.cfg.backing,
        protMte: r.cfg.protMte, dirtyLog: r.cfg.dirtyLog, guestMemfd: r.cfg.guestMemfd, readonly: r.cfg.readonly, ram: r.cfg.ram,
      })),
      stats: { ...vm.stats },
      host: vmm.host.stats(),
      dirtyPages,
      private: vm.privateGfns.ranges().map(([a, b]) => ({ start: hex(a * 4096), end: hex(b * 4096) })),
      events: (d.hvEvents?.recent ?? []).slice(-50).map(hvEventJson),
    };
  }

  private hypervisor(response: DebugProtocol.Response, _args: Args): void {
    const d = this.stopped('tagvisor/hypervisor');
    const snap = this.hvSnapshot(d);
    this.ok(response, snap ?? { vm: false, message: 'the program runs on plain MTE-capable RAM (no "vm" in launch.json)' });
  }

  /**
   * Hypervisor actions on a stopped guest: `swapOut` (guest virtual range: every present page is
   * swapped out by the host), `convert` (guest-physical range to private/shared,
   * KVM_SET_MEMORY_ATTRIBUTES + discard), `migrate` (live migration to a fresh VM now, `withoutTags`
   * for the broken-VMM variant). Results come back with the hypervisor's reasons.
   */
  private hypervisorAction(response: DebugProtocol.Response, args: Args): void {
    const cmd = 'tagvisor/hypervisorAction';
    const d = this.stopped(cmd);
    const action = reqString(cmd, args, 'action');
    const vmm = d.vmm;
    if (!vmm) throw new RequestError(`${cmd}: "${action}" needs a VM ("vm" in launch.json); this session runs on plain RAM`);
    if (action === 'swapOut') {
      const addr = parseAddress(cmd, field(cmd, args, 'address'), '"address"');
      const length = reqInt(cmd, args, 'length', 1, 2 ** 32);
      const a = untagged(addr);
      if (a < 0) throw new RequestError(`${cmd}: ${hex(addr)} is not a user address`);
      const results: { page: string; gpa?: string; result: string }[] = [];
      for (let pg = a - (a % 4096); pg < a + length; pg += 4096) {
        const gpa = d.memory.gpaOf(pg);
        if (gpa === undefined) { results.push({ page: hex(pg), result: 'not present (nothing to swap)' }); continue; }
        const r = vmm.swapOut(gpa);
        results.push({ page: hex(pg), gpa: hex(gpa), result: r.ok ? r.value : r.message });
      }
      this.afterHvAction(d);
      this.ok(response, { action, pages: results });
      return;
    }
    if (action === 'convert') {
      const gpa = Number(parseAddress(cmd, field(cmd, args, 'gpa'), '"gpa"'));
      const size = reqInt(cmd, args, 'size', 1, 2 ** 40);
      const toPrivate = optBool(cmd, args, 'private');
      if (toPrivate === undefined) throw new RequestError(`${cmd}: "private" must be true (to private) or false (to shared)`);
      const r = vmm.convert(gpa, size, toPrivate);
      if (!r.ok) throw new RequestError(`${cmd}: ${r.message}`);
      this.afterHvAction(d);
      this.ok(response, { action, gpa: hex(gpa), size, private: toPrivate });
      return;
    }
    if (action === 'migrate') {
      const withoutTags = optBool(cmd, args, 'withoutTags') ?? false;
      const r = d.migrate(withoutTags);
      if (!r.ok) throw new RequestError(`${cmd}: migrate: ${r.message}`);
      this.afterHvAction(d);
      this.sendEvent(new OutputEvent(`Migrated ${r.from} -> ${r.to}: ${r.report.rounds.length} round(s), ${r.report.pagesSent} page(s)${r.report.withoutTags ? ', WITHOUT tags' : ''}; verification: ${r.report.verify ? `${r.report.verify.dataMismatches} data and ${r.report.verify.tagMismatches} tag mismatch(es) in ${r.report.verify.pages} page(s)` : 'not run'}. Reverse-execution history and tag provenance restart on the destination.\n`, 'console'));
      this.ok(response, { action, from: r.from, to: r.to, rounds: r.report.rounds, pagesSent: r.report.pagesSent, withoutTags: r.report.withoutTags, verify: r.report.verify });
      return;
    }
    throw new RequestError(`${cmd}: unknown action ${JSON.stringify(action)} (swapOut, convert, migrate)`);
  }

  private afterHvAction(d: Debuggee): void {
    d.stateEdited();
    this.frameCache = null;
    this.hvReported.clear();
    this.sendEvent(new Event('tagvisor/hypervisorChanged', { counts: {}, recent: (d.hvEvents?.recent ?? []).slice(-10).map(hvEventJson) }));
    this.sendEvent(new InvalidatedEvent(['variables']));
  }
}

/** Hypervisor events that note an access without changing the VM. */
const HV_NOTES: ReadonlySet<HvEvent['kind']> = new Set(['vmm-access', 'refused', 'copy-tags']);

function hvEventJson(e: HvEvent): Record<string, unknown> {
  return { seq: e.seq, kind: e.kind, vm: e.vm, gpa: e.gpa >= 0 ? hex(e.gpa) : null, pc: e.pc >= 0 ? hex(e.pc) : null, reason: e.reason, detail: e.detail };
}

function signalNameOf(_d: Debuggee, sig: number): string { return signalName(sig); }
function siCodeOf(_d: Debuggee, sig: number, code: number): string { return siCodeName(sig, code); }

function protText(p: number): string { return `${p & 1 ? 'r' : '-'}${p & 2 ? 'w' : '-'}${p & 4 ? 'x' : '-'}`; }

/** Variables available to tag-check exception conditions. */
function conditionVars(e: ExceptionStop | undefined): Record<string, bigint> {
  const f = e?.fault, m = e?.mismatch;
  return {
    $fault_address: f ? f.va : m ? m.faultVa : 0n,
    $logical_tag: BigInt(f ? f.logicalTag : m ? m.logicalTag : 0),
    $allocation_tag: BigInt(f ? f.allocationTag : m ? m.allocationTag : 0),
    $size: BigInt(f ? f.size : m ? m.size : 0),
    $write: (f ? f.write : m ? m.write : false) ? 1n : 0n,
    $pc: BigInt(e?.pc ?? 0),
  };
}

/** `5` (at least 5 hits), `== 5`, `> 5`, `>= 5`, `< 5`, `<= 5`, `% 5` (every 5th). */
export function parseHitCondition(s: string): (hits: number) => boolean {
  const m = /^\s*(==|=|>=|<=|>|<|%)?\s*([0-9]+)\s*$/.exec(s);
  if (!m) throw new RequestError(`hit condition ${JSON.stringify(s)}: expected a number, optionally after ==, >, >=, <, <= or % (e.g. ">= 3")`);
  const n = Number(m[2]);
  switch (m[1]) {
    case '==': case '=': return h => h === n;
    case '>': return h => h > n;
    case '>=': return h => h >= n;
    case '<': return h => h < n;
    case '<=': return h => h <= n;
    case '%': return h => n > 0 && h % n === 0;
    default: return h => h >= n;
  }
}
