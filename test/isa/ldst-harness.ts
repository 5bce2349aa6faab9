// A minimal machine for the load/store and MTE semantics tests (until test/isa/cpu-harness.ts and
// the Linux runtime land): RamPhysicalMemory + AddressSpace + Cpu, pages mapped by hand (optionally
// PROT_MTE-tagged), programs assembled by our own assembler or loaded from a static ELF, and a tiny
// Linux shim (write, exit, exit_group, prctl(PR_SET_TAGGED_ADDR_CTRL), mmap anonymous with
// PROT_MTE, rt_sigaction with SA_SIGINFO handlers that never return, sigaltstack) for the qemu
// differential. Signal masks are not modelled (tests use SA_NODEFER).
import { assemble } from '../../emulator/asm/index';
import { Cpu, Stop } from '../../emulator/cpu/cpu';
import { parseElf } from '../../emulator/elf/index';
import { A64 } from '../../emulator/isa/table';
import { AddressSpace, GuestFault, Mmu, PAGE_SIZE, PROT_R, PROT_W, PROT_X, RamPhysicalMemory, type PhysPage } from '../../emulator/memory/index';

export const CODE = 0x400000;
export const DATA = 0x500000;
export const TAGGED = 0x600000;
export const STACK_TOP = 0x800000;
const STACK_PAGES = 16;

/** Sets bits [59:56] of an address. */
export const withTag = (va: number | bigint, tag: number): bigint => (BigInt(va) & ~(0xfn << 56n)) | (BigInt(tag & 0xf) << 56n);

export class Machine {
  readonly phys = new RamPhysicalMemory();
  readonly space = new AddressSpace();
  readonly cpu: Cpu;
  private nextGpn = 0x40000;
  /** Next address handed out by mmap. */
  private mmapNext = 0x10000000;
  stdout = '';
  /** SA_SIGINFO handlers by signal number (from rt_sigaction). */
  readonly handlers = new Map<number, { handler: bigint; flags: bigint }>();
  /** sigaltstack: top of the alternate signal stack (0 = none). */
  private altStackTop = 0n;

  constructor() {
    this.cpu = new Cpu(A64, c => new Mmu(this.space, this.phys, c));
  }

  /** Maps `pages` pages at va (fresh zeroed RAM). */
  map(va: number, pages: number, prot = PROT_R | PROT_W, tagged = false): void {
    for (let i = 0; i < pages; i++) {
      this.space.set(va / PAGE_SIZE + i, { gpn: this.nextGpn++, prot, tagged });
    }
  }

  /** The physical page behind va (mapped). */
  page(va: number | bigint): PhysPage {
    const a = Number(BigInt(va) & 0x00ff_ffff_ffff_ffffn);
    const e = this.space.get(Math.floor(a / PAGE_SIZE));
    if (!e) throw new Error(`0x${a.toString(16)} is not mapped`);
    return this.phys.resolve(e.gpn, false, 0).page;
  }

  /** Writes bytes directly (no permission or tag checks). */
  poke(va: number, bytes: Uint8Array): void {
    for (let k = 0; k < bytes.length; k++) this.page(va + k).data[(va + k) % PAGE_SIZE] = bytes[k];
  }
  peek(va: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let k = 0; k < len; k++) out[k] = this.page(va + k).data[(va + k) % PAGE_SIZE];
    return out;
  }
  poke64(va: number, v: bigint): void { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, v, true); this.poke(va, b); }
  peek64(va: number): bigint { return new DataView(this.peek(va, 8).buffer).getBigUint64(0, true); }

  /** Allocation tag of the granule holding va (direct). */
  tag(va: number): number { return this.page(va).getTag((va % PAGE_SIZE) >> 4); }
  setTag(va: number, tag: number, granules = 1): void {
    for (let g = 0; g < granules; g++) this.page(va + 16 * g).setTag(((va + 16 * g) % PAGE_SIZE) >> 4, tag);
  }

  /**
   * Assembles `source` with our assembler at CODE, maps code (R|X), DATA (R|W, 4 pages), TAGGED
   * (R|W, PROT_MTE, 4 pages) and a stack; pc = _start or CODE, sp = STACK_TOP.
   */
  program(source: string): Record<string, bigint> {
    const r = assemble(source, { file: 'test.s', encode: (m, o, ctx) => A64.encode(m, o, ctx), textBase: BigInt(CODE) });
    const text = r.sections.find(s => s.name === '.text')!;
    this.map(CODE, Math.max(1, Math.ceil(text.size / PAGE_SIZE)), PROT_R | PROT_X);
    this.poke(CODE, text.bytes);
    this.map(DATA, 4);
    this.map(TAGGED, 4, PROT_R | PROT_W, true);
    this.map(STACK_TOP - STACK_PAGES * PAGE_SIZE, STACK_PAGES);
    this.cpu.pc = Number(r.entry);
    this.cpu.sp = BigInt(STACK_TOP);
    const syms: Record<string, bigint> = {};
    for (const s of r.symbols) syms[s.name] = s.value;
    return syms;
  }

  /** Runs until svc / fault / trap; returns the stop reason. */
  run(limit = 100000): Stop {
    return this.cpu.run(limit);
  }

  /** Runs to the first `svc` and asserts that is why it stopped. */
  runToSvc(limit = 100000): void {
    const s = this.cpu.run(limit);
    if (s !== Stop.Svc) {
      throw new Error(`stopped with reason ${s} at 0x${this.cpu.pc.toString(16)}: ${this.cpu.fault?.message ?? this.cpu.trap?.message ?? ''}`);
    }
  }

  // ---- Linux shim (qemu differential) ---------------------------------------------------------

  /** Loads a static, non-PIE ELF's PT_LOAD segments and sets up a stack (argc = 0). */
  loadElf(bytes: Uint8Array): void {
    const elf = parseElf(bytes, 'prog');
    for (const ph of elf.programHeaders) {
      if (ph.typeName !== 'PT_LOAD') continue;
      const start = Number(ph.vaddr) - (Number(ph.vaddr) % PAGE_SIZE);
      const end = Number(ph.vaddr + ph.memsz);
      const prot = (ph.flags & 4 ? PROT_R : 0) | (ph.flags & 2 ? PROT_W : 0) | (ph.flags & 1 ? PROT_X : 0);
      this.map(start, Math.ceil((end - start) / PAGE_SIZE), prot);
      this.poke(Number(ph.vaddr), bytes.subarray(ph.offset, ph.offset + ph.filesz));
    }
    this.map(STACK_TOP - STACK_PAGES * PAGE_SIZE, STACK_PAGES);
    this.cpu.pc = Number(elf.entry);
    this.cpu.sp = BigInt(STACK_TOP - 64);
  }

  /**
   * Runs like a Linux process: handles the shim's syscalls and turns faults into signals (to an
   * SA_SIGINFO handler when one is installed: x0 = signo, x1 = siginfo, x2 = 0). Pending async tag
   * faults (TFSRE0_EL1) become SIGSEGV/SEGV_MTEAERR at the next kernel entry, as in Linux and QEMU.
   */
  runLinux(limit = 10_000_000): { stdout: string; exitCode?: number; signal?: string } {
    const c = this.cpu;
    let budget = limit;
    for (;;) {
      const before = c.steps;
      const s = c.run(budget);
      budget -= c.steps - before;
      if (budget <= 0) throw new Error('instruction limit reached');
      if (s === Stop.Svc) {
        if (c.tfsre0 !== 0) {
          c.tfsre0 = 0;
          c.pc -= 4; // the syscall is restarted after the signal (it never runs: handlers exit)
          if (!this.signal(11, 8, 0n)) return { stdout: this.stdout, signal: 'SIGSEGV' };
          continue;
        }
        const r = this.syscall();
        if (r !== undefined) return { stdout: this.stdout, exitCode: r };
        continue;
      }
      if (s === Stop.Fault) {
        const f = c.fault as GuestFault;
        const [signo, code] = f.kind === 'alignment' ? [7, 1] : f.kind === 'tagcheck' ? [11, 9] : f.kind === 'permission' ? [11, 2] : [11, 1];
        if (!this.signal(signo, code, f.va)) return { stdout: this.stdout, signal: signo === 7 ? 'SIGBUS' : 'SIGSEGV' };
        continue;
      }
      if (s === Stop.Undefined || s === Stop.Trap) {
        if (!this.signal(4, 1, BigInt(c.pc))) return { stdout: this.stdout, signal: 'SIGILL' };
        continue;
      }
      throw new Error(`unexpected stop reason ${s} at 0x${c.pc.toString(16)}`);
    }
  }

  private signal(signo: number, code: number, addr: bigint): boolean {
    const h = this.handlers.get(signo);
    if (!h) return false;
    const c = this.cpu;
    // Linux clears the tag bits of si_addr unless the handler asked for SA_EXPOSE_TAGBITS.
    const siAddr = (h.flags & 0x800n) ? addr : addr & 0x00ff_ffff_ffff_ffffn;
    // SA_ONSTACK with an alternate stack: the frame goes there.
    const base = (h.flags & 0x08000000n) && this.altStackTop !== 0n ? this.altStackTop : c.sp;
    const info = (base - 256n) & ~15n;
    const b = new Uint8Array(128);
    const v = new DataView(b.buffer);
    v.setInt32(0, signo, true); v.setInt32(8, code, true); v.setBigUint64(16, siAddr, true);
    c.mmu.writeBytes(info, b);
    c.sp = info;
    c.x[0] = BigInt(signo); c.x[1] = info; c.x[2] = 0n; c.x[30] = 0n;
    c.tco = 0;
    c.pc = Number(h.handler);
    return true;
  }

  /** Performs the syscall in x8; returns an exit code when the process ends. */
  private syscall(): number | undefined {
    const c = this.cpu, x = c.x;
    const nr = Number(x[8]);
    const arg = (i: number): bigint => x[i];
    let ret = 0n;
    switch (nr) {
      case 64: { // write
        const bytes = c.mmu.readBytes(arg(1), Number(arg(2)));
        this.stdout += Buffer.from(bytes).toString('latin1');
        ret = arg(2);
        break;
      }
      case 93: case 94: return Number(arg(0) & 0xffn);
      case 167: { // prctl
        if (arg(0) === 55n) {
          const a = Number(arg(1) & 0xffffffffn);
          c.tcf0 = (a >> 1) & 3;
          c.gcrExclude = ~(a >> 3) & 0xffff;
          ret = 0n;
        } else ret = -22n;
        break;
      }
      case 134: { // rt_sigaction(sig, act, oldact, size)
        const sig = Number(arg(0));
        if (arg(1) !== 0n) {
          const act = c.mmu.readBytes(arg(1), 16);
          const dv = new DataView(act.buffer);
          this.handlers.set(sig, { handler: dv.getBigUint64(0, true), flags: dv.getBigUint64(8, true) });
        }
        ret = 0n;
        break;
      }
      case 132: { // sigaltstack(ss, old): ss = { sp, flags, size }
        if (arg(0) !== 0n) {
          const dv = new DataView(c.mmu.readBytes(arg(0), 24).buffer);
          this.altStackTop = dv.getBigUint64(0, true) + dv.getBigUint64(16, true);
        }
        ret = 0n;
        break;
      }
      case 222: { // mmap(addr, len, prot, flags, fd, off): anonymous only
        const len = Number(arg(1)), prot = Number(arg(2));
        const pages = Math.ceil(len / PAGE_SIZE);
        const va = this.mmapNext;
        this.mmapNext += (pages + 1) * PAGE_SIZE;
        this.map(va, pages, (prot & 1 ? PROT_R : 0) | (prot & 2 ? PROT_W : 0) | (prot & 4 ? PROT_X : 0), (prot & 0x20) !== 0);
        ret = BigInt(va);
        break;
      }
      default: ret = -38n; // ENOSYS
    }
    x[0] = BigInt.asUintN(64, ret);
    return undefined;
  }
}
