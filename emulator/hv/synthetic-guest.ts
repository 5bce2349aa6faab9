// A synthetic MTE guest for the hypervisor's tests, benchmarks and demos, usable before the Linux
// runtime runs inside VMs (and afterwards as a small, fully deterministic workload). It is a real
// vCPU (Cpu + Mmu over the VM's stage 2) executing a generated A64 program from guest RAM; the
// program calls `svc #1` in a loop and a tiny "kernel" performs memory operations through the
// Mmu on the program's behalf: tagged stores, STG retags, tag-checked loads and LDGs, each
// verified against a shadow copy kept in the kernel's state. The PRNG that picks operations
// lives in X3 and progress in X5, so vCPU state, guest memory and tags must all survive swap and
// migration for the guest to finish with status 0.
//
// Exit statuses: 0 ok, 97 bad svc, 98 final heap check failed, 99 a load returned wrong data or
// tag, 132 undefined instruction, 135 external abort (SIGBUS), 139 tag check fault (SIGSEGV).
import { Cpu, Stop } from '../cpu/cpu';
import { A64 } from '../isa/table';
import { GuestFault } from '../memory/fault';
import { AddressSpace, Mmu, PROT_R, PROT_W, PROT_X } from '../memory/mmu';
import * as pageConsts from '../memory/page';
// Local copies: an imported binding is a getter call per use under the CJS test/bench loader.
const { PAGE_SIZE, GRANULES_PER_PAGE } = pageConsts;
import type { GuestSliceResult, HvGuest, KvmVm } from './kvm';
import { ByteReader, ByteWriter, loadCpuRegisters, saveCpuRegisters } from './vcpu-state';

export interface SyntheticGuestOptions {
  /** Initial PRNG state (X3); 0 is replaced by 1. */
  seed?: number;
  /** Loop iterations (X2). */
  iterations?: number;
  /** Heap pages (mapped PROT_MTE when the VM has MTE). */
  heapPages?: number;
  /** Memory operations per `svc #1`. */
  opsPerSvc?: number;
  /** Protected VMs: access the heap through the shared alias (gpn | sharedGpnBit); default private. */
  sharedHeap?: boolean;
  /** Protected VMs: run the code from the shared alias; default private. */
  sharedCode?: boolean;
  /** Tag checks: 1 sync (default), 2 async. */
  tcf?: 1 | 2;
}

const CODE_VA = 0x40_0000;
const HEAP_VA = 0x1000_0000;
const M64 = (1n << 64n) - 1n;

// Hand-encoded A64 (checked against the instruction table's disassembler in the tests).
const enc = {
  movz: (rd: number, imm: number) => (0xd2800000 | ((imm & 0xffff) << 5) | rd) >>> 0,
  add: (rd: number, rn: number, imm: number) => (0x91000000 | ((imm & 0xfff) << 10) | (rn << 5) | rd) >>> 0,
  sub: (rd: number, rn: number, imm: number) => (0xd1000000 | ((imm & 0xfff) << 10) | (rn << 5) | rd) >>> 0,
  cbnz: (rt: number, off: number) => (0xb5000000 | (((off >> 2) & 0x7ffff) << 5) | rt) >>> 0,
  svc: (imm: number) => (0xd4000001 | ((imm & 0xffff) << 5)) >>> 0,
  nop: () => 0xd503201f,
};

/** The generated program: a counted loop around `svc #1`, then `svc #0`. */
export function syntheticProgram(): number[] {
  const words = [
    enc.nop(),
    /* loop: */ enc.add(1, 1, 1),   // x1++ (iteration counter)
    enc.add(4, 4, 3),               // x4 += 3 (register-only work)
    enc.svc(1),                     // memory operations by the kernel
    enc.sub(2, 2, 1),               // x2--
    enc.cbnz(2, -16),               // loop while x2 != 0
    enc.movz(0, 0),                 // status 0 unless the kernel changed it
    enc.svc(0),                     // exit(x0)
  ];
  return words;
}

function xorshift(x: bigint): bigint {
  x ^= (x << 13n) & M64;
  x ^= x >> 7n;
  x ^= (x << 17n) & M64;
  return x & M64;
}

export class SyntheticGuest implements HvGuest {
  readonly cpu: Cpu;
  readonly space = new AddressSpace();
  private heapPages: number;
  private opsPerSvc: number;
  private useTags: boolean;
  private sharedHeap: boolean;
  private sharedCode: boolean;
  private nextGpn: number;
  private booted = false;
  status: number | null = null;
  /** Why the guest stopped abnormally (fault, mismatch), for tests and demos. */
  lastError = '';
  private shadowData: Uint8Array;
  private shadowTags: Uint8Array;
  /** Memory operations performed. */
  ops = 0;

  constructor(readonly vm: KvmVm, opts: SyntheticGuestOptions = {}) {
    this.heapPages = opts.heapPages ?? 16;
    this.opsPerSvc = opts.opsPerSvc ?? 4;
    this.useTags = vm.mteEnabled;
    this.sharedHeap = opts.sharedHeap ?? false;
    this.sharedCode = opts.sharedCode ?? false;
    const ram = vm.ramRanges();
    if (ram.length === 0) throw new Error(`synthetic guest: ${vm.name} has no RAM in its memory map`);
    this.nextGpn = ram[0].firstGpn;
    this.shadowData = new Uint8Array(this.heapPages * PAGE_SIZE);
    this.shadowTags = new Uint8Array(this.heapPages * GRANULES_PER_PAGE);
    this.cpu = new Cpu(A64, c => new Mmu(this.space, vm, c));
    const c = this.cpu;
    c.ata = vm.mteEnabled;
    c.tcf0 = this.useTags ? (opts.tcf ?? 1) : 0;
    c.pc = CODE_VA;
    c.x[2] = BigInt(opts.iterations ?? 1000);
    c.x[3] = BigInt(opts.seed ?? 1) === 0n ? 1n : BigInt.asUintN(64, BigInt(opts.seed ?? 1));
    // Frames: the code page, then the heap.
    const sb = vm.sharedGpnBit;
    const codeGpn = this.nextGpn++;
    this.space.set(CODE_VA / PAGE_SIZE, { gpn: codeGpn + (this.sharedCode ? sb : 0), prot: PROT_R | PROT_W, tagged: false });
    for (let i = 0; i < this.heapPages; i++) {
      this.space.set(HEAP_VA / PAGE_SIZE + i, { gpn: this.nextGpn++ + (this.sharedHeap ? sb : 0), prot: PROT_R | PROT_W, tagged: this.useTags });
    }
  }

  get pc(): number { return this.cpu.pc; }
  get insns(): number { return this.cpu.steps; }
  get mmu(): Mmu { return this.cpu.mmu; }
  /** Guest-physical page numbers used (code first, then heap), without the shared bit. */
  get gpns(): number[] { return [...this.space.entries.values()].map(e => e.gpn % (this.vm.sharedGpnBit || Infinity)); }
  /** What the guest believes its heap holds: data and one allocation tag per granule (read-only view). */
  get shadow(): { data: Uint8Array; tags: Uint8Array; useTags: boolean } {
    return { data: this.shadowData, tags: this.shadowTags, useTags: this.useTags };
  }

  /** Guest-physical page numbers of the heap pages (without the shared bit). */
  get heapGpns(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.heapPages; i++) out.push(this.space.get(HEAP_VA / PAGE_SIZE + i)!.gpn % (this.vm.sharedGpnBit || Infinity));
    return out;
  }

  /** Virtual address of heap granule g with its current logical tag. */
  heapVa(g: number): bigint { return (BigInt(this.useTags ? this.shadowTags[g] : 0) << 56n) | BigInt(HEAP_VA + g * 16); }

  /** Loads the program (a write through the guest's own stage 1, as a kernel's loader would). */
  private boot(): GuestSliceResult | null {
    const words = syntheticProgram();
    const bytes = new Uint8Array(words.length * 4);
    const dv = new DataView(bytes.buffer);
    words.forEach((w, i) => dv.setUint32(i * 4, w, true));
    const r = this.guard(() => this.cpu.mmu.writeBytes(BigInt(CODE_VA), bytes));
    if (r) return r;
    const e = this.space.get(CODE_VA / PAGE_SIZE)!;
    this.space.set(CODE_VA / PAGE_SIZE, { ...e, prot: PROT_R | PROT_X });
    this.booted = true;
    return null;
  }

  /** Runs fn; turns guest faults into the right slice result (null = ok). */
  private guard(fn: () => void): GuestSliceResult | null {
    try { fn(); return null; } catch (e) {
      if (!(e instanceof GuestFault)) throw e;
      return this.onFault(e);
    }
  }

  private onFault(f: GuestFault): GuestSliceResult {
    if (f.kind === 'external') {
      // The runtime contract: a pending exit goes to the VMM (the access is redone later);
      // otherwise KVM injected an external abort: SIGBUS.
      if (this.vm.peekPendingExit() !== null) return { kind: 'hv-exit' };
      return this.exit(135, `SIGBUS: ${f.message}`);
    }
    if (f.kind === 'tagcheck') return this.exit(139, `SIGSEGV (SEGV_MTESERR): ${f.message} logical tag ${f.logicalTag} allocation tag ${f.allocationTag}`);
    return this.exit(139, `SIGSEGV: ${f.message}`);
  }

  private exit(status: number, why = ''): GuestSliceResult {
    this.status = status;
    if (why) this.lastError = why;
    return { kind: 'exit', status };
  }

  runSlice(maxInsns: number): GuestSliceResult {
    if (this.status !== null) return { kind: 'exit', status: this.status };
    if (!this.booted) { const r = this.boot(); if (r) return r; }
    const c = this.cpu;
    let budget = maxInsns;
    while (budget > 0) {
      const before = c.steps;
      const stop = c.run(budget);
      budget -= c.steps - before;
      switch (stop) {
        case Stop.Limit: return { kind: 'limit' };
        case Stop.Svc: {
          const r = this.svc(c.svcImm);
          if (r) return r;
          break;
        }
        case Stop.Fault: return this.onFault(c.fault!);
        case Stop.Undefined: return this.exit(132, `SIGILL: ${c.trap?.message ?? 'undefined instruction'}`);
        default: return { kind: 'stop', reason: `cpu stop ${stop}` };
      }
    }
    return { kind: 'limit' };
  }

  private svc(imm: number): GuestSliceResult | null {
    const c = this.cpu;
    if (imm === 0) {
      const bad = this.checkHeap();
      if (bad) return bad;
      return this.exit(Number(c.x[0] & 0xffn));
    }
    if (imm !== 1) return this.exit(97, `bad svc #${imm}`);
    if (c.x[5] === 0n) c.x[5] = BigInt(this.opsPerSvc);
    while (c.x[5] > 0n) {
      const r = this.guard(() => this.op(c.x[3]));
      if (r) {
        // Restartable: re-execute the svc after the VMM has handled the exit.
        if (r.kind === 'hv-exit') c.pc -= 4;
        return r;
      }
      if (this.status !== null) return { kind: 'exit', status: this.status };
      c.x[3] = xorshift(c.x[3]);
      c.x[5] -= 1n;
      this.ops++;
    }
    return null;
  }

  /** One memory operation chosen by the PRNG state r. Shadow updates happen only after success. */
  private op(r: bigint): void {
    const mmu = this.cpu.mmu;
    const granules = this.heapPages * GRANULES_PER_PAGE;
    const kind = Number(r % 8n);
    const g = Number((r >> 8n) % BigInt(granules));
    const va = this.heapVa(g);
    const off = g * 16;
    const dv = new DataView(this.shadowData.buffer);
    switch (kind) {
      case 0: case 1: case 2: { // tagged 64-bit store
        const v = (r * 0x9e3779b97f4a7c15n + this.cpu.x[1]) & M64;
        const o = off + (kind === 2 ? 8 : 0);
        mmu.write64(va + BigInt(o - off), v, true);
        dv.setBigUint64(o, v, true);
        break;
      }
      case 3: { // STG: a new allocation tag (data kept)
        if (!this.useTags) { mmu.write8(va, Number(r >> 40n) & 0xff, true); this.shadowData[off] = Number(r >> 40n) & 0xff; break; }
        const t = 1 + Number((r >> 32n) % 15n);
        mmu.storeTags((BigInt(t) << 56n) | (va & ((1n << 56n) - 1n)), 1, t, false);
        this.shadowTags[g] = t;
        break;
      }
      case 4: case 5: { // tag-checked load, verified
        const o = off + (kind === 5 ? 8 : 0);
        const got = mmu.read64(va + BigInt(o - off), true);
        const want = dv.getBigUint64(o, true);
        if (got !== want) { this.status = 99; this.lastError = `load at heap+0x${o.toString(16)} returned 0x${got.toString(16)}, expected 0x${want.toString(16)}`; }
        break;
      }
      case 6: { // LDG, verified
        const got = mmu.loadTag(va);
        const want = this.useTags ? this.shadowTags[g] : 0;
        if (got !== want) { this.status = 99; this.lastError = `LDG of heap granule ${g} returned ${got}, expected ${want}`; }
        break;
      }
      default: { // 128-bit store across both halves of the granule
        const lo = (r ^ 0x5555n) & M64, hi = (r >> 3n) & M64;
        mmu.write128(va, lo, hi, true);
        dv.setBigUint64(off, lo, true);
        dv.setBigUint64(off + 8, hi, true);
      }
    }
  }

  /** Verifies the whole heap (data unchecked, tags with LDG) against the shadow. */
  private checkHeap(): GuestSliceResult | null {
    const mmu = this.cpu.mmu;
    const dv = new DataView(this.shadowData.buffer);
    const granules = this.heapPages * GRANULES_PER_PAGE;
    let bad: string | null = null;
    const r = this.guard(() => {
      for (let g = 0; g < granules && bad === null; g++) {
        const va = BigInt(HEAP_VA + g * 16);
        for (const o of [0, 8]) {
          const got = mmu.read64(va + BigInt(o), false);
          const want = dv.getBigUint64(g * 16 + o, true);
          if (got !== want) { bad = `heap granule ${g}+${o}: 0x${got.toString(16)} != 0x${want.toString(16)}`; break; }
        }
        if (bad === null && this.useTags) {
          const t = mmu.loadTag(va);
          if (t !== this.shadowTags[g]) bad = `heap granule ${g}: allocation tag ${t} != ${this.shadowTags[g]}`;
        }
      }
    });
    if (r) return r;
    return bad ? this.exit(98, bad) : null;
  }

  // ---- MigratableGuest ----------------------------------------------------------------------------

  saveState(): Uint8Array {
    const w = new ByteWriter();
    w.str('tagvisor-synthetic-guest/1');
    w.u32(this.heapPages).u32(this.opsPerSvc).u8(this.useTags ? 1 : 0).u8(this.sharedHeap ? 1 : 0).u8(this.sharedCode ? 1 : 0);
    w.u8(this.booted ? 1 : 0).num(this.status ?? -1).str(this.lastError).num(this.ops).num(this.nextGpn);
    saveCpuRegisters(this.cpu, w);
    w.u32(this.space.entries.size);
    for (const [vpn, e] of this.space.entries) w.num(vpn).num(e.gpn).u8(e.prot).u8(e.tagged ? 1 : 0);
    w.bytes(this.shadowData).bytes(this.shadowTags);
    return w.done();
  }

  loadState(state: Uint8Array): void {
    const r = new ByteReader(state, 'synthetic guest state');
    const tag = r.str();
    if (tag !== 'tagvisor-synthetic-guest/1') throw new Error(`synthetic guest state: unknown format ${JSON.stringify(tag)}`);
    this.heapPages = r.u32(); this.opsPerSvc = r.u32();
    this.useTags = r.u8() !== 0; this.sharedHeap = r.u8() !== 0; this.sharedCode = r.u8() !== 0;
    this.booted = r.u8() !== 0;
    const st = r.num(); this.status = st < 0 ? null : st;
    this.lastError = r.str(); this.ops = r.num(); this.nextGpn = r.num();
    loadCpuRegisters(this.cpu, r);
    for (const vpn of [...this.space.entries.keys()]) this.space.delete(vpn);
    const n = r.u32();
    for (let i = 0; i < n; i++) {
      const vpn = r.num(), gpn = r.num(), prot = r.u8(), tagged = r.u8() !== 0;
      this.space.set(vpn, { gpn, prot, tagged });
    }
    this.shadowData = r.bytes(); this.shadowTags = r.bytes();
    r.expectEnd();
  }
}

/** A guest factory for Vmm.run / migration: boots a new SyntheticGuest or makes an empty one for loadState. */
export function syntheticGuestFactory(opts: SyntheticGuestOptions = {}) {
  return (vm: KvmVm, _mode: 'boot' | 'incoming'): SyntheticGuest => new SyntheticGuest(vm, opts);
}

export const SYNTHETIC_CODE_VA = CODE_VA;
export const SYNTHETIC_HEAP_VA = HEAP_VA;
