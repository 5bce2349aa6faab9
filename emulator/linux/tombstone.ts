// A crash report in the style of an Android tombstone (debuggerd's tombstone_proto_to_text layout,
// reference doc section 7.1): signal line, MTE cause, tagged_addr_ctrl, registers, a frame-pointer
// backtrace, the faulting instruction, and the allocation tags around the fault address.
import { A64 } from '../isa/table';
import { PAGE_SIZE } from '../memory/page';
import * as C from './constants';
import type { ExitStatus, FaultRecord, LinuxProcess, SigInfo } from './process';

const hex16 = (v: bigint | number): string => BigInt.asUintN(64, BigInt(v)).toString(16).padStart(16, '0');
const hx = (v: bigint | number): string => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);

/** Rows of 16 tags around `addr`: debuggerd's dump_tags_around_fault_addr + print_tag_dump. */
export function tagDump(readTag: (addr: number) => number, faultAddr: bigint): string[] {
  const ROWS = 16, COLS = 16, GRAN = 16;
  const granules = ROWS * COLS;
  const bytes = granules * GRAN;
  const fault = Number(BigInt.asUintN(64, faultAddr) & ((1n << 56n) - 1n));
  if (fault < bytes / 2) return [];
  const rowMask = COLS * GRAN;
  let start = fault - (fault % rowMask) - bytes / 2;
  let toRead = granules;
  // Skip leading pages without readable tags.
  while (readTag(start) < 0) {
    const toNext = PAGE_SIZE - (start % PAGE_SIZE);
    if (toNext >= toRead * GRAN) return [];
    start += toNext;
    toRead -= toNext / GRAN;
  }
  const tags: number[] = [];
  for (let i = 0; i < toRead; i++) {
    const t = readTag(start + i * GRAN);
    if (t < 0) break;
    tags.push(t);
  }
  if (tags.length === 0) return [];
  const faultGranule = fault - (fault % GRAN);
  const out: string[] = [];
  let ti = 0;
  for (let row = 0; ti < tags.length; row++) {
    const rowAddr = start + row * rowMask - ((start + row * rowMask) % rowMask);
    let cells = '';
    let hasFault = false;
    for (let col = 0; col < COLS; col++) {
      const g = rowAddr + col * GRAN;
      if (g < start || g >= start + tags.length * GRAN) cells += ' . ';
      else if (g === faultGranule) { cells += `[${tags[ti++].toString(16)}]`; hasFault = true; }
      else cells += ` ${tags[ti++].toString(16)} `;
    }
    cells = cells.replace(/ $/, '');
    out.push(`${hasFault ? '    =>' : '      '}0x${rowAddr.toString(16)}:${cells}`);
  }
  return out;
}

/** "PR_TAGGED_ADDR_ENABLE, PR_MTE_TCF_SYNC, mask 0xfffe" for a tagged_addr_ctrl value. */
export function describeTaggedAddrCtrl(v: number): string {
  const parts: string[] = [];
  if (v & C.PR_TAGGED_ADDR_ENABLE) parts.push('PR_TAGGED_ADDR_ENABLE');
  if (v & C.PR_MTE_TCF_SYNC) parts.push('PR_MTE_TCF_SYNC');
  if (v & C.PR_MTE_TCF_ASYNC) parts.push('PR_MTE_TCF_ASYNC');
  const mask = (v >>> C.PR_MTE_TAG_SHIFT) & 0xffff;
  if (mask) parts.push(`mask ${hx(mask)}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

export interface TombstoneOptions {
  /** `name+0x10`-style label for an address, if known. */
  symbolize?: (addr: number) => { name: string; offset: number } | undefined;
}

function insnText(word: number | undefined, pc: number): string {
  if (word === undefined) return '(unreadable)';
  const d = A64.disassemble(word, { pc });
  return `${word.toString(16).padStart(8, '0')}  ${d.text}${d.comment ? `\t// ${d.comment}` : ''}`;
}

function accessText(f: { size: number; write: boolean; exec?: boolean }): string {
  return f.exec ? 'instruction fetch' : `${f.size ? `${f.size}-byte ` : ''}${f.write ? 'write' : 'read'}`;
}

/** A frame-pointer walk (x29 chain of frame records), best effort. */
export function backtrace(proc: LinuxProcess, regs: bigint[], max = 32): number[] {
  const pcs = [Number(regs[32])];
  const lr = regs[30];
  let fp = regs[29];
  const seen = new Set<bigint>();
  // A leaf function may not have pushed a frame record yet: show lr as the caller when the frame
  // record at fp does not already name it.
  const rec0 = proc.peekBytes(fp, 16);
  const first = rec0 ? new DataView(rec0.buffer).getBigUint64(8, true) : -1n;
  if (lr !== 0n && lr !== first && proc.mm.find(Number(lr & ((1n << 48n) - 1n)))?.prot && (proc.mm.find(Number(lr & ((1n << 48n) - 1n)))!.prot & C.PROT_EXEC)) {
    pcs.push(Number(lr));
  }
  while (pcs.length < max && fp !== 0n && !seen.has(fp) && (fp & 7n) === 0n) {
    seen.add(fp);
    const rec = proc.peekBytes(fp, 16);
    if (!rec) break;
    const dv = new DataView(rec.buffer);
    const next = dv.getBigUint64(0, true), ret = dv.getBigUint64(8, true);
    if (ret === 0n) break;
    const v = proc.mm.find(Number(ret & ((1n << 48n) - 1n)));
    if (!v || !(v.prot & C.PROT_EXEC)) break;
    pcs.push(Number(ret));
    if (next <= fp) break;
    fp = next;
  }
  return pcs;
}

/** What went wrong, in words ("[MTE]: synchronous tag check fault: ..."), or '' when nothing is known. */
export function causeOf(info: SigInfo): string {
  const f = info.fault;
  const mism = info.mismatches ?? [];
  if (info.code === C.SEGV_MTESERR && f) {
    return `[MTE]: synchronous tag check fault: ${accessText(f)} at ${hx(f.va)}, logical tag ${hx(f.logicalTag)}, allocation tag ${hx(f.allocationTag)}`;
  }
  if (info.code === C.SEGV_MTEAERR && info.signo === C.SIGSEGV) {
    const m = mism[0];
    return m ? `[MTE]: asynchronous tag check fault: ${accessText(m)} at ${hx(m.faultVa)} by pc ${hx(m.pc)}, logical tag ${hx(m.logicalTag)}, allocation tag ${hx(m.allocationTag)}`
      : '[MTE]: asynchronous tag check fault (the faulting access was not recorded)';
  }
  if (!f) return '';
  switch (f.kind) {
    case 'undefined': return `undefined instruction${f.word !== undefined ? ' 0x' + f.word.toString(16).padStart(8, '0') : ''}`;
    case 'trap': return `instruction trapped${f.detail ? ` (${f.detail})` : ''}`;
    case 'breakpoint': return `breakpoint${f.detail ? ` (${f.detail})` : ''}`;
    case 'translation': case 'permission':
      return `${f.exec ? 'instruction fetch from' : accessText(f) + ' at'} ${f.kind === 'translation' && info.code === C.SEGV_MAPERR ? 'unmapped' : 'protected'} address ${hx(f.va)}`;
    case 'alignment': return `misaligned ${accessText(f)} at ${hx(f.va)}`;
    case 'pc-alignment': return `misaligned pc ${hx(f.va)}`;
    case 'external': return `the physical memory refused ${f.exec ? 'an' : 'a'} ${accessText(f)} at ${hx(f.va)}${f.detail ? ` (${f.detail})` : ''}`;
    default: return '';
  }
}

/**
 * One line for a fatal signal: `killed by signal 11 (SIGSEGV), code 1 (SEGV_MAPERR): 4-byte write at
 * unmapped address 0x0, pc 0x400584 (main+36): str w1, [x0]`.
 */
export function deathSummary(proc: LinuxProcess, status: ExitStatus, opts: TombstoneOptions = {}): string {
  const info = status.info;
  if (status.signal === null || !info) return status.code === null ? '' : `exited with status ${status.code}`;
  const sender = info.code <= 0 ? ` from pid ${info.pid ?? 0}` : '';
  let s = `killed by signal ${info.signo} (${C.signalName(info.signo)}), code ${info.code} (${C.siCodeName(info.signo, info.code)}${sender})`;
  const cause = causeOf(info);
  if (cause) s += `: ${cause}`;
  const f = info.fault;
  if (f && info.code !== C.SEGV_MTEAERR) {
    const sym = opts.symbolize?.(f.pc - proc.image.loadBias);
    const w = f.word ?? proc.peekWord(f.pc);
    s += `, pc ${hx(f.pc)}${sym ? ` (${sym.name}${sym.offset ? '+' + sym.offset : ''})` : ''}`;
    if (w !== undefined && f.kind !== 'undefined') {
      const d = A64.disassemble(w, { pc: f.pc });
      s += `: ${d.mnemonic}${d.operands ? ' ' + d.operands : ''}`;
    }
  }
  return s;
}

/** The full report for a process killed by a signal (empty string for a normal exit). */
export function tombstone(proc: LinuxProcess, status: ExitStatus, opts: TombstoneOptions = {}): string {
  if (status.signal === null || !status.info) return '';
  const info = status.info;
  const regs = status.regs ?? [];
  const lines: string[] = [];
  lines.push('*** *** *** *** *** *** *** *** *** *** *** *** *** *** *** ***');
  lines.push(`ABI: 'arm64'`);
  lines.push(`pid: ${proc.pid}, tid: ${proc.pid}, name: ${proc.name}  >>> ${proc.path} <<<`);
  lines.push(`uid: ${proc.uid}`);
  const tac = proc.taggedAddrCtrl;
  lines.push(`tagged_addr_ctrl: ${tac.toString(16).padStart(16, '0')}${describeTaggedAddrCtrl(tac)}`);
  const hasAddr = info.code > 0 && info.addr !== undefined && [C.SIGSEGV, C.SIGBUS, C.SIGILL, C.SIGTRAP, C.SIGFPE].includes(info.signo) && info.code !== C.SEGV_MTEAERR;
  const sender = info.code <= 0 ? ` from pid ${info.pid ?? 0}, uid ${info.uid ?? 0}` : '';
  lines.push(`signal ${info.signo} (${C.signalName(info.signo)}), code ${info.code} (${C.siCodeName(info.signo, info.code)}${sender}), fault addr ${hasAddr ? '0x' + hex16(info.addr!) : '--------'}`);
  const f: FaultRecord | undefined = info.fault;
  const mism = info.mismatches ?? [];
  const cause = causeOf(info);
  if (cause) lines.push(`Cause: ${cause}`);
  if (info.code === C.SEGV_MTEAERR) {
    lines.push('Note: asynchronous MTE: the access completed and execution went on; the registers and backtrace are from the first kernel entry after it.');
  }
  // registers
  if (regs.length >= 34) {
    const row = (cells: [string, bigint][]) => '  ' + cells.map(([n, v]) => `  ${n.padEnd(3)} ${hex16(v)}`).join('');
    for (let i = 0; i < 30; i += 4) {
      const cells: [string, bigint][] = [];
      for (let k = i; k < Math.min(i + 4, 30); k++) cells.push([`x${k}`, regs[k]]);
      lines.push(row(cells));
    }
    lines.push(row([['lr', regs[30]], ['sp', regs[31]], ['pc', regs[32]], ['pst', regs[33]]]));
  }
  // backtrace
  if (regs.length >= 34) {
    lines.push('');
    lines.push('backtrace:');
    backtrace(proc, regs).forEach((pc, i) => {
      const rel = pc - proc.image.loadBias;
      const s = opts.symbolize?.(rel);
      lines.push(`      #${String(i).padStart(2, '0')} pc ${hex16(rel)}  ${proc.path}${s ? ` (${s.name}+${s.offset})` : ''}`);
    });
  }
  // faulting instruction
  if (f && info.code !== C.SEGV_MTEAERR) {
    lines.push('');
    lines.push('faulting instruction:');
    lines.push(`    pc ${hex16(f.pc)}  ${insnText(f.word ?? proc.peekWord(f.pc), f.pc)}`);
  }
  if (mism.length) {
    lines.push('');
    lines.push(`mismatching access${mism.length > 1 ? 'es' : ''} before this kernel entry (recorded by the emulator):`);
    for (const m of mism) {
      lines.push(`    pc ${hex16(m.pc)}  ${insnText(proc.peekWord(m.pc), m.pc)}`);
      lines.push(`        ${accessText(m)} at ${hx(m.faultVa)}, logical tag ${hx(m.logicalTag)}, allocation tag ${hx(m.allocationTag)}`);
    }
  }
  // tag dump
  const dumpAt = info.code === C.SEGV_MTESERR ? (f?.va ?? info.addr) : info.code === C.SEGV_MTEAERR ? mism[0]?.faultVa : undefined;
  if (dumpAt !== undefined) {
    const rows = tagDump(a => proc.peekTag(BigInt(a)), dumpAt);
    if (rows.length) {
      lines.push('');
      lines.push(`Memory tags around the fault address (${hx(dumpAt)}), one tag per 16 bytes:`);
      lines.push(...rows);
    }
  }
  // memory map
  lines.push('');
  const vmas = proc.mm.vmas;
  const faultA = hasAddr ? Number(BigInt.asUintN(64, info.addr!) & ((1n << 56n) - 1n)) : -1;
  const before = faultA >= 0 && vmas.length > 0 && faultA < vmas[0].start;
  const fp = (p: number) => { const v = BigInt(p); return `${(v >> 32n).toString(16).padStart(8, '0')}'${(v & 0xffffffffn).toString(16).padStart(8, '0')}`; };
  lines.push(`memory map (${vmas.length} ${vmas.length === 1 ? 'entry' : 'entries'}):` +
    (faultA < 0 ? '' : before ? `\n--->Fault address falls at ${fp(faultA)} before any mapped regions` : ' (fault address prefixed with --->)'));
  let marked = faultA < 0 || before;
  for (const v of vmas) {
    let prefix = '    ';
    if (!marked) {
      if (faultA < v.start) { lines.push(`--->Fault address falls at ${fp(faultA)} between mapped regions`); marked = true; }
      else if (faultA < v.end) { prefix = '--->'; marked = true; }
    }
    const perms = `${v.prot & C.PROT_READ ? 'r' : '-'}${v.prot & C.PROT_WRITE ? 'w' : '-'}${v.prot & C.PROT_EXEC ? 'x' : '-'}`;
    const off = v.file ? v.file.offset : 0;
    lines.push(`${prefix}${fp(v.start)}-${fp(v.end - 1)} ${perms}  ${off.toString(16).padStart(8)}  ${(v.end - v.start).toString(16).padStart(8)}${v.name ? '  ' + v.name : ''}${v.mte ? ' (PROT_MTE)' : ''}`);
  }
  if (!marked) lines.push(`--->Fault address falls at ${fp(faultA)} after any mapped regions`);
  return lines.join('\n') + '\n';
}
