// Text for hover and completion: instruction forms from the instruction table (A64.describe),
// system registers (names and encodings from the table's sysreg list, EL0 behaviour from the ISA
// group), registers, directives (names from the assembler's directive table) and symbols.
import { Assembler } from '../../emulator/asm/assembler';
import type { AsmSymbol } from '../../emulator/asm';
import { A64 } from '../../emulator/isa/table';
import { ID_REGISTERS, sysregEncoding, sysregHover } from '../../emulator/isa/groups/branch-sys';
import { PSTATE_FIELDS } from './scan';

export interface InsnDoc { syntax: string; pattern: string; hover: string; group: string; id: string }

/**
 * Every documented form of a mnemonic. `describe` leaves out spellings the disassembler never
 * prints (e.g. `b.eq`, which it prints from the `b.<cond>` spec); for those, the spec that accepts
 * the spelling is described.
 */
export function describeMnemonic(mnemonic: string): InsnDoc[] {
  const m = mnemonic.toLowerCase();
  const d = A64.describe(m);
  if (d.length || !A64.hasMnemonic(m)) return d;
  const out: InsnDoc[] = [];
  for (const spec of A64.specs) {
    for (const a of spec.aliases ?? []) {
      if (typeof a.mnemonic !== 'string' || a.mnemonic.toLowerCase() !== m) continue;
      out.push({ syntax: `${m} ${a.operands.map(o => o.syntax).join(', ')}`.trim(), pattern: spec.pattern, hover: spec.hover, group: spec.group, id: spec.id });
    }
  }
  return out;
}

/** Bit ranges of an encoding pattern: `[{hi, lo, text}]` from bit 31 down (fixed runs and fields). */
export function patternFields(pattern: string): { hi: number; lo: number; text: string }[] {
  const out: { hi: number; lo: number; text: string }[] = [];
  let bit = 31;
  for (const tok of pattern.trim().split(/\s+/)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*):(\d+)$/.exec(tok);
    const len = m ? Number(m[2]) : tok.length;
    const prev = out[out.length - 1];
    if (!m && prev && /^[01x]+$/.test(prev.text)) { prev.text += tok; prev.lo -= len; } // one run of fixed bits
    else out.push({ hi: bit, lo: bit - len + 1, text: m ? m[1] : tok });
    bit -= len;
  }
  return out;
}

/** A Markdown table of an encoding: one column per field, bit numbers above. */
export function encodingTable(pattern: string): string {
  const f = patternFields(pattern);
  const head = f.map(x => (x.hi === x.lo ? `${x.hi}` : `${x.hi}–${x.lo}`));
  return `| ${head.join(' | ')} |\n|${f.map(() => ':-:').join('|')}|\n| ${f.map(x => x.text.replace(/x/g, '·')).join(' | ')} |`;
}

/** Escapes what Markdown would swallow in plain prose (HTML-like `<Xd|SP>`, emphasis, code spans). */
function escapeMd(s: string): string { return s.replace(/([\\`*<>])/g, '\\$1'); }

/** Hover Markdown for a mnemonic: syntax of each form, encodings, and the descriptions. */
export function mnemonicHover(mnemonic: string, maxForms = 6): string | undefined {
  const docs = describeMnemonic(mnemonic);
  if (!docs.length) return undefined;
  const parts: string[] = [];
  const shown = docs.slice(0, maxForms);
  parts.push('```tagvisor-asm\n' + shown.map(d => d.syntax).join('\n') + (docs.length > maxForms ? `\n// … ${docs.length - maxForms} more forms` : '') + '\n```');
  // One description per distinct text (aliases and width variants share theirs).
  const seen = new Set<string>();
  for (const d of shown) {
    if (seen.has(d.hover)) continue;
    seen.add(d.hover);
    parts.push(`**${escapeMd(d.id)}** — ${escapeMd(d.group)}\n\n${escapeMd(d.hover)}\n\n${encodingTable(d.pattern)}`);
    if (seen.size >= 3) break;
  }
  return parts.join('\n\n---\n\n');
}

// ---- system registers ---------------------------------------------------------------------------

function splitEncoding(e: number): { op0: number; op1: number; crn: number; crm: number; op2: number } {
  return { op0: e >> 14, op1: (e >> 11) & 7, crn: (e >> 7) & 15, crm: (e >> 3) & 15, op2: e & 7 };
}

/** Hover Markdown for a system register or PSTATE field name. */
export function sysregDoc(name: string): string | undefined {
  const l = name.toLowerCase();
  let enc: number | undefined;
  try { enc = sysregEncoding(l); } catch { enc = undefined; }
  const parts: string[] = [];
  if (enc !== undefined) {
    const { op0, op1, crn, crm, op2 } = splitEncoding(enc);
    parts.push(`**${l.toUpperCase()}** — system register (op0=${op0}, op1=${op1}, CRn=${crn}, CRm=${crm}, op2=${op2}; \`S${op0}_${op1}_C${crn}_C${crm}_${op2}\`)`);
    const h = sysregHover(l);
    const id = ID_REGISTERS[l];
    if (h) parts.push(`Accessible at EL0: ${escapeMd(h)}`);
    else if (id !== undefined) parts.push(`An ID register: EL0 reads it through Linux's MRS emulation, value \`0x${id.toString(16)}\`.`);
    else if (op0 === 3 && op1 === 0 && crn === 0 && (crm === 0 || crm >= 2)) parts.push('In the ID space: EL0 reads 0 through Linux\'s MRS emulation.');
    else parts.push('Not accessible at EL0: `mrs`/`msr` of it is undefined (the guest gets SIGILL).');
  }
  if (PSTATE_FIELDS.includes(l)) {
    const forms = A64.describe('msr').filter(d => d.id === `MSR_${l}`);
    for (const f of forms) parts.push(`\`msr ${l}, #imm\` (PSTATE field): ${escapeMd(f.hover)}`);
  }
  if (l === 'tco' || l === 'gcr_el1' || l === 'rgsr_el1' || l === 'tfsre0_el1' || l === 'tfsr_el1') parts.push(MTE_SYSREG[l]);
  return parts.length ? parts.join('\n\n') : undefined;
}

const MTE_SYSREG: Record<string, string> = {
  tco: 'MTE: while TCO is 1, loads and stores are not tag-checked (allocation tags are still written by tag instructions).',
  gcr_el1: 'MTE: `Exclude` (bits 15:0) is the set of tags IRG never chooses; Linux sets it from `prctl(PR_SET_TAGGED_ADDR_CTRL)` bits 18:3 (the include mask, inverted).',
  rgsr_el1: 'MTE: the state of the random tag generator IRG uses (SEED and TAG fields).',
  tfsre0_el1: 'MTE: TF0 (bit 0) is set by an asynchronous tag check fault of an EL0 access; Linux turns it into SIGSEGV / SEGV_MTEAERR on the next kernel entry.',
  tfsr_el1: 'MTE: asynchronous tag check faults of EL1 accesses (TF0/TF1).',
};

// ---- general registers ----------------------------------------------------------------------------

export function registerDoc(name: string): string | undefined {
  const l = name.toLowerCase();
  let m: RegExpExecArray | null;
  if ((m = /^x(\d+)$/.exec(l))) return `**X${m[1]}** — 64-bit general-purpose register. ${gprRole(Number(m[1]))}\n\n${TAG_NOTE}`;
  if ((m = /^w(\d+)$/.exec(l))) return `**W${m[1]}** — the low 32 bits of X${m[1]}; writing it zeroes bits 63:32. ${gprRole(Number(m[1]))}`;
  if (l === 'sp') return `**SP** — the stack pointer (64-bit). Loads and stores based on SP with an immediate offset and no writeback are not tag-checked.\n\n${TAG_NOTE}`;
  if (l === 'wsp') return '**WSP** — the low 32 bits of SP.';
  if (l === 'xzr') return '**XZR** — the zero register: reads as 0, writes are discarded.';
  if (l === 'wzr') return '**WZR** — the 32-bit zero register: reads as 0, writes are discarded.';
  if (l === 'lr') return `**LR** = X30, the link register: \`bl\`/\`blr\` put the return address here. ${gprRole(30)}`;
  if (l === 'fp') return `**FP** = X29, the frame pointer. ${gprRole(29)}`;
  if (l === 'ip0' || l === 'ip1') return `**${l.toUpperCase()}** = X${l === 'ip0' ? 16 : 17}, intra-procedure-call scratch register.`;
  if ((m = /^([vbhsdq])(\d+)(?:\.(\d*)([bhsdq]))?$/.exec(l))) {
    const size: Record<string, string> = { v: 'a 128-bit SIMD&FP vector', q: '128-bit', d: '64-bit', s: '32-bit', h: '16-bit', b: '8-bit' };
    const base = m[1] === 'v' ? `**V${m[2]}** — ${size.v} register` : `**${m[1].toUpperCase()}${m[2]}** — the ${size[m[1]]} view of V${m[2]}`;
    const arr = m[4] ? ` as ${m[3] || 'an element of'} ${{ b: '8-bit', h: '16-bit', s: '32-bit', d: '64-bit', q: '128-bit' }[m[4]]} lane${m[3] && m[3] !== '1' ? 's' : ''}` : '';
    const abi = Number(m[2]) >= 8 && Number(m[2]) <= 15 ? ' Bits 63:0 are callee-saved (AAPCS64).' : '';
    return `${base}${arr}.${abi}`;
  }
  return undefined;
}

const TAG_NOTE = 'With MTE, bits 59:56 of a pointer hold its *logical tag*; a checked load or store faults when it differs from the *allocation tag* of the 16-byte granule it touches.';

function gprRole(n: number): string {
  if (n <= 7) return `Argument/result register ${n} (AAPCS64); on \`svc #0\` Linux reads syscall arguments from X0–X5 and returns in X0.`;
  if (n === 8) return 'Indirect result register (AAPCS64); on `svc #0` Linux takes the system call number from X8.';
  if (n <= 15) return 'Caller-saved temporary (AAPCS64).';
  if (n <= 17) return `Intra-procedure-call scratch register IP${n - 16}.`;
  if (n === 18) return 'Platform register (reserved on some platforms).';
  if (n <= 28) return 'Callee-saved (AAPCS64).';
  if (n === 29) return 'Frame pointer (AAPCS64).';
  return 'Link register (AAPCS64).';
}

// ---- directives -------------------------------------------------------------------------------------

const CONDITIONAL_DIRECTIVES = ['.if', '.ifdef', '.ifndef', '.ifnotdef', '.ifc', '.ifnc', '.ifeq', '.ifne', '.ifge', '.ifgt', '.ifle',
  '.iflt', '.ifb', '.ifnb', '.ifeqs', '.ifnes', '.else', '.elseif', '.endif'];

/** Every directive the assembler accepts (from its own directive table). */
export const DIRECTIVES: readonly string[] = [...new Set([...Object.keys(Assembler.handlers), ...CONDITIONAL_DIRECTIVES])].sort();

const DIRECTIVE_DOCS: Record<string, string> = {
  '.text': 'Switch to the `.text` section (code).',
  '.data': 'Switch to the `.data` section (writable data).',
  '.bss': 'Switch to the `.bss` section (zero-initialised data, no bytes in the file).',
  '.rodata': 'Switch to the `.rodata` section (read-only data).',
  '.section': '`.section name[, "flags"[, @type]]` — switch to a named section; flags `a` (alloc), `w` (write), `x` (exec).',
  '.pushsection': 'Like `.section`, remembering the current section for `.popsection`.',
  '.popsection': 'Return to the section before the last `.pushsection`.',
  '.previous': 'Return to the previous section.',
  '.byte': 'Emit 8-bit values.', '.hword': 'Emit 16-bit values.', '.short': 'Emit 16-bit values.', '.2byte': 'Emit 16-bit values.',
  '.word': 'Emit 32-bit values.', '.long': 'Emit 32-bit values.', '.int': 'Emit 32-bit values.', '.4byte': 'Emit 32-bit values.',
  '.quad': 'Emit 64-bit values.', '.xword': 'Emit 64-bit values.', '.8byte': 'Emit 64-bit values.', '.dword': 'Emit 64-bit values.',
  '.octa': 'Emit 128-bit values.',
  '.inst': 'Emit 32-bit instruction words (shown as code by the disassembler).',
  '.ascii': 'Emit strings without a terminating NUL.', '.asciz': 'Emit NUL-terminated strings.', '.string': 'Emit NUL-terminated strings.',
  '.float': 'Emit IEEE single-precision values.', '.single': 'Emit IEEE single-precision values.', '.double': 'Emit IEEE double-precision values.',
  '.zero': '`.zero n` — emit n zero bytes.', '.skip': '`.skip n[, fill]` — reserve n bytes.', '.space': '`.space n[, fill]` — reserve n bytes.',
  '.fill': '`.fill repeat[, size[, value]]` — emit repeat copies of a size-byte value.',
  '.sleb128': 'Emit signed LEB128 values.', '.uleb128': 'Emit unsigned LEB128 values.',
  '.balign': '`.balign bytes[, fill[, max]]` — align to a byte boundary.',
  '.p2align': '`.p2align n[, fill[, max]]` — align to 2^n bytes.', '.align': '`.align n` — on AArch64, align to 2^n bytes.',
  '.org': '`.org address` — advance the location counter to an offset in the section.',
  '.ltorg': 'Dump the pending literal pool (`ldr x0, =value` constants) here.', '.pool': 'Same as `.ltorg`.',
  '.global': 'Make symbols visible to the linker.', '.globl': 'Make symbols visible to the linker.', '.weak': 'Make symbols weak.',
  '.local': 'Make symbols local.', '.hidden': 'Set hidden visibility.', '.protected': 'Set protected visibility.', '.internal': 'Set internal visibility.',
  '.type': '`.type sym, %function|%object` — set a symbol\'s type (used for call stacks and the outline).',
  '.size': '`.size sym, expr` — set a symbol\'s size (usually `.-sym`).',
  '.set': '`.set name, expr` — define (or redefine) a symbol.', '.equ': '`.equ name, expr` — define (or redefine) a symbol.',
  '.equiv': '`.equiv name, expr` — define a symbol; an error if it already exists.',
  '.comm': '`.comm name, size[, align]` — a common (zeroed) block.', '.lcomm': '`.lcomm name, size` — a local zeroed block in .bss.',
  '.macro': '`.macro name args…` — define a macro; parameters are used as `\\arg`.', '.endm': 'End a `.macro` definition.',
  '.endmacro': 'End a `.macro` definition.', '.exitm': 'Leave the current macro expansion early.', '.purgem': 'Undefine a macro.',
  '.rept': '`.rept n` … `.endr` — repeat the lines n times.', '.irp': '`.irp sym, values…` … `.endr` — repeat once per value.',
  '.irpc': '`.irpc sym, chars` … `.endr` — repeat once per character.', '.endr': 'End `.rept`/`.irp`/`.irpc`.',
  '.include': '`.include "file"` — assemble another file here.',
  '.end': 'Stop assembling.', '.err': 'Report an error.', '.error': '`.error "message"` — report an error.', '.warning': '`.warning "message"` — report a warning.',
  '.print': '`.print "text"` — print a message while assembling.',
  '.if': '`.if expr` — assemble the following lines when expr is non-zero.', '.else': 'The other branch of a conditional.',
  '.elseif': 'Chained condition.', '.endif': 'End a conditional.',
  '.ifdef': 'Assemble when the symbol is defined.', '.ifndef': 'Assemble when the symbol is not defined.',
  '.arch': 'Select the architecture (accepted; Tagvisor assembles the whole A64 set it implements, including MTE).',
  '.cpu': 'Select the CPU (accepted and ignored).', '.file': 'Source file name (debug info; accepted).', '.loc': 'Line information (accepted).',
};

export function directiveDoc(name: string): string | undefined {
  const l = name.toLowerCase();
  if (!DIRECTIVES.includes(l)) return undefined;
  return `**${l}** — assembler directive\n\n${DIRECTIVE_DOCS[l] ?? 'GNU as directive.'}`;
}

// ---- symbols ----------------------------------------------------------------------------------------

export function symbolDoc(s: AsmSymbol): string {
  const hex = (v: bigint): string => '0x' + BigInt.asUintN(64, v).toString(16);
  if (s.section === null) {
    const v = s.value;
    return `**${escapeMd(s.name)}** — constant = \`${BigInt.asIntN(64, v)}\` (\`${hex(v)}\`)`;
  }
  const kind = s.type === 'func' ? 'function' : s.type === 'object' ? 'object' : 'label';
  const size = s.size !== undefined ? `, ${s.size} bytes` : '';
  return `**${escapeMd(s.name)}** — ${s.binding} ${kind} in \`${s.section}\` at \`${hex(s.value)}\`${size}`;
}

export function numberDoc(text: string): string | undefined {
  let v: bigint;
  try {
    const t = text.replace(/_/g, '');
    if (/^0[bB][01]+$/.test(t)) v = BigInt(t);
    else if (/^0[xX][0-9a-fA-F]+$/.test(t)) v = BigInt(t);
    else if (/^0[0-7]+$/.test(t)) v = BigInt('0o' + t.slice(1)); // GNU as: a leading 0 means octal
    else if (/^\d+$/.test(t)) v = BigInt(t);
    else return undefined;
  } catch { return undefined; }
  const u = BigInt.asUintN(64, v);
  return `\`${v}\` = \`0x${u.toString(16)}\` = \`0b${u.toString(2)}\``;
}
