// The arm64 Linux signal frame (arch/arm64/kernel/signal.c): struct rt_sigframe = siginfo_t +
// ucontext_t, with struct sigcontext's __reserved area holding context records (fpsimd_context,
// esr_context, terminator). Offsets are checked against the C headers by test/linux/sigframe.test.ts.

/** siginfo_t (128 bytes). */
export const SI = {
  size: 128, signo: 0, errno: 4, code: 8,
  /** Union at 16: kill/tkill: si_pid (int) @16, si_uid @20; faults: si_addr @16. */
  pid: 16, uid: 20, addr: 16,
} as const;

/** ucontext_t (arm64 uapi asm/ucontext.h). */
export const UC = {
  flags: 0, link: 8,
  /** stack_t: ss_sp @0, ss_flags @8 (int), ss_size @16 — 24 bytes. */
  stack: 16, stackSp: 16, stackFlags: 24, stackSize: 32,
  /** Kernel sigset_t (8 bytes), then padding to glibc's 128-byte sigset_t. */
  sigmask: 40,
  /** struct sigcontext, 16-byte aligned. */
  mcontext: 176,
  size: 176 + 4384,
} as const;

/** struct sigcontext (relative to uc_mcontext). */
export const SC = {
  faultAddress: 0, regs: 8, sp: 256, pc: 264, pstate: 272, reserved: 288, reservedSize: 4096, size: 4384,
} as const;

/** struct rt_sigframe: siginfo then ucontext. */
export const FRAME = {
  info: 0,
  uc: 128,
  size: 128 + UC.size,
} as const;

/** Offsets inside the frame. */
export const F = {
  mcontext: FRAME.uc + UC.mcontext,
  reserved: FRAME.uc + UC.mcontext + SC.reserved,
} as const;

export const FPSIMD_MAGIC = 0x46508001, FPSIMD_SIZE = 528;
export const ESR_MAGIC = 0x45535201, ESR_SIZE = 16;
export const EXTRA_MAGIC = 0x45585401;
/** sizeof(struct frame_record): fp, lr. */
export const FRAME_RECORD_SIZE = 16;
/** Space the end record takes, rounded to 16. */
export const TERMINATOR_SIZE = 16;

/** AT_MINSIGSTKSZ as arm64 Linux computes it without SVE/SME: frame + frame record + alignment slack. */
export const SIGFRAME_MINSTKSZ = FRAME.size + FRAME_RECORD_SIZE + 16;

/** PSTATE bits kept in uc_mcontext.pstate. */
export const PSR_N = 1 << 31, PSR_Z = 1 << 30, PSR_C = 1 << 29, PSR_V = 1 << 28, PSR_TCO = 1 << 25;
/** PSTATE.M[4:0] (mode, 0 = EL0t) and DAIF (bits 9:6): must be 0 for a valid user frame. */
export const PSR_MODE_MASK = 0x1f, PSR_DAIF_MASK = 0x3c0;

/** ESR_EL1 values the kernel records as the thread's fault_code. */
export const ESR = {
  IL: 1 << 25,
  EC_UNKNOWN: 0x00, EC_IABT_LOW: 0x20, EC_PC_ALIGN: 0x22, EC_DABT_LOW: 0x24, EC_SP_ALIGN: 0x26, EC_BRK64: 0x3c,
  WNR: 1 << 6,
  DFSC_TRANSLATION_L3: 0x07, DFSC_PERMISSION_L3: 0x0f, DFSC_ALIGNMENT: 0x21, DFSC_TAG_CHECK: 0x11, DFSC_SEA: 0x10,
} as const;

export function esrValue(ec: number, iss: number): number {
  return ((ec << 26) | ESR.IL | iss) >>> 0;
}
