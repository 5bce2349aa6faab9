// Branches, exception generation and system instructions: b/bl/b.cond/cbz/cbnz/tbz/tbnz/br/blr/
// ret, svc/hvc/smc/brk/hlt/dcps/udf, the hint space (nop, yield, wfe, wfi, sev, sevl, bti, the
// pointer-authentication hints - NOPs here, PAC is not enabled), barriers (dmb/dsb/isb/sb/ssbb/
// pssbb/clrex), PSTATE immediates (msr tco, #imm; cfinv/xaflag/axflag), mrs/msr with objdump's
// system-register names, sys/sysl with the dc/ic/at/tlbi aliases (dc zva and the EL0 cache
// maintenance operations implemented) and the EL0 view of the ID registers that Linux's MRS
// emulation gives.
//
// What EL0 can do is what Linux lets it: everything else in this space is UNDEFINED here
// (CpuTrap(Stop.Undefined) -> SIGILL), as it is on a real kernel.
import { OperandError } from '../../asm/types';
import { CpuTrap, Stop, type Cpu } from '../../cpu/cpu';
import { COND_NAMES, COND_OTHER_NAMES, gpr, imm, immText, label, parseGpr } from '../operands';
import { M32, M64, POW2, rd31, sfield, wr31 } from '../semantics';
import { compilePattern, insertFields, type Fields, type InsnSpec, type Operand, type Step } from '../spec';
import { SYS_OP_NAMES, SYSREG_MSR_NAMES, SYSREG_NAMES } from './branch-sys-names';
import { condTable, nzcvIndex } from './int-reg';

const BR = 'Branches, exception generation and system';
const SYS = 'System';

/** A closure for an instruction EL0 may not execute: UNDEFINED (the kernel sends SIGILL). */
function undefinedStep(id: string, pattern: string, what: string): (f: Fields) => Step {
  const p = compilePattern(id, pattern);
  return f => {
    const word = insertFields(id, p, f);
    const msg = `${what} is undefined at EL0 (0x${word.toString(16).padStart(8, '0')})`;
    return c => { c.undefinedWord = word; throw new CpuTrap(Stop.Undefined, msg); };
  };
}

const PAUTH_NOTE = 'Pointer authentication (FEAT_PAuth) is not implemented here, so this encoding is undefined (SIGILL); the hint-space forms (paciasp, autiasp...) are NOPs.';

// ---- branches --------------------------------------------------------------------------------------

/** Instruction addresses drop the tag byte (TBI); an address that is not a user address faults at fetch. */
const TBI = 0x00ff_ffff_ffff_ffffn;
const NON_USER_PC = 2 ** 48;
const branchTarget = (v: bigint): number => { const a = v & TBI; return a < 0x1_0000_0000_0000n ? Number(a) : NON_USER_PC; };

/** b.<cond> and bc.<cond> (FEAT_HBC: the same branch, hinted as consistent). */
function condBranch(hinted: boolean): InsnSpec {
  const p = hinted ? 'bc.' : 'b.';
  const target: Operand = {
    ...label('imm19', 19),
    comment: f => (COND_OTHER_NAMES[f.cond].length ? COND_OTHER_NAMES[f.cond].map(n => p + n).join(', ') : null),
  };
  const asmForms = (names: readonly string[], prefix: string, cond: (i: number) => number) =>
    names.map((n, i) => ({ mnemonic: prefix + n, fixed: { cond: cond(i) }, when: () => true, asmOnly: true, operands: [label('imm19', 19)] }));
  return {
    id: hinted ? 'BC_cond' : 'B_cond', mnemonic: f => p + COND_NAMES[f.cond], group: BR,
    hover: hinted
      ? 'Branch conditionally (FEAT_HBC), hinting that the branch behaves very consistently: the same as b.<cond> here.'
      : 'Branch conditionally to a pc-relative label (±1 MiB) if the condition holds on NZCV.',
    pattern: `0101010 0 imm19:19 ${hinted ? 1 : 0} cond:4`, operands: [target],
    aliases: [
      ...asmForms(COND_NAMES, p, i => i),
      ...COND_OTHER_NAMES.flatMap((ns, i) => asmForms(ns, p, () => i)),
      ...(hinted ? [] : asmForms(COND_NAMES, 'b', i => i)),
    ],
    exec: f => branchIf(f.cond, sfield(f.imm19, 19) * 4),
  };
}

/** A conditional branch closure reading only the flags its condition needs. */
function branchIf(cond: number, off: number): Step {
  switch (cond) {
    case 0: return c => { if (c.zf === 1) c.npc = c.pc + off; };
    case 1: return c => { if (c.zf === 0) c.npc = c.pc + off; };
    case 2: return c => { if (c.cf === 1) c.npc = c.pc + off; };
    case 3: return c => { if (c.cf === 0) c.npc = c.pc + off; };
    case 4: return c => { if (c.nf === 1) c.npc = c.pc + off; };
    case 5: return c => { if (c.nf === 0) c.npc = c.pc + off; };
    case 6: return c => { if (c.vf === 1) c.npc = c.pc + off; };
    case 7: return c => { if (c.vf === 0) c.npc = c.pc + off; };
    case 10: return c => { if (c.nf === c.vf) c.npc = c.pc + off; };
    case 11: return c => { if (c.nf !== c.vf) c.npc = c.pc + off; };
    case 14: case 15: return c => { c.npc = c.pc + off; };
    default: {
      const T = condTable(cond);
      return c => { if ((T >>> nzcvIndex(c)) & 1) c.npc = c.pc + off; };
    }
  }
}

const BRANCHES: InsnSpec[] = [
  {
    id: 'B', mnemonic: 'b', group: BR, hover: 'Branch unconditionally to a pc-relative label (±128 MiB).',
    pattern: '0 00101 imm26:26', operands: [label('imm26', 26)],
    exec: f => { const off = sfield(f.imm26, 26) * 4; return c => { c.npc = c.pc + off; }; },
  },
  {
    id: 'BL', mnemonic: 'bl', group: BR, hover: 'Branch with link: X30 = pc + 4, then branch to a pc-relative label (±128 MiB).',
    pattern: '1 00101 imm26:26', operands: [label('imm26', 26)],
    exec: f => { const off = sfield(f.imm26, 26) * 4; return c => { c.x[30] = BigInt(c.pc + 4); c.npc = c.pc + off; }; },
  },
  condBranch(false),
  condBranch(true),
  ...([0, 1] as const).map((op): InsnSpec => ({
    id: op ? 'CBNZ' : 'CBZ', mnemonic: op ? 'cbnz' : 'cbz', group: BR,
    hover: `Compare and branch if ${op ? 'not ' : ''}zero (±1 MiB); flags unchanged.`,
    pattern: `sf:1 011010 ${op} imm19:19 Rt:5`, operands: [gpr('Rt'), label('imm19', 19)],
    exec: f => {
      const t = rd31(f.Rt, false), off = sfield(f.imm19, 19) * 4, mask = f.sf ? M64 : M32;
      return op ? c => { if ((c.x[t] & mask) !== 0n) c.npc = c.pc + off; } : c => { if ((c.x[t] & mask) === 0n) c.npc = c.pc + off; };
    },
  })),
  ...([0, 1] as const).map((op): InsnSpec => ({
    id: op ? 'TBNZ' : 'TBZ', mnemonic: op ? 'tbnz' : 'tbz', group: BR,
    hover: `Test bit and branch if ${op ? 'not ' : ''}zero (±32 KiB); flags unchanged.`,
    pattern: `b5:1 011011 ${op} b40:5 imm14:14 Rt:5`,
    operands: [tbReg(), tbBit(), label('imm14', 14)],
    exec: f => {
      const t = rd31(f.Rt, false), off = sfield(f.imm14, 14) * 4, B = POW2[f.b5 * 32 + f.b40];
      return op ? c => { if ((c.x[t] & B) !== 0n) c.npc = c.pc + off; } : c => { if ((c.x[t] & B) === 0n) c.npc = c.pc + off; };
    },
  })),
  ...([['BR', 'br', '00'], ['BLR', 'blr', '01'], ['RET', 'ret', '10']] as const).map(([id, m, opc]): InsnSpec => ({
    id, mnemonic: m, group: BR,
    hover: id === 'RET' ? 'Return from subroutine: branch to Xn (default X30).' : id === 'BLR' ? 'Branch with link to register: X30 = pc + 4, pc = Xn.' : 'Branch to register: pc = Xn.',
    pattern: `1101011 0 0 ${opc} 11111 0000 0 0 Rn:5 00000`,
    operands: id === 'RET' ? [retReg()] : [gpr('Rn', { width: 'x' })],
    exec: f => {
      const n = rd31(f.Rn, false);
      return id === 'BLR' ? c => { const t = branchTarget(c.x[n]); c.x[30] = BigInt(c.pc + 4); c.npc = t; } : c => { c.npc = branchTarget(c.x[n]); };
    },
  })),
  ...([['ERET', 'eret', '0100'], ['DRPS', 'drps', '0101']] as const).map(([id, m, opc]): InsnSpec => ({
    id, mnemonic: m, group: BR, hover: `${id === 'ERET' ? 'Exception return' : 'Debug restore process state'}: EL1 and above only (undefined at EL0).`,
    pattern: `1101011 ${opc} 11111 000000 11111 00000`, operands: [],
    exec: undefinedStep(id, `1101011 ${opc} 11111 000000 11111 00000`, m),
  })),
  // Pointer-authenticated branches: FEAT_PAuth is not implemented, so these are undefined.
  ...([['BRAAZ', 'braaz', '0 0 00', '0'], ['BRABZ', 'brabz', '0 0 00', '1'], ['BLRAAZ', 'blraaz', '0 0 01', '0'], ['BLRABZ', 'blrabz', '0 0 01', '1']] as const).map(([id, m, op, k]): InsnSpec => {
    const pattern = `1101011 ${op} 11111 0000 1 ${k} Rn:5 11111`;
    return { id, mnemonic: m, group: BR, hover: `${m}: branch to Xn after authenticating it with a zero modifier. ${PAUTH_NOTE}`, pattern, operands: [gpr('Rn', { width: 'x' })], exec: undefinedStep(id, pattern, m) };
  }),
  ...([['BRAA', 'braa', '00', '0'], ['BRAB', 'brab', '00', '1'], ['BLRAA', 'blraa', '01', '0'], ['BLRAB', 'blrab', '01', '1']] as const).map(([id, m, op, k]): InsnSpec => {
    const pattern = `1101011 1 0 ${op} 11111 0000 1 ${k} Rn:5 Rm:5`;
    return { id, mnemonic: m, group: BR, hover: `${m}: branch to Xn after authenticating it with modifier Xm|SP. ${PAUTH_NOTE}`, pattern,
      operands: [gpr('Rn', { width: 'x' }), gpr('Rm', { width: 'x', sp: true })], exec: undefinedStep(id, pattern, m) };
  }),
  ...([['RETAA', 'retaa', '0 10', '0'], ['RETAB', 'retab', '0 10', '1'], ['ERETAA', 'eretaa', '1 00', '0'], ['ERETAB', 'eretab', '1 00', '1']] as const).map(([id, m, op, k]): InsnSpec => {
    const pattern = `1101011 0 ${op} 11111 0000 1 ${k} 11111 11111`;
    return { id, mnemonic: m, group: BR, hover: `${m}: authenticated return. ${PAUTH_NOTE}`, pattern, operands: [], exec: undefinedStep(id, pattern, m) };
  }),
];

/**
 * tbz/tbnz register: printed W when the bit number is < 32 (b5 = 0), else X. GNU as takes an X
 * register with a bit number below 32 too (encoding b5 = 0), but not a W register with bit >= 32.
 */
function tbReg(): Operand {
  const g = gpr('Rt', { width: { field: 'b5' } });
  return {
    ...g,
    parse: (text, f) => {
      const r = parseGpr(text, false);
      if (!r) return false;
      f.Rt = r.n; f.tbX = r.w === 'x' ? 1 : 0;
      return true;
    },
  };
}
function tbBit(): Operand {
  return {
    syntax: '#<imm>',
    format: f => `#${f.b5 * 32 + f.b40}`,
    parse: (text, f, ctx) => {
      const t = immText(text);
      if (t === '' || parseGpr(t, false)) return false;
      const v = Number(ctx.evaluate(t));
      const max = f.tbX ? 63 : 31;
      if (v < 0 || v > max) throw new OperandError(`bit number ${v} out of range [0, ${max}]`);
      f.b40 = v & 31; f.b5 = v >> 5;
      return true;
    },
  };
}
function retReg(): Operand {
  const g = gpr('Rn', { width: 'x' });
  return {
    ...g, optional: true,
    format: f => (f.Rn === 30 ? null : g.format(f, { pc: 0 })),
    parse: (t, f, ctx) => { if (t.trim() === '') { f.Rn = 30; return true; } return g.parse(t, f, ctx); },
  };
}

// ---- exception generation --------------------------------------------------------------------------

function exception(id: string, mnemonic: string, opc: string, ll: string, hover: string, exec: (f: Fields) => Step, opts: { omitZero?: boolean; decimal?: boolean } = {}): InsnSpec {
  const pattern = `11010100 ${opc} imm16:16 000 ${ll}`;
  return {
    id, mnemonic, group: BR, hover, pattern,
    operands: [imm('imm16', 16, { hex: !opts.decimal, optional: opts.omitZero, omitWhen: 0 })],
    exec,
  };
}

const EXCEPTIONS: InsnSpec[] = [
  exception('SVC', 'svc', '000', '01', 'Supervisor call: enter the kernel (Linux: syscall number in X8, arguments X0-X5, result in X0).',
    f => { const k = f.imm16; return c => { c.svcImm = k; c.stop = Stop.Svc; }; }),
  exception('HVC', 'hvc', '000', '10', 'Hypervisor call: undefined at EL0.', undefinedStep('HVC', '11010100 000 imm16:16 000 10', 'hvc')),
  exception('SMC', 'smc', '000', '11', 'Secure monitor call: undefined at EL0.', undefinedStep('SMC', '11010100 000 imm16:16 000 11', 'smc')),
  exception('BRK', 'brk', '001', '00', 'Breakpoint: traps to the kernel, which sends SIGTRAP (pc stays at the brk).',
    f => { const k = f.imm16; const msg = `brk #0x${k.toString(16)}`; return () => { throw new CpuTrap(Stop.Trap, msg, k); }; }),
  exception('HLT', 'hlt', '010', '00', 'Halt for an external debugger: undefined when halting debug is off (always, for Linux user space).',
    undefinedStep('HLT', '11010100 010 imm16:16 000 00', 'hlt')),
  exception('TCANCEL', 'tcancel', '011', '00', 'Cancel a memory transaction (FEAT_TME): not implemented, undefined.',
    undefinedStep('TCANCEL', '11010100 011 imm16:16 000 00', 'tcancel'), { decimal: true }),
  ...[1, 2, 3].map(k => exception(`DCPS${k}`, `dcps${k}`, '101', `0${k >> 1}${k & 1}`.slice(-2), `Debug change PE state to EL${k}: undefined outside debug state.`,
    undefinedStep(`DCPS${k}`, `11010100 101 imm16:16 000 ${`${k >> 1}${k & 1}`}`, `dcps${k}`), { omitZero: true })),
  {
    id: 'UDF', mnemonic: 'udf', group: BR, hover: 'Permanently undefined: raises an undefined-instruction exception (Linux: SIGILL).',
    pattern: '0000000000000000 imm16:16', operands: [imm('imm16', 16)],
    exec: undefinedStep('UDF', '0000000000000000 imm16:16', 'udf'),
  },
];

// ---- hints -----------------------------------------------------------------------------------------

const NOP_STEP: Step = () => { /* no architectural effect here */ };
const PAC_NOTE = 'Pointer authentication is not enabled (no FEAT_PAuth): executes as a NOP.';
const HINTS: [number, string, string, string][] = [
  [0, 'NOP', 'nop', 'No operation.'],
  [1, 'YIELD', 'yield', 'Hint that the thread could yield (a NOP here).'],
  [2, 'WFE', 'wfe', 'Wait for event (a NOP here: the emulated core never sleeps).'],
  [3, 'WFI', 'wfi', 'Wait for interrupt (a NOP here at EL0).'],
  [4, 'SEV', 'sev', 'Send event (a NOP here).'],
  [5, 'SEVL', 'sevl', 'Send event locally (a NOP here).'],
  [7, 'XPACLRI', 'xpaclri', `Strip the pointer authentication code from X30. ${PAC_NOTE}`],
  [8, 'PACIA1716', 'pacia1716', `Sign X17 with key A and modifier X16. ${PAC_NOTE}`],
  [10, 'PACIB1716', 'pacib1716', `Sign X17 with key B and modifier X16. ${PAC_NOTE}`],
  [12, 'AUTIA1716', 'autia1716', `Authenticate X17 with key A and modifier X16. ${PAC_NOTE}`],
  [14, 'AUTIB1716', 'autib1716', `Authenticate X17 with key B and modifier X16. ${PAC_NOTE}`],
  [16, 'ESB', 'esb', 'Error synchronization barrier (a NOP here: no RAS errors are emulated).'],
  [20, 'CSDB', 'csdb', 'Consumption of speculative data barrier (a NOP here: no speculation is emulated).'],
  [22, 'CLEARBHB', 'clearbhb', 'Clear branch history (a NOP here).'],
  [24, 'PACIAZ', 'paciaz', `Sign X30 with key A and modifier zero. ${PAC_NOTE}`],
  [25, 'PACIASP', 'paciasp', `Sign X30 (LR) with key A and modifier SP. ${PAC_NOTE}`],
  [26, 'PACIBZ', 'pacibz', `Sign X30 with key B and modifier zero. ${PAC_NOTE}`],
  [27, 'PACIBSP', 'pacibsp', `Sign X30 (LR) with key B and modifier SP. ${PAC_NOTE}`],
  [28, 'AUTIAZ', 'autiaz', `Authenticate X30 with key A and modifier zero. ${PAC_NOTE}`],
  [29, 'AUTIASP', 'autiasp', `Authenticate X30 (LR) with key A and modifier SP. ${PAC_NOTE}`],
  [30, 'AUTIBZ', 'autibz', `Authenticate X30 with key B and modifier zero. ${PAC_NOTE}`],
  [31, 'AUTIBSP', 'autibsp', `Authenticate X30 (LR) with key B and modifier SP. ${PAC_NOTE}`],
];
const HINT_OPERAND: [number, string, string, string, string][] = [
  [17, 'PSB', 'psb', 'csync', 'Profiling synchronization barrier (a NOP here: no statistical profiling).'],
  [18, 'TSB', 'tsb', 'csync', 'Trace synchronization barrier (a NOP here: no trace unit).'],
  [32, 'BTI', 'bti', '', 'Branch target identification landing pad (a NOP here: BTI is not enabled).'],
  [34, 'BTI_c', 'bti', 'c', 'Branch target identification for calls (BR/BLR) (a NOP here: BTI is not enabled).'],
  [36, 'BTI_j', 'bti', 'j', 'Branch target identification for jumps (BR) (a NOP here: BTI is not enabled).'],
  [38, 'BTI_jc', 'bti', 'jc', 'Branch target identification for calls and jumps (a NOP here: BTI is not enabled).'],
];

const hintPattern = (k: number): string => `1101010100 0 00 011 0010 ${((k >> 3) & 15).toString(2).padStart(4, '0')} ${(k & 7).toString(2).padStart(3, '0')} 11111`;

/** A fixed keyword operand (bti c, psb csync). */
function keyword(word: string): Operand {
  return {
    syntax: word, optional: word === '',
    format: () => (word === '' ? null : word),
    parse: t => t.trim().toLowerCase() === word,
  };
}

const HINT_SPECS: InsnSpec[] = [
  ...HINTS.map(([k, id, m, hover]): InsnSpec => ({ id, mnemonic: m, group: BR, hover, pattern: hintPattern(k), operands: [], exec: () => NOP_STEP })),
  ...HINT_OPERAND.map(([k, id, m, op, hover]): InsnSpec => ({ id, mnemonic: m, group: BR, hover, pattern: hintPattern(k), operands: [keyword(op)], exec: () => NOP_STEP })),
  {
    id: 'HINT', mnemonic: 'hint', group: BR, hover: 'Hint instruction: unallocated hints execute as NOPs.',
    pattern: '1101010100 0 00 011 0010 imm7:7 11111', operands: [imm('imm7', 7, { hex: true })],
    exec: () => NOP_STEP,
  },
];

// ---- barriers ---------------------------------------------------------------------------------------

const BARRIER_NAMES = ['', 'oshld', 'oshst', 'osh', '', 'nshld', 'nshst', 'nsh', '', 'ishld', 'ishst', 'ish', '', 'ld', 'st', 'sy'];
const NXS_NAMES = ['oshnxs', 'nshnxs', 'ishnxs', 'synxs'];

/** The option of dmb/dsb: a name, or `#0x0c` (two hex digits) when unnamed. */
function barrierOption(names: string[], field: string, width: number): Operand {
  return {
    syntax: '<option>|#<imm>',
    format: f => names[f[field]] || `#0x${f[field].toString(16).padStart(width, '0')}`,
    parse: (text, f, ctx) => {
      const t = text.trim().toLowerCase();
      const i = names.indexOf(t);
      if (i >= 0 && t !== '') { f[field] = i; return true; }
      if (!/^#/.test(t) && !/^\d|^0x/.test(t)) return false;
      const v = Number(ctx.evaluate(immText(t)));
      if (v < 0 || v >= names.length) throw new OperandError(`barrier option ${v} out of range [0, ${names.length - 1}]`);
      f[field] = v;
      return true;
    },
  };
}

/** The option of isb: omitted for sy (15, the only named one), else `#0x5`. */
function isbOption(): Operand {
  const base = imm('CRm', 4, { hex: true, optional: true, omitWhen: 15 });
  return { ...base, parse: (t, f, ctx) => (t.trim().toLowerCase() === 'sy' ? (f.CRm = 15, true) : base.parse(t, f, ctx)) };
}

const barrierPattern = (op2: string): string => `1101010100 0 00 011 0011 CRm:4 ${op2} 11111`;

const BARRIERS: InsnSpec[] = [
  {
    id: 'CLREX', mnemonic: 'clrex', group: BR, hover: 'Clear the local exclusive monitor: a following store-exclusive fails.',
    pattern: barrierPattern('010'), operands: [imm('CRm', 4, { hex: true, optional: true, omitWhen: 15 })],
    exec: () => c => { c.exclusiveAddr = -1; },
  },
  {
    id: 'SSBB', mnemonic: 'ssbb', group: BR, hover: 'Speculative store bypass barrier (a NOP here).',
    pattern: '1101010100 0 00 011 0011 0000 100 11111', operands: [], exec: () => NOP_STEP,
  },
  {
    id: 'PSSBB', mnemonic: 'pssbb', group: BR, hover: 'Physical speculative store bypass barrier (a NOP here).',
    pattern: '1101010100 0 00 011 0011 0100 100 11111', operands: [], exec: () => NOP_STEP,
  },
  {
    id: 'DSB', mnemonic: 'dsb', group: BR, hover: 'Data synchronization barrier: the emulated core is in order, so memory is already coherent (a NOP here).',
    pattern: barrierPattern('100'), operands: [barrierOption(BARRIER_NAMES, 'CRm', 2)], exec: () => NOP_STEP,
  },
  {
    id: 'DSB_nXS', mnemonic: 'dsb', group: BR, hover: 'Data synchronization barrier, nXS variant (a NOP here).',
    pattern: '1101010100 0 00 011 0011 imm2:2 10 001 11111', operands: [barrierOption(NXS_NAMES, 'imm2', 1)], exec: () => NOP_STEP,
  },
  {
    id: 'DMB', mnemonic: 'dmb', group: BR, hover: 'Data memory barrier (a NOP here: one in-order core).',
    pattern: barrierPattern('101'), operands: [barrierOption(BARRIER_NAMES, 'CRm', 2)], exec: () => NOP_STEP,
  },
  {
    id: 'ISB', mnemonic: 'isb', group: BR, hover: 'Instruction synchronization barrier (a NOP here: code writes invalidate decoded instructions at once).',
    pattern: barrierPattern('110'), operands: [isbOption()], exec: () => NOP_STEP,
  },
  {
    id: 'SB', mnemonic: 'sb', group: BR, hover: 'Speculation barrier (a NOP here).',
    pattern: '1101010100 0 00 011 0011 0000 111 11111', operands: [], exec: () => NOP_STEP,
  },
  {
    id: 'TCOMMIT', mnemonic: 'tcommit', group: BR, hover: 'Commit a memory transaction (FEAT_TME): not implemented, undefined.',
    pattern: '1101010100 0 00 011 0011 0000 011 11111', operands: [],
    exec: undefinedStep('TCOMMIT', '1101010100 0 00 011 0011 0000 011 11111', 'tcommit'),
  },
];

// ---- PSTATE -----------------------------------------------------------------------------------------

interface PstateField { id: string; name: string; op1: number; op2: number; max: number; hover: string; exec?: (f: Fields) => Step }
const PSTATE_FIELDS: PstateField[] = [
  { id: 'MSR_uao', name: 'uao', op1: 0, op2: 3, max: 1, hover: 'Set PSTATE.UAO: EL1 only (undefined at EL0).' },
  { id: 'MSR_pan', name: 'pan', op1: 0, op2: 4, max: 1, hover: 'Set PSTATE.PAN: EL1 only (undefined at EL0).' },
  { id: 'MSR_spsel', name: 'spsel', op1: 0, op2: 5, max: 1, hover: 'Select the stack pointer: EL1 only (undefined at EL0).' },
  { id: 'MSR_allint', name: 'allint', op1: 1, op2: 0, max: 1, hover: 'Set PSTATE.ALLINT (FEAT_NMI): EL1 only (undefined at EL0).' },
  { id: 'MSR_ssbs', name: 'ssbs', op1: 3, op2: 1, max: 1, hover: 'Set PSTATE.SSBS: FEAT_SSBS is not implemented (undefined).' },
  { id: 'MSR_dit', name: 'dit', op1: 3, op2: 2, max: 1, hover: 'Set PSTATE.DIT: FEAT_DIT is not implemented (undefined).' },
  {
    id: 'MSR_tco', name: 'tco', op1: 3, op2: 4, max: 1,
    hover: 'Set PSTATE.TCO (tag check override): 1 makes every load and store of this thread tag-unchecked, 0 restores checking.',
    exec: f => { const v = f.CRm & 1; return c => { c.tco = v; }; },
  },
  { id: 'MSR_daifset', name: 'daifset', op1: 3, op2: 6, max: 15, hover: 'Mask interrupts: trapped at EL0 under Linux (SCTLR_EL1.UMA = 0), so undefined.' },
  { id: 'MSR_daifclr', name: 'daifclr', op1: 3, op2: 7, max: 15, hover: 'Unmask interrupts: trapped at EL0 under Linux (SCTLR_EL1.UMA = 0), so undefined.' },
];

const PSTATE_NAMES = new Set(PSTATE_FIELDS.map(p => p.name));

/** The #imm of msr <pstatefield>, #imm, range-checked against the field. */
function pstateImm(p: PstateField): Operand {
  const base = imm('CRm', 4, { hex: true });
  return {
    ...base,
    parse: (t, f, ctx) => {
      if (!base.parse(t, f, ctx)) return false;
      if (f.CRm > p.max) throw new OperandError(`#${f.CRm} out of range [0, ${p.max}] for ${p.name}`);
      return true;
    },
  };
}

const pstatePattern = (op1: number, op2: number): string =>
  `1101010100 0 00 ${op1.toString(2).padStart(3, '0')} 0100 CRm:4 ${op2.toString(2).padStart(3, '0')} 11111`;

const PSTATE: InsnSpec[] = [
  ...PSTATE_FIELDS.map((p): InsnSpec => ({
    id: p.id, mnemonic: 'msr', group: SYS, hover: p.hover,
    pattern: pstatePattern(p.op1, p.op2),
    valid: f => f.CRm <= p.max,
    operands: [keyword(p.name), pstateImm(p)],
    exec: p.exec ?? undefinedStep(p.id, pstatePattern(p.op1, p.op2), `msr ${p.name}, #imm`),
  })),
  ...([['CFINV', 'cfinv', 0, 'Invert the carry flag.'], ['XAFLAG', 'xaflag', 1, 'Convert floating-point comparison flags from an external format to the Arm one.'],
    ['AXFLAG', 'axflag', 2, 'Convert floating-point comparison flags from the Arm format to an external one.']] as const).map(([id, m, op2, hover]): InsnSpec => ({
    id, mnemonic: m, group: SYS, hover,
    pattern: `1101010100 0 00 000 0100 0000 ${op2.toString(2).padStart(3, '0')} 11111`, operands: [],
    exec: () => {
      if (op2 === 0) return c => { c.cf ^= 1; };
      if (op2 === 1) return c => {
        const z = c.zf, cf = c.cf;
        c.nf = (cf ^ 1) & (z ^ 1); c.zf = z & cf; c.cf = cf | z; c.vf = (cf ^ 1) & z;
      };
      return c => { const v = c.vf; c.zf = c.zf | v; c.cf = c.cf & (v ^ 1); c.nf = 0; c.vf = 0; };
    },
  })),
  ...([['SMSTOP_sm', 'smstop', 2, 'sm'], ['SMSTART_sm', 'smstart', 3, 'sm'], ['SMSTOP_za', 'smstop', 4, 'za'], ['SMSTART_za', 'smstart', 5, 'za'],
    ['SMSTOP', 'smstop', 6, ''], ['SMSTART', 'smstart', 7, '']] as const).map(([id, m, crm, op]): InsnSpec => {
    const pattern = `1101010100 0 00 011 0100 ${crm.toString(2).padStart(4, '0')} 011 11111`;
    return { id, mnemonic: m, group: SYS, hover: 'Enter/leave SME streaming mode or enable ZA: FEAT_SME is not implemented (undefined).', pattern, operands: [keyword(op)], exec: undefinedStep(id, pattern, m) };
  }),
];

// ---- system registers -------------------------------------------------------------------------------

/** name -> 16-bit encoding (op0:op1:CRn:CRm:op2) and back. */
const SYSREG_BY_NAME = new Map<string, number>();
const SYSREG_BY_ENC = new Map<number, string>();
const SYSREG_MSR_BY_ENC = new Map<number, string>();
for (const tok of SYSREG_NAMES.split(/\s+/)) {
  if (!tok) continue;
  const [name, enc] = tok.split(':');
  const e = parseInt(enc, 16);
  SYSREG_BY_NAME.set(name, e);
  SYSREG_BY_ENC.set(e, name);
}
for (const tok of SYSREG_MSR_NAMES.split(/\s+/)) {
  if (!tok) continue;
  const [name, enc] = tok.split(':');
  const e = parseInt(enc, 16);
  if (!SYSREG_BY_NAME.has(name)) SYSREG_BY_NAME.set(name, e);
  SYSREG_MSR_BY_ENC.set(e, name);
}

/** The 16-bit encoding of a system register by (objdump) name; throws for unknown names. */
export function sysregEncoding(name: string): number {
  const e = SYSREG_BY_NAME.get(name.toLowerCase());
  if (e === undefined) throw new Error(`unknown system register ${name}`);
  return e;
}

const genericName = (op0: number, op1: number, crn: number, crm: number, op2: number): string => `s${op0}_${op1}_c${crn}_c${crm}_${op2}`;

/** Parses `s3_3_c4_c2_7` (case-insensitive). */
function parseGenericSysreg(t: string): [number, number, number, number, number] | undefined {
  const m = /^s([0-3])_([0-7])_c(\d{1,2})_c(\d{1,2})_([0-7])$/i.exec(t.trim());
  if (!m) return undefined;
  const v = m.slice(1).map(Number) as [number, number, number, number, number];
  if (v[2] > 15 || v[3] > 15) return undefined;
  return v;
}

/** The MRS/MSR register operand over field `sysreg` (o0:op1:CRn:CRm:op2, op0 = 2 + o0). */
function sysregOperand(write: boolean): Operand {
  return {
    syntax: '<systemreg>',
    format: f => {
      const e = 0x8000 | f.sysreg;
      const name = (write ? SYSREG_MSR_BY_ENC.get(e) : undefined) ?? SYSREG_BY_ENC.get(e);
      return name ?? genericName(2 + (f.sysreg >> 14), (f.sysreg >> 11) & 7, (f.sysreg >> 7) & 15, (f.sysreg >> 3) & 15, f.sysreg & 7);
    },
    parse: (text, f) => {
      const t = text.trim().toLowerCase();
      const e = SYSREG_BY_NAME.get(t);
      if (e !== undefined) { f.sysreg = e & 0x7fff; return true; }
      const g = parseGenericSysreg(t);
      if (!g || g[0] < 2) {
        if (/^[a-z][a-z0-9_]*$/.test(t) && !parseGpr(t, true) && !parseGpr(t, false) && !PSTATE_NAMES.has(t)) {
          throw new OperandError(`unknown system register '${t}' (use a name objdump prints, or s<op0>_<op1>_c<n>_c<m>_<op2>)`);
        }
        return false;
      }
      f.sysreg = ((g[0] - 2) << 14) | (g[1] << 11) | (g[2] << 7) | (g[3] << 3) | g[4];
      return true;
    },
  };
}

/** `s0_<op1>_c<n>_c<m>_<op2>` over separate fields, for the op0 = 0 space objdump prints as msr/mrs. */
function sysreg0Operand(): Operand {
  return {
    syntax: 's0_<op1>_c<n>_c<m>_<op2>',
    format: f => genericName(0, f.op1, f.CRn, f.CRm, f.op2),
    parse: (text, f) => {
      const g = parseGenericSysreg(text);
      if (!g || g[0] !== 0) return false;
      [, f.op1, f.CRn, f.CRm, f.op2] = g;
      return true;
    },
  };
}

// -- the EL0 view of the CPU identification registers --

/** Field helper: value << (4 * nibble). */
const nib = (nibble: number, v: number): bigint => BigInt(v) << BigInt(4 * nibble);

/**
 * The values an EL0 `mrs` of the ID registers returns, i.e. what Linux's MRS emulation
 * (arch/arm64/kernel/cpufeature.c, "cpuid" trap) exposes: the user-visible fields of the
 * features this emulator implements, hidden fields at Linux's safe values, and 0 for untracked
 * registers in the ID space. Other modules (the Linux runtime's HWCAPs) read them from here.
 *
 * Decisions: ID_AA64PFR1_EL1.MTE = 3 (FEAT_MTE3: asymmetric tag-check mode is implemented by
 * the MMU), BT = 0 and SSBS = 0 (not implemented), no SVE/SME. FP = AdvSIMD = 0 (implemented,
 * without half precision) until the FP/SIMD group says otherwise. ISAR0: CRC32 = 1, TS = 2
 * (FlagM and FlagM2), ATOMIC = 2 (LSE, in ldst-atomic.ts), RDM = 1 (sqrdmlah/sqrdmlsh), DP = 1
 * (sdot/udot). ISAR1: DPB = 2 (dc cvap, dc cvadp), SB = 1, LRCPC = 2 (ldapr and ldapur),
 * FRINTTS = 1 (frint32/64). ISAR2: CSSC = 1, BC = 1 (bc.<cond>). No crypto, no PAuth.
 */
export const ID_REGISTERS: Record<string, bigint> = {
  // Implementer 0x00 (reserved for software use), architecture 0xf (ID registers), part 0x7a6, r0p0.
  midr_el1: 0x000f_7a60n,
  mpidr_el1: 0x8000_0000n,
  revidr_el1: 0n,
  id_aa64pfr0_el1: nib(0, 1) | nib(1, 1) | nib(4, 0) | nib(5, 0),
  id_aa64pfr1_el1: nib(2, 3),
  id_aa64dfr0_el1: 0x6n,
  id_aa64isar0_el1: nib(4, 1) | nib(5, 2) | nib(7, 1) | nib(11, 1) | nib(13, 2),
  id_aa64isar1_el1: nib(0, 2) | nib(5, 2) | nib(8, 1) | nib(9, 1),
  id_aa64isar2_el1: nib(13, 1) | nib(5, 1),
  id_aa64mmfr0_el1: nib(6, 0xf) | nib(7, 0xf),
  id_aa64mmfr1_el1: 0n,
  id_aa64mmfr2_el1: 0n,
  id_aa64zfr0_el1: 0n,
  id_aa64smfr0_el1: 0n,
};

/** CTR_EL0: 64-byte I and D cache lines, PIPT I-cache, ERG and CWG 64 bytes. */
export const CTR_EL0 = 0x8444_c004n;
/** DCZID_EL0: BS = 4 (DC ZVA zeroes 64-byte blocks), DZP = 0 (permitted). */
export const DCZID_EL0 = 4n;
export const DC_ZVA_BLOCK = 4 << 4;
/** CNTFRQ_EL0: 62.5 MHz, the frequency QEMU's virt machine reports. */
export const CNTFRQ_EL0 = 62_500_000n;
/** FPCR bits that exist: AHP, DN, FZ, RMode, FZ16 (trap enables are RAZ/WI: no FP traps). */
export const FPCR_MASK = 0x07c8_0000;
/** FPSR bits that exist: QC and the cumulative exception flags (no AArch32, so no NZCV). */
export const FPSR_MASK = 0x0800_009f;

/**
 * The virtual counter: deterministic, derived from retired instructions (one tick per 16, as if
 * one instruction took one nanosecond at 62.5 MHz) and strictly increasing from read to read.
 * The count is the CPU's live one (`retired()`: the instructions before this MRS), so a program
 * reads the same values whatever chunks the CPU loop is run in.
 */
const counters = new WeakMap<Cpu, { last: bigint }>();
function readCounter(c: Cpu): bigint {
  let s = counters.get(c);
  if (!s) counters.set(c, s = { last: 0n });
  const fromSteps = BigInt(c.retired()) / 16n;
  s.last = fromSteps > s.last ? fromSteps : s.last + 1n;
  return s.last;
}

interface SysRegAccess { read?: (c: Cpu) => bigint; write?: (c: Cpu, v: bigint) => void; hover: string }

/** The registers EL0 can reach (directly, or through Linux's emulation). */
const EL0_SYSREGS = new Map<number, SysRegAccess>([
  [sysregEncoding('nzcv'), {
    hover: 'Condition flags N, Z, C, V in bits 31:28.',
    read: c => BigInt(c.nzcv), write: (c, v) => { c.nzcv = Number(v & 0xf000_0000n); },
  }],
  [sysregEncoding('fpcr'), {
    hover: 'Floating-point control: AHP, DN, FZ, RMode, FZ16.',
    read: c => BigInt(c.fpcr >>> 0), write: (c, v) => { c.fpcr = Number(v & M32) & FPCR_MASK; },
  }],
  [sysregEncoding('fpsr'), {
    hover: 'Floating-point status: cumulative exception flags and QC.',
    read: c => BigInt(c.fpsr >>> 0), write: (c, v) => { c.fpsr = Number(v & M32) & FPSR_MASK; },
  }],
  [sysregEncoding('tco'), {
    hover: 'PSTATE.TCO in bit 25: 1 = tag checks overridden (every access unchecked).',
    read: c => BigInt(c.tco) << 25n, write: (c, v) => { c.tco = Number((v >> 25n) & 1n); },
  }],
  [sysregEncoding('tpidr_el0'), { hover: 'EL0 thread pointer (TLS base).', read: c => c.tpidr, write: (c, v) => { c.tpidr = v; } }],
  [sysregEncoding('tpidrro_el0'), { hover: 'EL0 read-only thread ID register (written by the kernel).', read: c => c.tpidrro }],
  [sysregEncoding('ctr_el0'), { hover: 'Cache type: 64-byte lines, PIPT instruction cache.', read: () => CTR_EL0 }],
  [sysregEncoding('dczid_el0'), { hover: 'DC ZVA block size: 64 bytes, permitted.', read: () => DCZID_EL0 }],
  [sysregEncoding('cntfrq_el0'), { hover: 'Counter frequency: 62.5 MHz.', read: () => CNTFRQ_EL0 }],
  [sysregEncoding('cntvct_el0'), { hover: 'Virtual counter: deterministic, derived from retired instructions.', read: readCounter }],
]);

/** Linux's MRS emulation of the ID space: Op0 = 3, Op1 = 0, CRn = 0, CRm = 0 (three registers) or 2..7. */
function idRegisterRead(e: number): ((c: Cpu) => bigint) | undefined {
  if ((e >> 14) !== 3 || ((e >> 11) & 7) !== 0 || ((e >> 7) & 15) !== 0) return undefined;
  const crm = (e >> 3) & 15, op2 = e & 7;
  if (crm === 0) {
    const name = op2 === 0 ? 'midr_el1' : op2 === 5 ? 'mpidr_el1' : op2 === 6 ? 'revidr_el1' : undefined;
    if (!name) return undefined;
    return c => (c.idRegisters ?? ID_REGISTERS)[name] ?? 0n;
  }
  if (crm < 2 || crm > 7) return undefined;
  const name = SYSREG_BY_ENC.get(e);
  if (name === undefined) return () => 0n;
  return c => (c.idRegisters ?? ID_REGISTERS)[name] ?? 0n;
}

const MRS_PATTERN = '1101010100 1 1 sysreg:15 Rt:5';
const MSR_PATTERN = '1101010100 0 1 sysreg:15 Rt:5';

const SYSREG_SPECS: InsnSpec[] = [
  {
    id: 'MRS', mnemonic: 'mrs', group: SYS,
    hover: 'Read a system register into Xt. At EL0: NZCV, FPCR, FPSR, TCO, TPIDR_EL0, TPIDRRO_EL0, CTR_EL0, DCZID_EL0, CNTFRQ_EL0, CNTVCT_EL0, and the ID registers (as Linux emulates them); anything else is undefined (SIGILL).',
    pattern: MRS_PATTERN, operands: [gpr('Rt', { width: 'x' }), sysregOperand(false)],
    exec: f => {
      const e = 0x8000 | f.sysreg, t = wr31(f.Rt, false);
      const r = EL0_SYSREGS.get(e)?.read ?? idRegisterRead(e);
      if (!r) return undefinedStep('MRS', MRS_PATTERN, `mrs of ${sysregOperand(false).format(f, { pc: 0 })}`)(f);
      return c => { c.x[t] = r(c); };
    },
  },
  {
    id: 'MSR_reg', mnemonic: 'msr', group: SYS,
    hover: 'Write Xt to a system register. At EL0: NZCV, FPCR, FPSR, TCO, TPIDR_EL0; anything else is undefined (SIGILL).',
    pattern: MSR_PATTERN, operands: [sysregOperand(true), gpr('Rt', { width: 'x' })],
    exec: f => {
      const e = 0x8000 | f.sysreg, t = rd31(f.Rt, false);
      const w = EL0_SYSREGS.get(e)?.write;
      if (!w) return undefinedStep('MSR_reg', MSR_PATTERN, `msr to ${sysregOperand(true).format(f, { pc: 0 })}`)(f);
      return c => { w(c, c.x[t]); };
    },
  },
  {
    id: 'MSR_op0', mnemonic: 'msr', group: SYS, hover: 'An unallocated encoding in the op0 = 0 system space (objdump shows it as msr): undefined.',
    pattern: '1101010100 0 00 op1:3 CRn:4 CRm:4 op2:3 Rt:5', operands: [sysreg0Operand(), gpr('Rt', { width: 'x' })],
    exec: undefinedStep('MSR_op0', '1101010100 0 00 op1:3 CRn:4 CRm:4 op2:3 Rt:5', 'this system instruction'),
  },
  {
    id: 'MRS_op0', mnemonic: 'mrs', group: SYS, hover: 'An unallocated encoding in the op0 = 0 system space (objdump shows it as mrs): undefined.',
    pattern: '1101010100 1 00 op1:3 CRn:4 CRm:4 op2:3 Rt:5', operands: [gpr('Rt', { width: 'x' }), sysreg0Operand()],
    exec: undefinedStep('MRS_op0', '1101010100 1 00 op1:3 CRn:4 CRm:4 op2:3 Rt:5', 'this system instruction'),
  },
  ...([['WFET', 'wfet', 0, 'Wait for event with timeout (FEAT_WFxT): not implemented, undefined.'], ['WFIT', 'wfit', 1, 'Wait for interrupt with timeout (FEAT_WFxT): not implemented, undefined.']] as const)
    .map(([id, m, op2, hover]): InsnSpec => {
      const pattern = `1101010100 0 00 011 0001 0000 00${op2} Rt:5`;
      return { id, mnemonic: m, group: SYS, hover, pattern, operands: [gpr('Rt', { width: 'x' })], exec: undefinedStep(id, pattern, m) };
    }),
  ...([['TSTART', 'tstart', 0, 'Start a memory transaction (FEAT_TME): not implemented, undefined.'], ['TTEST', 'ttest', 1, 'Test transaction level (FEAT_TME): not implemented, undefined.']] as const)
    .map(([id, m, crm, hover]): InsnSpec => {
      const pattern = `1101010100 1 00 011 0011 000${crm} 011 Rt:5`;
      return { id, mnemonic: m, group: SYS, hover, pattern, operands: [gpr('Rt', { width: 'x' })], exec: undefinedStep(id, pattern, m) };
    }),
];

// ---- SYS / SYSL and the dc/ic/at/tlbi aliases --------------------------------------------------------

interface SysOp { mnemonic: string; name: string; reg: boolean }
const SYS_OPS = new Map<number, SysOp>();
const SYS_OPS_BY_NAME = new Map<string, number>();
for (const tok of SYS_OP_NAMES.split(/\s+/)) {
  if (!tok) continue;
  const [desc, key] = tok.split(':');
  const [mnemonic, name, r] = desc.split('.');
  const k = parseInt(key, 16);
  SYS_OPS.set(k, { mnemonic, name, reg: r === 'r' });
  SYS_OPS_BY_NAME.set(`${mnemonic} ${name}`, k);
}
const sysKey = (f: Fields): number => (f.op1 << 11) | (f.CRn << 7) | (f.CRm << 3) | f.op2;

function sysOpName(mnemonic: string, reg: boolean): Operand {
  return {
    syntax: `<${mnemonic}_op>`,
    format: f => SYS_OPS.get(sysKey(f))?.name ?? '?',
    parse: (text, f) => {
      const k = SYS_OPS_BY_NAME.get(`${mnemonic} ${text.trim().toLowerCase()}`);
      if (k === undefined || SYS_OPS.get(k)!.reg !== reg) return false;
      f.op1 = k >> 11; f.CRn = (k >> 7) & 15; f.CRm = (k >> 3) & 15; f.op2 = k & 7;
      return true;
    },
  };
}

const crOperand = (field: string): Operand => ({
  syntax: 'C<n>',
  format: f => `C${f[field]}`,
  parse: (text, f) => {
    const m = /^c(\d{1,2})$/i.exec(text.trim());
    if (!m || Number(m[1]) > 15) return false;
    f[field] = Number(m[1]);
    return true;
  },
});
const sysRt: Operand = {
  ...gpr('Rt', { width: 'x' }), optional: true,
  format: f => (f.Rt === 31 ? null : 'x' + f.Rt),
  parse: (t, f, ctx) => {
    if (t.trim() === '') { f.Rt = 31; return true; }
    return gpr('Rt', { width: 'x' }).parse(t, f, ctx);
  },
};

const EL0_CACHE_OPS = new Set(['dc cvau', 'dc cvac', 'dc cvap', 'dc cvadp', 'dc civac', 'ic ivau',
  'dc cgvac', 'dc cgdvac', 'dc cgvap', 'dc cgdvap', 'dc cgvadp', 'dc cgdvadp', 'dc cigvac', 'dc cigdvac']);

/** DC ZVA: zero the 64-byte block containing Xt; one write access, tag-checked over the whole block. */
function dcZva(t: number): Step {
  const align = ~BigInt(DC_ZVA_BLOCK - 1);
  return c => {
    const va = c.x[t] & align;
    const mmu = c.mmu;
    mmu.probe(va, DC_ZVA_BLOCK, true, true);
    for (let i = 0; i < DC_ZVA_BLOCK; i += 8) mmu.write64(va + BigInt(i), 0n, false);
  };
}

const SYS_PATTERN = '1101010100 0 01 op1:3 CRn:4 CRm:4 op2:3 Rt:5';
const SYSL_PATTERN = '1101010100 1 01 op1:3 CRn:4 CRm:4 op2:3 Rt:5';

const SYS_SPECS: InsnSpec[] = [
  {
    id: 'SYS', mnemonic: 'sys', group: SYS,
    hover: 'System instruction (cache and TLB maintenance, address translation). At EL0: dc zva, the dc/ic maintenance-by-address operations Linux allows (permission-checked, otherwise no effect); the rest is undefined.',
    pattern: SYS_PATTERN,
    operands: [imm('op1', 3), crOperand('CRn'), crOperand('CRm'), imm('op2', 3), sysRt],
    aliases: ['dc', 'ic', 'at', 'tlbi', 'cfp', 'dvp', 'cpp'].flatMap(m => [true, false].map(reg => ({
      mnemonic: m, when: (f: Fields) => { const o = SYS_OPS.get(sysKey(f)); return !!o && o.mnemonic === m && o.reg === reg; },
      operands: reg ? [sysOpName(m, true), gpr('Rt', { width: 'x' })] : [sysOpName(m, false)],
      fixed: reg ? undefined : { Rt: 31 },
      complete: () => true,
    }))),
    exec: f => {
      const op = SYS_OPS.get(sysKey(f)), t = rd31(f.Rt, false);
      const full = op ? `${op.mnemonic} ${op.name}` : '';
      if (full === 'dc zva') return dcZva(t);
      if (EL0_CACHE_OPS.has(full)) return c => { c.mmu.probe(c.x[t], 1, false, false); };
      return undefinedStep('SYS', SYS_PATTERN, full || 'this sys operation')(f);
    },
  },
  {
    id: 'SYSL', mnemonic: 'sysl', group: SYS, hover: 'System instruction with result: none is defined for EL0 (undefined).',
    pattern: SYSL_PATTERN,
    operands: [gpr('Rt', { width: 'x' }), imm('op1', 3), crOperand('CRn'), crOperand('CRm'), imm('op2', 3)],
    exec: undefinedStep('SYSL', SYSL_PATTERN, 'sysl'),
  },
];

export const branchSysSpecs: InsnSpec[] = [
  ...BRANCHES, ...EXCEPTIONS, ...HINT_SPECS, ...BARRIERS, ...PSTATE, ...SYSREG_SPECS, ...SYS_SPECS,
];

/** The hover line of an EL0-accessible system register (for the language server), if it has one. */
export function sysregHover(name: string): string | undefined {
  const e = SYSREG_BY_NAME.get(name.toLowerCase());
  return e === undefined ? undefined : EL0_SYSREGS.get(e)?.hover;
}

