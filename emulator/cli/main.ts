// The `tagvisor` command: run / asm / disasm. Every bad input ends in one clear line on stderr and
// a non-zero status; guest output passes through; the status is the guest's (128+N for signal N).
import { chmodSync, fstatSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { LinuxProcess, LoadError, deathSummary, tombstone, type ExitStatus, type MtePreference, type ProcessOptions, type StdioKind } from '../linux';
import { SEGV_MTEAERR, SEGV_MTESERR, SIGSEGV } from '../linux/constants';
import { CliError, assembleFile, isAssembly, linkAssembly, loadProgram, parseElfOrThrow, readInput, type Program } from './program';
import { listing } from './listing';
import { Tracer, traceEvents } from './trace';
import { HV_FLAGS, hvOptionsFrom, runInVm } from './hv';

const USAGE = `usage: tagvisor run [options] PROGRAM [ARGS...]
       tagvisor asm FILE.s [-o FILE.elf]
       tagvisor disasm FILE

PROGRAM is a static AArch64 Linux ELF executable or an assembly source (.s, .S).

run options:
  --trace               print each instruction (pc, word, disassembly, changed registers),
                        system calls and signals to stderr
  --trace-json FILE     write one JSON object per executed instruction to FILE
  --max-insns N         stop after N instructions (exit status 124)
  --seed N              seed for IRG, AT_RANDOM, getrandom, /dev/urandom (default 0)
  --mte-pref MODE       preferred tag check mode when a program asks for several: async
                        (default, as Linux), sync or asymm
  --no-report           print nothing when the program dies by a signal (by default: a
                        tombstone for tag check faults, one line for other signals)
  --full-report         a tombstone for every fatal signal
  --allow-read DIR      let the program read files below DIR (default: its own directory)
  --env NAME=VALUE      add a variable to the program's environment
  --clear-env           start from an empty environment instead of tagvisor's own

hypervisor options (run the program inside a KVM-like VM; see emulator/hv/README.md):
  --vm FILE             the VM description (JSON: memory slots and their backing, MTE, swap,
                        migration, private memory, debug policy); examples/vm-*.json
  --swap-every N        swap out every resident guest page every N guest instructions
  --migrate-every N     live-migrate the VM through the migration byte stream every N
                        instructions and continue on the destination
  --migrate-without-tags  migrate without KVM_ARM_MTE_COPY_TAGS (the broken VMM: tags are lost)
  --trace-hv            print every hypervisor event (stage-2 map, sanitise, swap, migration
                        rounds, memory-fault exits, conversions, refusals) to stderr
  Without --vm, a stress option uses a 4 GiB anonymous MTE VM. --trace and --trace-json follow
  the guest across migrations (one trace, as if it had never moved).

exit status: the program's, 128+N if signal N killed it, 124 when --max-insns stopped it,
125 when the program blocked forever, 126 for a file that cannot be run (bad ELF, assembly
error), 127 for a missing file, 2 for a usage error. Inside a VM: 1 when KVM_RUN fails (e.g.
-EFAULT: memory that cannot hold tags) or a memory-fault exit is not resolved, 126 when KVM refuses
the VM described, 2 for an invalid VM description (the message names the field).`;

/** Where output goes (injectable for tests). */
export interface CliIo {
  stdout(data: Uint8Array): void;
  stderr(data: Uint8Array): void;
  stdin(max: number): Uint8Array | null;
  stdio: [StdioKind, StdioKind, StdioKind];
  env: Record<string, string | undefined>;
  cwd: string;
}

const enc = new TextEncoder();

function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off, data.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EPIPE') return;
      throw e;
    }
  }
}

function hostKind(fd: number): StdioKind {
  try {
    if (isatty(fd)) return 'tty';
    const st = fstatSync(fd);
    if (st.isFile()) return 'file';
    if (st.isCharacterDevice()) return 'null';
    return 'pipe';
  } catch { return 'pipe'; }
}

export function hostIo(): CliIo {
  return {
    stdout: d => writeAll(1, d),
    stderr: d => writeAll(2, d),
    stdin: max => {
      const buf = Buffer.alloc(Math.min(max, 1 << 20));
      for (;;) {
        try {
          const n = readSync(0, buf, 0, buf.length, null);
          return n === 0 ? null : new Uint8Array(buf.subarray(0, n));
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'EAGAIN') { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); continue; }
          if (code === 'EOF') return null;
          return null;
        }
      }
    },
    stdio: [hostKind(0), hostKind(1), hostKind(2)],
    env: process.env,
    cwd: process.cwd(),
  };
}

interface RunArgs {
  trace: boolean;
  traceJson: string | null;
  maxInsns: number;
  seed: bigint;
  mtePref: MtePreference;
  report: boolean;
  fullReport: boolean;
  allowRead: string[];
  env: string[];
  clearEnv: boolean;
  program: string;
  args: string[];
  /** The hypervisor flags, as given (parsed by hvOptionsFrom). */
  hv: string[];
}

function parseIntArg(opt: string, v: string | undefined, min: number): number {
  if (v === undefined) throw new CliError(`${opt} needs a value`, 2);
  const n = /^0x[0-9a-f]+$/i.test(v) ? Number.parseInt(v, 16) : /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new CliError(`${opt}: '${v}' is not a whole number${min > 0 ? ` >= ${min}` : ''}`, 2);
  return n;
}

function parseRunArgs(argv: string[]): RunArgs {
  const r: RunArgs = { trace: false, traceJson: null, maxInsns: Number.POSITIVE_INFINITY, seed: 0n, mtePref: 'async', report: true, fullReport: false, allowRead: [], env: [], clearEnv: false, program: '', args: [], hv: [] };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { i++; break; }
    if (!a.startsWith('-') || a === '-') break;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) throw new CliError(`${name} needs a value`, 2);
      return v;
    };
    if (name in HV_FLAGS) {
      r.hv.push(name);
      if (HV_FLAGS[name]) r.hv.push(value());
      else if (inline !== undefined) throw new CliError(`${name} takes no value`, 2);
      continue;
    }
    switch (name) {
      case '--trace': r.trace = true; break;
      case '--trace-json': r.traceJson = value(); break;
      case '--max-insns': r.maxInsns = parseIntArg(name, value(), 1); break;
      case '--seed': {
        const v = value();
        try { r.seed = BigInt.asUintN(64, BigInt(v)); } catch { throw new CliError(`--seed: '${v}' is not a number`, 2); }
        break;
      }
      case '--mte-pref': {
        const v = value();
        if (v !== 'async' && v !== 'sync' && v !== 'asymm') throw new CliError(`--mte-pref: '${v}' is not one of async, sync, asymm`, 2);
        r.mtePref = v;
        break;
      }
      case '--no-report': r.report = false; break;
      case '--full-report': r.fullReport = true; break;
      case '--allow-read': r.allowRead.push(value()); break;
      case '--env': {
        const v = value();
        if (v.indexOf('=') <= 0) throw new CliError(`--env: '${v}' is not NAME=VALUE`, 2);
        r.env.push(v);
        break;
      }
      case '--clear-env': r.clearEnv = true; break;
      default: throw new CliError(`run: unknown option '${a}' (see tagvisor --help)`, 2);
    }
  }
  if (i >= argv.length) throw new CliError('run: no program given (usage: tagvisor run [options] PROGRAM [ARGS...])', 2);
  r.program = argv[i];
  r.args = argv.slice(i + 1);
  return r;
}

function exitCodeOf(s: ExitStatus): number {
  return s.signal !== null ? 128 + s.signal : s.code ?? 0;
}

export function cmdRun(argv: string[], io: CliIo): number {
  const a = parseRunArgs(argv);
  const hv = hvOptionsFrom(a.hv);
  const prog = loadProgram(a.program);
  const env = a.clearEnv ? [] : Object.entries(io.env).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
  env.push(...a.env);
  const procOpts: ProcessOptions = {
    path: prog.path, argv: [a.program, ...a.args], env, seed: a.seed, mtePreferred: a.mtePref,
    readRoots: [prog.path.slice(0, prog.path.lastIndexOf('/')) || '/', ...a.allowRead],
    cwd: io.cwd, stdin: io.stdin, stdio: io.stdio,
  };
  const err = (line: string) => io.stderr(enc.encode(line + '\n'));
  if (hv) {
    // Tracing follows the guest from VM to VM: the tracer re-attaches to each migration's destination.
    let tracer: Tracer | null = null;
    // A destination is built (and the source goes on running pre-copy rounds) before the switch:
    // the tracer moves to a process when that process runs.
    const observe = a.trace || a.traceJson ? (p: LinuxProcess) => {
      if (a.trace) traceEvents(p, err);
      const t = tracer ??= new Tracer(p, a.trace ? err : null, a.traceJson);
      return {
        before: (pc: number) => { t.follow(p); t.before(pc); },
        after: (pc: number) => t.after(pc),
        resync: () => t.resync(),
      };
    } : undefined;
    let run;
    try {
      run = runInVm(hv, prog.elf, procOpts, { stdout: io.stdout, stderr: io.stderr, line: err, observe }, a.maxInsns);
    } finally { (tracer as Tracer | null)?.close(); }
    const { result: r, proc } = run;
    const x = r.exit;
    switch (x.reason) {
      case 'shutdown':
        // The final guest (the last migration's destination) holds the exit status and the state
        // for the tombstone.
        return proc.exited ? reportExit(a, prog, proc, proc.exited, err, io) : x.status;
      case 'intr':
        err(`tagvisor: ${a.program}: stopped after ${r.insns} instructions (--max-insns), pc 0x${proc.cpu.pc.toString(16)}`);
        return 124;
      case 'error':
        err(`tagvisor: KVM_RUN failed: ${x.ret < 0 ? '-' : ''}${x.errno}: ${x.message}`);
        err(`tagvisor: ${a.program}: the VM stopped at pc 0x${x.pc.toString(16)}${x.gpa >= 0 ? `, gpa 0x${x.gpa.toString(16)}` : ''} after ${r.insns} instructions`);
        return 1;
      case 'memory_fault':
        err(`tagvisor: KVM_RUN failed: -EFAULT: unresolved KVM_EXIT_MEMORY_FAULT: ${x.private ? 'private' : 'shared'} access to gpa 0x${x.gpa.toString(16)} (size 0x${x.size.toString(16)}), pc 0x${x.pc.toString(16)}; the VMM did not convert the range`);
        return 1;
      case 'debug':
        if (x.detail.startsWith('blocked forever')) {
          err(`tagvisor: ${a.program}: ${x.detail} (a single-threaded guest has nothing that could wake it), pc 0x${proc.cpu.pc.toString(16)}`);
        } else err(`tagvisor: ${a.program}: stopped (${x.detail})`);
        return 125;
    }
  }
  let proc: LinuxProcess;
  try {
    proc = new LinuxProcess(prog.elf, procOpts);
  } catch (e) {
    if (e instanceof LoadError) throw new CliError(`${a.program}: ${e.message}`, 126);
    throw e;
  }
  proc.on('stdout', d => io.stdout(d));
  proc.on('stderr', d => io.stderr(d));
  let result;
  if (a.trace || a.traceJson) {
    const text = a.trace ? err : null;
    if (text) traceEvents(proc, text);
    const tracer = new Tracer(proc, text, a.traceJson);
    try {
      let left = a.maxInsns;
      for (;;) {
        if (left <= 0) { result = { reason: 'limit' as const }; break; }
        const pc = proc.cpu.pc;
        tracer.before(pc);
        const s = proc.step();
        if (s.retired) { tracer.after(s.pc); left--; } else tracer.resync();
        if (s.result) { result = s.result; break; }
      }
    } finally { tracer.close(); }
  } else {
    result = proc.run(a.maxInsns);
  }
  switch (result.reason) {
    case 'exit': return reportExit(a, prog, proc, result.status, err, io);
    case 'limit':
      err(`tagvisor: ${a.program}: stopped after ${proc.steps} instructions (--max-insns), pc 0x${proc.cpu.pc.toString(16)}`);
      return 124;
    case 'blocked':
      err(`tagvisor: ${a.program}: blocked forever in ${result.syscall} (a single-threaded guest has nothing that could wake it), pc 0x${proc.cpu.pc.toString(16)}`);
      return 125;
    default:
      err(`tagvisor: ${a.program}: stopped (${result.reason})`);
      return 125;
  }
}

/** The report of a finished guest (a tombstone for a tag check fault, one line for other signals) and its exit status. */
function reportExit(a: RunArgs, prog: Program, proc: LinuxProcess, st: ExitStatus, err: (s: string) => void, io: CliIo): number {
  if (st.signal !== null && a.report) {
    const symbolize = (addr: number) => { const s = prog.elf.symbolize(addr); return s ? { name: s.symbol.name, offset: s.offset } : undefined; };
    const mte = st.signal === SIGSEGV && (st.info?.code === SEGV_MTESERR || st.info?.code === SEGV_MTEAERR);
    if (mte || (a.fullReport && st.core)) io.stderr(enc.encode(tombstone(proc, st, { symbolize })));
    else err(`tagvisor: ${a.program}: ${deathSummary(proc, st, { symbolize })}`);
  }
  return exitCodeOf(st);
}

export function cmdAsm(argv: string[], io: CliIo): number {
  let input: string | undefined, output: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-o') { output = argv[++i]; if (output === undefined) throw new CliError('asm: -o needs a file name', 2); }
    else if (a.startsWith('-o') && a.length > 2) output = a.slice(2);
    else if (a.startsWith('-') && a !== '-') throw new CliError(`asm: unknown option '${a}'`, 2);
    else if (input === undefined) input = a;
    else throw new CliError(`asm: more than one input file ('${input}' and '${a}')`, 2);
  }
  if (!input) throw new CliError('asm: no input file (usage: tagvisor asm FILE.s -o FILE.elf)', 2);
  output ??= input.replace(/\.(s|S|sx|asm)$/, '') + (isAssembly(input) ? '' : '.out');
  if (output === input) output = input + '.elf';
  const r = assembleFile(input);
  for (const d of r.diagnostics) if (d.severity !== 'error') io.stderr(enc.encode(`${d.pos ? `${d.pos.file}:${d.pos.line}:${d.pos.column}: ` : ''}${d.severity}: ${d.message}\n`));
  const bytes = linkAssembly(r, input);
  try {
    writeFileSync(output, bytes);
    chmodSync(output, 0o755);
  } catch (e) {
    throw new CliError(`${output}: cannot write: ${(e as Error).message}`, 1);
  }
  return 0;
}

export function cmdDisasm(argv: string[], io: CliIo): number {
  if (argv.length !== 1 || argv[0].startsWith('-')) throw new CliError('disasm: usage: tagvisor disasm FILE (an ELF or a .s/.S source)', 2);
  const file = argv[0];
  if (isAssembly(file)) {
    const r = assembleFile(file);
    const bytes = linkAssembly(r, file);
    const elf = parseElfOrThrow(bytes, file);
    const data: [bigint, bigint][] = r.lineMap.filter(l => l.kind === 'data').map(l => [l.address, l.address + BigInt(l.size)]);
    io.stdout(enc.encode(listing(elf, file, data)));
  } else {
    const elf = parseElfOrThrow(readInput(file), file);
    io.stdout(enc.encode(listing(elf, file)));
  }
  return 0;
}

export function main(argv: string[], io: CliIo = hostIo()): number {
  const err = (s: string) => io.stderr(enc.encode(s + '\n'));
  try {
    const [cmd, ...rest] = argv;
    switch (cmd) {
      case 'run': return cmdRun(rest, io);
      case 'asm': return cmdAsm(rest, io);
      case 'disasm': return cmdDisasm(rest, io);
      case '-h': case '--help': case 'help': io.stdout(enc.encode(USAGE + '\n')); return 0;
      case undefined: err(USAGE); return 2;
      default: err(`tagvisor: unknown command '${cmd}' (expected run, asm or disasm; see tagvisor --help)`); return 2;
    }
  } catch (e) {
    if (e instanceof CliError) { err(`tagvisor: ${e.message}`); return e.exit; }
    if (process.env.TAGVISOR_DEBUG) throw e;
    err(`tagvisor: internal error: ${(e as Error)?.message ?? String(e)} (set TAGVISOR_DEBUG=1 for a stack trace)`);
    return 125;
  }
}
