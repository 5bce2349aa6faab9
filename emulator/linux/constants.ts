// Linux arm64 user-space ABI constants used by the guest runtime (uapi headers: asm-generic/errno,
// asm-generic/signal, asm-generic/siginfo, asm-generic/mman, linux/prctl, arm64 hwcap).

// ---- errno ------------------------------------------------------------------------------------
export const EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, ENOEXEC = 8,
  EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17,
  EXDEV = 18, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24,
  ENOTTY = 25, EFBIG = 27, ENOSPC = 28, ESPIPE = 29, EROFS = 30, EMLINK = 31, EPIPE = 32, EDOM = 33,
  ERANGE = 34, ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, EOVERFLOW = 75,
  EOPNOTSUPP = 95, ETIMEDOUT = 110;

// ---- signals ----------------------------------------------------------------------------------
export const SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7,
  SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14,
  SIGTERM = 15, SIGSTKFLT = 16, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21,
  SIGTTOU = 22, SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25, SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28,
  SIGIO = 29, SIGPWR = 30, SIGSYS = 31;
export const NSIG = 64;

const SIGNAL_NAMES = ['', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE',
  'SIGKILL', 'SIGUSR1', 'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGCHLD',
  'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM',
  'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS'];
export function signalName(sig: number): string {
  if (sig > 0 && sig < SIGNAL_NAMES.length) return SIGNAL_NAMES[sig];
  if (sig >= 32 && sig <= NSIG) return sig === 32 ? 'SIGRTMIN' : `SIGRTMIN+${sig - 32}`;
  return `signal ${sig}`;
}

// sigaction flags
export const SA_NOCLDSTOP = 0x1, SA_NOCLDWAIT = 0x2, SA_SIGINFO = 0x4, SA_UNSUPPORTED = 0x400,
  SA_EXPOSE_TAGBITS = 0x800, SA_RESTORER = 0x04000000, SA_ONSTACK = 0x08000000, SA_RESTART = 0x10000000,
  SA_NODEFER = 0x40000000, SA_RESETHAND = 0x80000000;
/** Flags the kernel keeps (others read back as 0: the SA_UNSUPPORTED probe). */
export const UAPI_SA_FLAGS = SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_ONSTACK | SA_RESTART | SA_NODEFER |
  SA_RESETHAND | SA_EXPOSE_TAGBITS | SA_RESTORER;
export const SIG_DFL = 0n, SIG_IGN = 1n;
export const SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
export const SS_ONSTACK = 1, SS_DISABLE = 2, SS_AUTODISARM = 0x80000000;
/** arm64 uapi MINSIGSTKSZ / SIGSTKSZ. */
export const MINSIGSTKSZ = 5120, SIGSTKSZ = 16384;

// si_code values
export const SI_USER = 0, SI_KERNEL = 0x80, SI_QUEUE = -1, SI_TKILL = -6;
export const SEGV_MAPERR = 1, SEGV_ACCERR = 2, SEGV_MTEAERR = 8, SEGV_MTESERR = 9;
export const BUS_ADRALN = 1, BUS_ADRERR = 2, BUS_OBJERR = 3;
export const ILL_ILLOPC = 1, ILL_ILLOPN = 2, ILL_PRVREG = 6;
export const TRAP_BRKPT = 1;

export function siCodeName(sig: number, code: number): string {
  if (code === SI_USER) return 'SI_USER';
  if (code === SI_KERNEL) return 'SI_KERNEL';
  if (code === SI_TKILL) return 'SI_TKILL';
  if (code === SI_QUEUE) return 'SI_QUEUE';
  const per: Record<number, string[]> = {
    [SIGSEGV]: ['', 'SEGV_MAPERR', 'SEGV_ACCERR', 'SEGV_BNDERR', 'SEGV_PKUERR', 'SEGV_ACCADI', 'SEGV_ADIDERR', 'SEGV_ADIPERR', 'SEGV_MTEAERR', 'SEGV_MTESERR', 'SEGV_CPERR'],
    [SIGBUS]: ['', 'BUS_ADRALN', 'BUS_ADRERR', 'BUS_OBJERR', 'BUS_MCEERR_AR', 'BUS_MCEERR_AO'],
    [SIGILL]: ['', 'ILL_ILLOPC', 'ILL_ILLOPN', 'ILL_ILLADR', 'ILL_ILLTRP', 'ILL_PRVOPC', 'ILL_PRVREG', 'ILL_COPROC', 'ILL_BADSTK', 'ILL_BADIADDR'],
    [SIGTRAP]: ['', 'TRAP_BRKPT', 'TRAP_TRACE', 'TRAP_BRANCH', 'TRAP_HWBKPT', 'TRAP_UNK', 'TRAP_PERF'],
    [SIGFPE]: ['', 'FPE_INTDIV', 'FPE_INTOVF', 'FPE_FLTDIV', 'FPE_FLTOVF', 'FPE_FLTUND', 'FPE_FLTRES', 'FPE_FLTINV', 'FPE_FLTSUB'],
  };
  const n = per[sig]?.[code];
  return n || `code ${code}`;
}

// ---- memory -----------------------------------------------------------------------------------
export const PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, PROT_SEM = 8, PROT_BTI = 0x10,
  PROT_MTE = 0x20, PROT_GROWSDOWN = 0x01000000, PROT_GROWSUP = 0x02000000;
export const MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_SHARED_VALIDATE = 0x03, MAP_TYPE = 0x0f,
  MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_GROWSDOWN = 0x0100, MAP_DENYWRITE = 0x0800,
  MAP_EXECUTABLE = 0x1000, MAP_LOCKED = 0x2000, MAP_NORESERVE = 0x4000, MAP_POPULATE = 0x8000,
  MAP_NONBLOCK = 0x10000, MAP_STACK = 0x20000, MAP_HUGETLB = 0x40000, MAP_SYNC = 0x80000,
  MAP_FIXED_NOREPLACE = 0x100000, MAP_UNINITIALIZED = 0x4000000;
/** Flags MAP_SHARED_VALIDATE accepts (LEGACY_MAP_MASK | MAP_SYNC). */
export const LEGACY_MAP_MASK = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE |
  MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE |
  MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB;
export const MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2, MREMAP_DONTUNMAP = 4;
export const MADV_NORMAL = 0, MADV_RANDOM = 1, MADV_SEQUENTIAL = 2, MADV_WILLNEED = 3, MADV_DONTNEED = 4,
  MADV_FREE = 8, MADV_REMOVE = 9, MADV_DONTFORK = 10, MADV_DOFORK = 11, MADV_MERGEABLE = 12,
  MADV_UNMERGEABLE = 13, MADV_HUGEPAGE = 14, MADV_NOHUGEPAGE = 15, MADV_DONTDUMP = 16, MADV_DODUMP = 17,
  MADV_WIPEONFORK = 18, MADV_KEEPONFORK = 19, MADV_COLD = 20, MADV_PAGEOUT = 21;

// ---- prctl ------------------------------------------------------------------------------------
export const PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4,
  PR_SET_NAME = 15, PR_GET_NAME = 16, PR_SET_TAGGED_ADDR_CTRL = 55, PR_GET_TAGGED_ADDR_CTRL = 56,
  PR_SET_VMA = 0x53564d41, PR_GET_THP_DISABLE = 42, PR_SET_THP_DISABLE = 41, PR_SET_NO_NEW_PRIVS = 38,
  PR_GET_NO_NEW_PRIVS = 39, PR_CAPBSET_READ = 23, PR_SVE_SET_VL = 50, PR_SVE_GET_VL = 51,
  PR_PAC_RESET_KEYS = 54, PR_SET_MM = 35;
export const PR_TAGGED_ADDR_ENABLE = 1;
export const PR_MTE_TCF_SHIFT = 1, PR_MTE_TCF_NONE = 0, PR_MTE_TCF_SYNC = 2, PR_MTE_TCF_ASYNC = 4,
  PR_MTE_TCF_MASK = 6;
export const PR_MTE_TAG_SHIFT = 3, PR_MTE_TAG_MASK = 0xffff << 3;

// ---- auxv -------------------------------------------------------------------------------------
export const AT_NULL = 0, AT_IGNORE = 1, AT_EXECFD = 2, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5,
  AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8, AT_ENTRY = 9, AT_NOTELF = 10, AT_UID = 11, AT_EUID = 12,
  AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15, AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23,
  AT_BASE_PLATFORM = 24, AT_RANDOM = 25, AT_HWCAP2 = 26, AT_RSEQ_FEATURE_SIZE = 27, AT_RSEQ_ALIGN = 28,
  AT_HWCAP3 = 29, AT_HWCAP4 = 30, AT_EXECFN = 31, AT_SYSINFO_EHDR = 33, AT_MINSIGSTKSZ = 51;
export const AUXV_NAMES: Record<number, string> = {
  0: 'AT_NULL', 3: 'AT_PHDR', 4: 'AT_PHENT', 5: 'AT_PHNUM', 6: 'AT_PAGESZ', 7: 'AT_BASE', 8: 'AT_FLAGS',
  9: 'AT_ENTRY', 11: 'AT_UID', 12: 'AT_EUID', 13: 'AT_GID', 14: 'AT_EGID', 15: 'AT_PLATFORM', 16: 'AT_HWCAP',
  17: 'AT_CLKTCK', 23: 'AT_SECURE', 25: 'AT_RANDOM', 26: 'AT_HWCAP2', 31: 'AT_EXECFN', 33: 'AT_SYSINFO_EHDR',
  51: 'AT_MINSIGSTKSZ',
};

// arm64 AT_HWCAP bits
export const HWCAP_FP = 1 << 0, HWCAP_ASIMD = 1 << 1, HWCAP_EVTSTRM = 1 << 2, HWCAP_AES = 1 << 3,
  HWCAP_PMULL = 1 << 4, HWCAP_SHA1 = 1 << 5, HWCAP_SHA2 = 1 << 6, HWCAP_CRC32 = 1 << 7,
  HWCAP_ATOMICS = 1 << 8, HWCAP_FPHP = 1 << 9, HWCAP_ASIMDHP = 1 << 10, HWCAP_CPUID = 1 << 11,
  HWCAP_ASIMDRDM = 1 << 12, HWCAP_JSCVT = 1 << 13, HWCAP_FCMA = 1 << 14, HWCAP_LRCPC = 1 << 15,
  HWCAP_DCPOP = 1 << 16, HWCAP_SVE = 1 << 22;
// arm64 AT_HWCAP2 bits
export const HWCAP2_BTI = 1 << 17, HWCAP2_MTE = 1 << 18, HWCAP2_MTE3 = 1 << 22;

// ---- files ------------------------------------------------------------------------------------
export const AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_SYMLINK_FOLLOW = 0x400,
  AT_NO_AUTOMOUNT = 0x800, AT_EMPTY_PATH = 0x1000;
export const O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_ACCMODE = 3, O_CREAT = 0o100, O_EXCL = 0o200,
  O_NOCTTY = 0o400, O_TRUNC = 0o1000, O_APPEND = 0o2000, O_NONBLOCK = 0o4000, O_DIRECTORY = 0o40000,
  O_NOFOLLOW = 0o100000, O_CLOEXEC = 0o2000000, O_PATH = 0o10000000, O_LARGEFILE = 0o400000;
export const S_IFMT = 0o170000, S_IFSOCK = 0o140000, S_IFLNK = 0o120000, S_IFREG = 0o100000,
  S_IFBLK = 0o060000, S_IFDIR = 0o040000, S_IFCHR = 0o020000, S_IFIFO = 0o010000;
export const SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;
export const F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_DUPFD_CLOEXEC = 1030;
export const FD_CLOEXEC = 1;
export const TCGETS = 0x5401, TCSETS = 0x5402, TIOCGWINSZ = 0x5413, TIOCGPGRP = 0x540f, FIONREAD = 0x541b;

// ---- misc -------------------------------------------------------------------------------------
export const CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3,
  CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7;
export const FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4, FUTEX_WAKE_OP = 5,
  FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10, FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256;
export const GRND_NONBLOCK = 1, GRND_RANDOM = 2, GRND_INSECURE = 4;
export const RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4,
  RLIMIT_RSS = 5, RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_MEMLOCK = 8, RLIMIT_AS = 9, RLIM_NLIMITS = 16;
export const RLIM_INFINITY = 0xffff_ffff_ffff_ffffn;

/** Pages, virtual-address layout (arm64, 48-bit VA, 4 KiB pages, ASLR off). */
export const PAGE = 4096;
export const TASK_SIZE = 2 ** 48;
export const STACK_TOP = TASK_SIZE;
/** Default RLIMIT_STACK (8 MiB): the stack VMA's maximum size. */
export const STACK_SIZE = 8 * 1024 * 1024;
/** Top of the mmap area: TASK_SIZE - 128 MiB gap (mmap_base with the minimum gap, no randomisation). */
export const MMAP_BASE = TASK_SIZE - 128 * 1024 * 1024;
/** ELF_ET_DYN_BASE on arm64 (2/3 of the 48-bit space), page aligned: where static-pie programs load. */
export const ET_DYN_BASE = 0xaaaaaaaa0000;
/** vm.mmap_min_addr. */
export const MMAP_MIN_ADDR = 0x8000;
