// The Linux EL0 runtime (emulator/linux) as an HvGuest: a LinuxProcess whose guest-physical memory
// is the VM's stage 2. Its migratable state is the process snapshot without page contents (guest
// memory travels in the migration stream), serialised with the structured-clone format.
//
// An incoming guest is built like QEMU's `-incoming`: the destination starts from the same program
// (the loader writes its image into guest RAM), then the migrated pages overwrite that RAM and
// loadState restores registers, MTE/prctl state, page tables, signals and files.
import * as v8 from 'node:v8';
import type { ElfFile } from '../elf';
import { LinuxProcess, type ExitStatus, type ProcessOptions, type ProcessSnapshot, type RunResult } from '../linux';
import type { GuestSliceResult, HvGuest, KvmVm } from './kvm';
import type { HvGuestFactory } from './vmm';

const FORMAT = 'tagvisor-linux-guest/1';

/** Sees each instruction of a traced guest: before it runs, after it retired, or after a step that retired nothing (a signal delivered). */
export interface InstructionObserver {
  before(pc: number): void;
  after(pc: number): void;
  resync(): void;
}

/** Exit status as a shell reports it: the code, or 128+N for a fatal signal N. */
export function shellStatus(s: ExitStatus): number {
  return s.signal !== null ? 128 + s.signal : s.code ?? 0;
}

export class LinuxGuest implements HvGuest {
  readonly proc: LinuxProcess;

  constructor(readonly vm: KvmVm, elf: ElfFile, opts: ProcessOptions) {
    // A VM without KVM_CAP_ARM_MTE hides MTE from the guest (no HWCAP2_MTE, no tag access).
    this.proc = new LinuxProcess(elf, { ...opts, phys: vm, mte: vm.mteEnabled && (opts.mte ?? true) });
  }

  get pc(): number { return this.proc.cpu.pc; }
  get insns(): number { return this.proc.cpu.steps; }

  /** Watches every instruction (the CLI's --trace): the slice is then run one instruction at a time. */
  observer: InstructionObserver | null = null;

  runSlice(maxInsns: number): GuestSliceResult {
    const o = this.observer;
    if (o === null) return this.sliceResult(this.proc.run(maxInsns));
    for (let left = maxInsns; left > 0;) {
      const pc = this.proc.cpu.pc;
      o.before(pc);
      const s = this.proc.step();
      if (s.retired) { o.after(s.pc); left--; } else o.resync();
      if (s.result) return this.sliceResult(s.result);
    }
    return { kind: 'limit' };
  }

  private sliceResult(r: RunResult): GuestSliceResult {
    switch (r.reason) {
      case 'limit': return { kind: 'limit' };
      case 'exit': return { kind: 'exit', status: shellStatus(r.status) };
      case 'breakpoint': return { kind: 'stop', reason: `breakpoint at 0x${r.pc.toString(16)}` };
      case 'stopped':
        // The runtime stops (without a signal to the guest) when stage 2 left an exit for the VMM.
        return this.vm.peekPendingExit() !== null ? { kind: 'hv-exit' } : { kind: 'stop', reason: 'stop requested' };
      case 'blocked': return { kind: 'stop', reason: `blocked forever in ${r.syscall}` };
    }
  }

  saveState(): Uint8Array {
    const state: ProcessSnapshot = this.proc.snapshot({ pages: false });
    return new Uint8Array(v8.serialize({ format: FORMAT, state }));
  }

  loadState(bytes: Uint8Array): void {
    let o: { format?: unknown; state?: ProcessSnapshot };
    try { o = v8.deserialize(bytes) as typeof o; } catch (e) { throw new Error(`Linux guest state: cannot decode (${(e as Error).message})`); }
    if (o?.format !== FORMAT || !o.state) throw new Error(`Linux guest state: unknown format ${JSON.stringify(o?.format)}`);
    this.proc.restore(o.state);
  }
}

/**
 * A guest factory for Vmm.run and migrations: every guest (the booting one and each migration's
 * destination) is a LinuxProcess over its VM, wired to the same output callbacks.
 */
export function linuxGuestFactory(elf: ElfFile, opts: ProcessOptions, io: {
  stdout?: (d: Uint8Array) => void; stderr?: (d: Uint8Array) => void; onProcess?: (p: LinuxProcess) => void;
  /** An observer for each guest (booting or migrated in): tracing follows the guest across migrations. */
  observe?: (p: LinuxProcess) => InstructionObserver;
} = {}): HvGuestFactory {
  return (vm: KvmVm) => {
    const g = new LinuxGuest(vm, elf, opts);
    if (io.stdout) g.proc.on('stdout', io.stdout);
    if (io.stderr) g.proc.on('stderr', io.stderr);
    if (io.observe) g.observer = io.observe(g.proc);
    io.onProcess?.(g.proc);
    return g;
  };
}
