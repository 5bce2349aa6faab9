// Typed results for the hypervisor's ioctl-like API. Every refusal carries the Linux errno name,
// its number, a message naming the field or object at fault, and the Linux function whose rule
// refused it, so a VMM (and a test) can assert on exactly what KVM would have returned.

export type Errno =
  | 'EPERM' | 'ENOENT' | 'EINTR' | 'EIO' | 'ENXIO' | 'E2BIG' | 'ENOEXEC' | 'ENOMEM' | 'EACCES' | 'EFAULT'
  | 'EBUSY' | 'EEXIST' | 'ENODEV' | 'EINVAL' | 'ENOSPC' | 'ENOSYS' | 'EOPNOTSUPP' | 'EHWPOISON';

/** Linux (asm-generic) errno numbers. */
export const ERRNO: Readonly<Record<Errno, number>> = {
  EPERM: 1, ENOENT: 2, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8, ENOMEM: 12, EACCES: 13,
  EFAULT: 14, EBUSY: 16, EEXIST: 17, ENODEV: 19, EINVAL: 22, ENOSPC: 28, ENOSYS: 38, EOPNOTSUPP: 95,
  EHWPOISON: 133,
};

/** A refusal: what an ioctl returning -errno means, with the reason spelled out. */
export interface HvErr {
  ok: false;
  errno: Errno;
  /** The negative return value (-ERRNO[errno]). */
  code: number;
  /** "<ioctl or call>: <field>: <why> (<Linux function>)". */
  message: string;
  /** The field or object at fault, e.g. "guest_phys_addr", "slot 2", "vm.memory[1].backing". */
  field?: string;
}

export interface HvOk<T> { ok: true; value: T }
export type HvResult<T> = HvOk<T> | HvErr;

export function ok<T>(value: T): HvOk<T> { return { ok: true, value }; }

/**
 * Builds a refusal. `where` names the call (e.g. "KVM_SET_USER_MEMORY_REGION2"), `field` the
 * offending field, `why` the reason, `rule` the Linux function that has the rule.
 */
export function fail(errno: Errno, where: string, field: string | undefined, why: string, rule?: string): HvErr {
  const head = field ? `${where}: ${field}: ${why}` : `${where}: ${why}`;
  return { ok: false, errno, code: -ERRNO[errno], message: `${head} (-${errno}${rule ? ', ' + rule : ''})`, field };
}

/** Thrown by the convenience layers (description, VMM helpers) when a result must succeed. */
export class HvError extends Error {
  constructor(readonly err: HvErr, context?: string) {
    super(context ? `${context}: ${err.message}` : err.message);
    this.name = 'HvError';
  }
  get errno(): Errno { return this.err.errno; }
}

/** Returns the value of a successful result or throws HvError. */
export function unwrap<T>(r: HvResult<T>, context?: string): T {
  if (r.ok) return r.value;
  throw new HvError(r, context);
}

export const hex = (n: number | bigint): string => '0x' + n.toString(16);
