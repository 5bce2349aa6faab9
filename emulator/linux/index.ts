// Public API of the Linux EL0 guest runtime.
export {
  LinuxProcess, untag,
  type ProcessOptions, type ProcessEvents, type RunResult, type ExitStatus, type SigInfo, type FaultRecord,
  type SyscallEvent, type SignalEvent, type ProcessSnapshot, type MtePreference,
} from './process';
export { LoadError, type LoadedImage, type InitialStack } from './loader';
export { MemoryMap, type Vma, type VmaKind } from './vma';
export { FrameAllocator, OutOfFramesError } from './frames';
export { hwcapsFromIdRegisters, idRegistersFor, HWCAP_RULES, type Hwcaps, type IdRegisters } from './hwcaps';
export { NodeHostFs, type HostFs, type StdioKind, type OpenFile, type StatInfo } from './files';
export { tombstone, tagDump, backtrace, describeTaggedAddrCtrl, causeOf, deathSummary } from './tombstone';
export { syscallName, syscallNumber } from './syscall-names';
export * as linux from './constants';
export * as sigframe from './sigframe';
