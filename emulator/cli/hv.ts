// `tagvisor run` inside the hypervisor model (emulator/hv): --vm FILE, --swap-every N,
// --migrate-every N, --migrate-without-tags, --trace-hv. The guest is the same LinuxProcess as in a
// plain run, but its guest-physical memory is a KVM-like VM's stage 2, so swap, migration, device
// memory and private memory happen underneath it. Exit statuses follow the plain run; a KVM_RUN
// error is reported as QEMU would ("KVM_RUN failed: -EFAULT: ..."), status 1.
import { existsSync } from 'node:fs';
import type { ElfFile } from '../elf';
import { LoadError, type LinuxProcess, type ProcessOptions } from '../linux';
import {
  HvError, LinuxGuest, VmDescriptionError, createVmFromDescription, defaultVmConfig, linuxGuestFactory,
  loadVmDescriptionFile, parseHvCliOptions, runOptionsFromCli, type HvCliOptions, type InstructionObserver, type VmConfig, type Vmm, type VmmRunResult,
} from '../hv';
import { CliError } from './program';

/** Guest RAM of the VM used when a stress option is given without --vm (sparse: only touched pages cost). */
export const DEFAULT_VM_RAM = 4 * 2 ** 30;

/** Flags of `run` that belong to the hypervisor, and whether each takes a value. */
export const HV_FLAGS: Record<string, boolean> = {
  '--vm': true, '--swap-every': true, '--migrate-every': true, '--migrate-without-tags': false, '--trace-hv': false,
};

/** Parses the collected hypervisor flags (usage errors: status 2). Null when none was given. */
export function hvOptionsFrom(argv: string[]): HvCliOptions | null {
  if (argv.length === 0) return null;
  try {
    const { options, rest } = parseHvCliOptions(argv);
    if (rest.length) throw new Error(`unexpected argument '${rest[0]}'`);
    return options;
  } catch (e) {
    throw new CliError((e as Error).message, 2);
  }
}

export interface VmRun {
  result: VmmRunResult;
  /** The final guest process (after migrations): its exit status and state for the report. */
  proc: LinuxProcess;
  cfg: VmConfig;
}

/** Builds the VM, boots the program in it and runs it to the end (or maxInsns). */
export function runInVm(o: HvCliOptions, elf: ElfFile, procOpts: ProcessOptions, io: {
  stdout(d: Uint8Array): void; stderr(d: Uint8Array): void; line(s: string): void;
  /** Tracing (--trace / --trace-json): an observer for each guest process, the booting one and each migration's destination. */
  observe?: (p: LinuxProcess) => InstructionObserver;
}, maxInsns: number): VmRun {
  let cfg: VmConfig;
  const vmName = o.vmFile ?? 'vm';
  try {
    if (o.vmFile !== null && !existsSync(o.vmFile)) throw new CliError(`${o.vmFile}: no such file`, 127);
    cfg = o.vmFile !== null ? loadVmDescriptionFile(o.vmFile) : defaultVmConfig(DEFAULT_VM_RAM);
  } catch (e) {
    // An invalid description is a usage error: the message already names the file and the field.
    if (e instanceof VmDescriptionError) throw new CliError(e.message, 2);
    throw e;
  }
  let runOpts;
  try {
    runOpts = runOptionsFromCli(o, Number.isFinite(maxInsns) ? { maxInsns } : {}, cfg);
  } catch (e) {
    throw new CliError((e as Error).message, 2);
  }
  let vmm: Vmm;
  try {
    vmm = createVmFromDescription(cfg, o.traceHv ? { trace: l => io.line(l) } : {});
  } catch (e) {
    // KVM (the model) refused the VM: it cannot be run, like a bad executable.
    if (e instanceof HvError || e instanceof VmDescriptionError) throw new CliError(`${vmName}: ${e.message}`, 126);
    throw e;
  }
  let last: LinuxProcess | null = null;
  const factory = linuxGuestFactory(elf, procOpts, { stdout: io.stdout, stderr: io.stderr, observe: io.observe, onProcess: p => { last = p; } });
  let result: VmmRunResult;
  try {
    result = vmm.run(factory, runOpts);
  } catch (e) {
    if (e instanceof LoadError) throw new CliError(`${procOpts.argv?.[0] ?? 'program'}: ${e.message}`, 126);
    if (e instanceof HvError) throw new CliError(`${vmName}: ${e.message}`, 126);
    throw e;
  }
  const proc = result.guest instanceof LinuxGuest ? result.guest.proc : last;
  if (proc === null) throw new Error('the VM ran without a Linux guest');
  return { result, proc, cfg };
}
