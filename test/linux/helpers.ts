// Test helpers for the Linux runtime: build small programs with our own assembler and run them, or
// drive system calls directly from a one-instruction guest (`svc #0`) to test the kernel side.
import { assemble } from '../../emulator/asm';
import { linkAssembly } from '../../emulator/cli/program';
import { A64 } from '../../emulator/isa/table';
import { LinuxProcess, type ProcessOptions, type RunResult } from '../../emulator/linux';
import { SP } from '../../emulator/cpu/state';

export function buildAsm(src: string, file = 'test.s'): Uint8Array {
  const r = assemble(src, { file, encode: (m, o, c) => A64.encode(m, o, c) });
  return linkAssembly(r, file);
}

export interface Ran {
  proc: LinuxProcess;
  result: RunResult;
  stdout: string;
  stderr: string;
}

export function newProcess(src: string, opts: Partial<ProcessOptions> = {}): { proc: LinuxProcess; out: { stdout: string; stderr: string } } {
  const proc = LinuxProcess.fromBytes(buildAsm(src), { path: '/test/prog', hostFs: null, ...opts });
  const out = { stdout: '', stderr: '' };
  proc.on('stdout', d => { out.stdout += Buffer.from(d).toString('latin1'); });
  proc.on('stderr', d => { out.stderr += Buffer.from(d).toString('latin1'); });
  return { proc, out };
}

export function runAsm(src: string, opts: Partial<ProcessOptions> = {}, limit = 1_000_000): Ran {
  const { proc, out } = newProcess(src, opts);
  const result = proc.run(limit);
  return { proc, result, ...out };
}

/** Signed 64-bit view of a register value. */
export const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/**
 * A guest whose code is `svc #0` at `svc`, followed by a few helper instructions: calling `sys`
 * sets x8/x0..x5, points pc at the svc and executes exactly that instruction, so every system call
 * goes through the real kernel entry/exit path (signals included).
 */
export class SyscallGuest {
  readonly proc: LinuxProcess;
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly svc: number;
  /** Address of a `nop; svc #0` handler body (for signal handlers) and of `b .` (a parking loop). */
  readonly handler: number;
  readonly loop: number;

  constructor(opts: Partial<ProcessOptions> = {}, extra = '') {
    const src = `
      .text
      .global _start
    _start:
      svc #0
    handler:
      nop
      nop
    loop:
      b loop
    ${extra}
    `;
    this.proc = LinuxProcess.fromBytes(buildAsm(src), { path: '/test/guest', hostFs: null, ...opts });
    this.proc.on('stdout', d => this.stdout.push(Buffer.from(d).toString('latin1')));
    this.proc.on('stderr', d => this.stderr.push(Buffer.from(d).toString('latin1')));
    this.svc = this.proc.image.entry;
    this.handler = this.svc + 4;
    this.loop = this.svc + 12;
  }

  get cpu() { return this.proc.cpu; }

  /** Runs one system call; returns x0 as a signed value. */
  sys(nr: number, ...args: (bigint | number)[]): bigint {
    const c = this.proc.cpu;
    c.x[8] = BigInt(nr);
    for (let i = 0; i < 6; i++) c.x[i] = BigInt.asUintN(64, BigInt(args[i] ?? 0));
    c.pc = this.svc;
    const r = this.proc.step();
    if (!r.retired && !this.proc.exited) throw new Error(`svc did not retire (pc 0x${c.pc.toString(16)})`);
    return s64(c.x[0]);
  }

  /** Like sys, but returns the process's pc and x0 afterwards without interpreting them. */
  mmapAnon(len: number, prot = 3, flags = 0x22): bigint {
    return this.sys(222, 0, len, prot, flags, -1, 0);
  }

  write(addr: bigint | number, bytes: Uint8Array | number[]): void {
    if (!this.proc.copyOut(BigInt(addr), Uint8Array.from(bytes), false)) throw new Error(`cannot write 0x${addr.toString(16)}`);
  }

  read(addr: bigint | number, len: number): Uint8Array {
    const b = this.proc.copyIn(BigInt(addr), len, false);
    if (!b) throw new Error(`cannot read 0x${addr.toString(16)}`);
    return b;
  }

  u64(addr: bigint | number): bigint { return new DataView(this.read(addr, 8).buffer).getBigUint64(0, true); }
  u32(addr: bigint | number): number { return new DataView(this.read(addr, 4).buffer).getUint32(0, true); }
  i32(addr: bigint | number): number { return new DataView(this.read(addr, 4).buffer).getInt32(0, true); }

  writeU64(addr: bigint | number, ...vals: (bigint | number)[]): void {
    const b = new Uint8Array(vals.length * 8);
    vals.forEach((v, i) => new DataView(b.buffer).setBigUint64(i * 8, BigInt.asUintN(64, BigInt(v)), true));
    this.write(addr, b);
  }

  cstr(addr: bigint | number, s: string): void { this.write(addr, [...Buffer.from(s + '\0', 'utf8')]); }

  get sp(): bigint { return this.proc.cpu.x[SP]; }
}
