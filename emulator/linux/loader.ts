// execve for a static ELF: map the PT_LOAD segments (ET_EXEC at their addresses, static-pie ET_DYN
// top-down in the mmap area like Linux with a zero load bias), then build the initial stack exactly
// as fs/binfmt_elf.c create_elf_tables does (ASLR off).
import { PF_R, PF_W, PF_X, PT_PHDR, type ElfFile } from '../elf';
import { PAGE_SIZE } from '../memory/page';
import {
  AT_BASE, AT_CLKTCK, AT_EGID, AT_ENTRY, AT_EUID, AT_EXECFN, AT_FLAGS, AT_GID, AT_HWCAP, AT_HWCAP2,
  AT_MINSIGSTKSZ, AT_NULL, AT_PAGESZ, AT_PHDR, AT_PHENT, AT_PHNUM, AT_PLATFORM, AT_RANDOM, AT_SECURE,
  AT_UID, MMAP_BASE, PROT_EXEC, PROT_READ, PROT_WRITE, STACK_SIZE, STACK_TOP,
} from './constants';
import { SIGFRAME_MINSTKSZ } from './sigframe';
import { MemoryMap } from './vma';

export class LoadError extends Error {
  constructor(message: string) { super(message); this.name = 'LoadError'; }
}

export interface LoadedImage {
  loadBias: number;
  entry: number;
  phdrAddr: number;
  phnum: number;
  /** Initial program break (page aligned end of the highest segment). */
  brk: number;
  /** [start, end) of each mapped segment, for reports. */
  segments: { start: number; end: number; prot: number }[];
}

const pageDown = (n: number): number => n - (n % PAGE_SIZE);
const pageUp = (n: number): number => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;

function segProt(flags: number): number {
  return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
}

/** Maps the program's segments into `mm`. */
export function mapElf(mm: MemoryMap, elf: ElfFile, path: string): LoadedImage {
  const loads = elf.loadSegments.filter(p => p.memsz > 0n);
  let loadBias = 0;
  if (elf.isPie) {
    // Static-pie: Linux maps it with load bias 0 and no MAP_FIXED, i.e. top-down below mmap_base,
    // aligned to the largest p_align.
    const lo = Math.min(...loads.map(p => pageDown(Number(p.vaddr))));
    const hi = Math.max(...loads.map(p => pageUp(Number(p.vaddr + p.memsz))));
    const align = Math.max(PAGE_SIZE, ...loads.map(p => Number(p.align)).filter(a => a <= 0x4000_0000));
    const top = mm.findFreeTopDown(hi - lo + align, MMAP_BASE);
    if (top < 0) throw new LoadError(`${path}: no room for a ${hi - lo}-byte static-pie image`);
    const base = Math.ceil(top / align) * align;
    loadBias = base - lo;
  }
  const segments: LoadedImage['segments'] = [];
  let brk = 0;
  for (const ph of loads) {
    const vaddr = Number(ph.vaddr) + loadBias;
    const prot = segProt(ph.flags);
    const start = pageDown(vaddr);
    const fileEnd = vaddr + ph.filesz;
    const memEnd = vaddr + Number(ph.memsz);
    let anonStart = start;
    if (ph.filesz > 0) {
      const end = pageUp(fileEnd);
      mm.unmap(start, end);
      mm.insert({
        start, end, prot, mte: false, mteAllowed: false, shared: false, mayWrite: true, kind: 'elf', name: path,
        file: { path, data: elf.bytes, offset: ph.offset - (vaddr - start), limit: fileEnd - start },
      });
      anonStart = end;
    }
    const anonEnd = pageUp(memEnd);
    if (anonEnd > anonStart) {
      // The bss beyond the file's last page: anonymous memory (VM_MTE_ALLOWED, like vm_brk_flags).
      mm.unmap(anonStart, anonEnd);
      mm.insert({ start: anonStart, end: anonEnd, prot, mte: false, mteAllowed: true, shared: false, mayWrite: true, kind: 'anon', name: '' });
    }
    segments.push({ start, end: anonEnd, prot });
    brk = Math.max(brk, memEnd);
  }
  // AT_PHDR: the program headers inside the first PT_LOAD whose file range holds them (Linux 6.x),
  // else PT_PHDR.
  const phoff = elf.header.phoff;
  let phdrAddr = 0;
  const holder = elf.loadSegments.find(p => p.offset <= phoff && phoff < p.offset + p.filesz);
  if (holder) phdrAddr = phoff - holder.offset + Number(holder.vaddr) + loadBias;
  else {
    const pt = elf.programHeaders.find(p => p.type === PT_PHDR);
    if (pt) phdrAddr = Number(pt.vaddr) + loadBias;
  }
  return {
    loadBias, entry: Number(elf.entry) + loadBias, phdrAddr, phnum: elf.header.phnum,
    brk: pageUp(brk), segments,
  };
}

export interface StackParams {
  argv: string[];
  envp: string[];
  /** The path execve was given (AT_EXECFN and the string at the top of the stack). */
  execfn: string;
  hwcap: number;
  hwcap2: number;
  uid: number; euid: number; gid: number; egid: number;
  random16: Uint8Array;
  image: LoadedImage;
}

export interface InitialStack {
  sp: number;
  /** Where things were put, for tests and the debugger. */
  argvAddrs: number[];
  envpAddrs: number[];
  execfnAddr: number;
  platformAddr: number;
  randomAddr: number;
  auxv: [number, number][];
}

const enc = new TextEncoder();

/**
 * Creates the stack VMA and writes argc/argv/envp/auxv. `write` stores bytes at a user address
 * (the caller's uaccess). Returns the initial sp and the addresses used.
 */
export function buildStack(mm: MemoryMap, p: StackParams, write: (addr: number, bytes: Uint8Array) => void): InitialStack {
  mm.insert({
    start: STACK_TOP - STACK_SIZE, end: STACK_TOP, prot: PROT_READ | PROT_WRITE, mte: false, mteAllowed: true,
    shared: false, mayWrite: true, kind: 'stack', name: '[stack]',
  });
  const cstr = (s: string): Uint8Array => { const b = enc.encode(s); const o = new Uint8Array(b.length + 1); o.set(b); return o; };
  // bprm->p starts one pointer below the top of the stack VMA.
  let pos = STACK_TOP - 8;
  write(pos, new Uint8Array(8));
  const put = (bytes: Uint8Array): number => { pos -= bytes.length; write(pos, bytes); return pos; };
  const execfnAddr = put(cstr(p.execfn));
  // copy_strings copies the last string first, so argv[0] ends up lowest.
  const envpAddrs: number[] = new Array(p.envp.length);
  for (let i = p.envp.length - 1; i >= 0; i--) envpAddrs[i] = put(cstr(p.envp[i]));
  const argvAddrs: number[] = new Array(p.argv.length);
  for (let i = p.argv.length - 1; i >= 0; i--) argvAddrs[i] = put(cstr(p.argv[i]));
  // create_elf_tables: arch_align_stack, platform string, 16 random bytes.
  pos -= pos % 16;
  const platformAddr = put(cstr('aarch64'));
  const randomAddr = put(p.random16);
  const img = p.image;
  const auxv: [number, number][] = [
    [AT_MINSIGSTKSZ, SIGFRAME_MINSTKSZ],
    [AT_HWCAP, p.hwcap],
    [AT_PAGESZ, PAGE_SIZE],
    [AT_CLKTCK, 100],
    [AT_PHDR, img.phdrAddr],
    [AT_PHENT, 56],
    [AT_PHNUM, img.phnum],
    [AT_BASE, 0],
    [AT_FLAGS, 0],
    [AT_ENTRY, img.entry],
    [AT_UID, p.uid],
    [AT_EUID, p.euid],
    [AT_GID, p.gid],
    [AT_EGID, p.egid],
    [AT_SECURE, 0],
    [AT_RANDOM, randomAddr],
    [AT_HWCAP2, p.hwcap2],
    [AT_EXECFN, execfnAddr],
    [AT_PLATFORM, platformAddr],
    [AT_NULL, 0],
  ];
  const items = (p.argv.length + 1) + (p.envp.length + 1) + 1;
  let sp = pos - auxv.length * 16;
  sp -= items * 8;
  sp -= sp % 16;
  if (sp < STACK_TOP - STACK_SIZE + PAGE_SIZE) throw new LoadError(`arguments and environment too large for the ${STACK_SIZE >> 20} MiB stack`);
  const words: number[] = [p.argv.length, ...argvAddrs, 0, ...envpAddrs, 0];
  for (const [k, v] of auxv) words.push(k, v);
  const buf = new Uint8Array(words.length * 8);
  const dv = new DataView(buf.buffer);
  words.forEach((w, i) => dv.setBigUint64(i * 8, BigInt(w), true));
  write(sp, buf);
  return { sp, argvAddrs, envpAddrs, execfnAddr, platformAddr, randomAddr, auxv };
}
