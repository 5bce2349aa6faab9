// Shared helpers for the hypervisor tests: VMs from descriptions, a guest-side Mmu harness.
import assert from 'node:assert/strict';
import { AddressSpace, GuestFault, Mmu, PROT_R, PROT_W, PROT_X, type TagCheckControl } from '../../emulator/memory';
import { createVmFromDescription, type HvErr, type HvResult, type Vmm, type VmmOptions } from '../../emulator/hv';

export const RAM = 0x4000_0000;
export const MiB = 2 ** 20;

/** A VMM from a JSON description (defaults: MTE on, one 1 MiB anon RAM slot at 1 GiB). */
export function vmmFrom(desc: Record<string, unknown> = {}, opts: VmmOptions = {}): Vmm {
  return createVmFromDescription({
    mte: true,
    memory: [{ name: 'ram', gpa: RAM, size: MiB, backing: 'anon' }],
    ...desc,
  }, opts);
}

/** A guest-side view: its own stage 1 over the VM's stage 2, with sync tag checks. */
export function guestView(vmm: Vmm, tcf0 = 1) {
  const space = new AddressSpace();
  const ctl: TagCheckControl = { tcf0, tco: 0, tfsre0: 0, ata: vmm.vm.mteEnabled, pc: 0x1000 };
  const mmu = new Mmu(space, vmm.vm, ctl);
  /** Maps virtual page `vpn` to guest-physical address `gpa` (RW, tagged when asked). */
  const map = (vpn: number, gpa: number, tagged = true, prot = PROT_R | PROT_W) =>
    space.set(vpn, { gpn: Math.floor(gpa / 4096), prot, tagged });
  return { space, ctl, mmu, map };
}

export const PROT = { R: PROT_R, W: PROT_W, X: PROT_X };

/** Logical tag t on address a. */
export const tagged = (a: number, t: number): bigint => (BigInt(t) << 56n) | BigInt(a);

export function fault(fn: () => unknown): GuestFault {
  try { fn(); } catch (e) { if (e instanceof GuestFault) return e; throw e; }
  assert.fail('expected a GuestFault');
}

export function expectErr<T>(r: HvResult<T>, errno: HvErr['errno'], re?: RegExp): HvErr {
  if (r.ok) assert.fail(`expected -${errno}, got success ${JSON.stringify(r.value)}`);
  assert.equal(r.errno, errno, r.message);
  if (re) assert.match(r.message, re);
  return r;
}

export function expectOk<T>(r: HvResult<T>): T {
  if (!r.ok) assert.fail(`expected success, got ${r.message}`);
  return r.value;
}
