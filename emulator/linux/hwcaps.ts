// AT_HWCAP / AT_HWCAP2 derived from the ID register values the CPU reports (isa/groups/branch-sys.ts
// ID_REGISTERS), with the rules of Linux's arm64_elf_hwcaps (Documentation/arch/arm64/elf_hwcaps.rst:
// "functionality implied by idreg.field >= value"), so that what `getauxval` says and what `mrs` of
// the ID registers says can never disagree. Bit numbers: arch/arm64/include/uapi/asm/hwcap.h.
import { ID_REGISTERS } from '../isa/groups/branch-sys';

/** The ID registers hwcaps are derived from (names as in ID_REGISTERS). */
export type IdRegisters = Readonly<Record<string, bigint>>;

interface HwcapRule {
  /** `HWCAP_x` / `HWCAP2_x` as Linux spells it. */
  name: string;
  /** AT_HWCAP (1) or AT_HWCAP2 (2). */
  word: 1 | 2;
  bit: number;
  reg: string;
  /** Field position: bits [shift+3:shift]. */
  shift: number;
  /** The feature is present when the field is >= min. */
  min: number;
  /** A signed field (0xf = -1 = not implemented): FP and AdvSIMD. */
  signed?: boolean;
  /** Also needs this other hwcap (SVE and SME sub-features need SVE / SME itself). */
  needs?: string;
}

const PFR0 = 'id_aa64pfr0_el1', PFR1 = 'id_aa64pfr1_el1', ISAR0 = 'id_aa64isar0_el1', ISAR1 = 'id_aa64isar1_el1',
  ISAR2 = 'id_aa64isar2_el1', MMFR0 = 'id_aa64mmfr0_el1', MMFR1 = 'id_aa64mmfr1_el1', MMFR2 = 'id_aa64mmfr2_el1',
  ZFR0 = 'id_aa64zfr0_el1', SMFR0 = 'id_aa64smfr0_el1';

const r = (name: string, bit: number, reg: string, shift: number, min: number, extra: Partial<HwcapRule> = {}): HwcapRule =>
  ({ name, word: name.startsWith('HWCAP2_') ? 2 : 1, bit, reg, shift, min, ...extra });

/** Every hwcap that an ID register field describes (HWCAP_CPUID, always set, is separate). */
export const HWCAP_RULES: readonly HwcapRule[] = [
  r('HWCAP_FP', 0, PFR0, 16, 0, { signed: true }),
  r('HWCAP_ASIMD', 1, PFR0, 20, 0, { signed: true }),
  r('HWCAP_AES', 3, ISAR0, 4, 1),
  r('HWCAP_PMULL', 4, ISAR0, 4, 2),
  r('HWCAP_SHA1', 5, ISAR0, 8, 1),
  r('HWCAP_SHA2', 6, ISAR0, 12, 1),
  r('HWCAP_CRC32', 7, ISAR0, 16, 1),
  r('HWCAP_ATOMICS', 8, ISAR0, 20, 2),
  r('HWCAP_FPHP', 9, PFR0, 16, 1, { signed: true }),
  r('HWCAP_ASIMDHP', 10, PFR0, 20, 1, { signed: true }),
  r('HWCAP_ASIMDRDM', 12, ISAR0, 28, 1),
  r('HWCAP_JSCVT', 13, ISAR1, 12, 1),
  r('HWCAP_FCMA', 14, ISAR1, 16, 1),
  r('HWCAP_LRCPC', 15, ISAR1, 20, 1),
  r('HWCAP_DCPOP', 16, ISAR1, 0, 1),
  r('HWCAP_SHA3', 17, ISAR0, 32, 1),
  r('HWCAP_SM3', 18, ISAR0, 36, 1),
  r('HWCAP_SM4', 19, ISAR0, 40, 1),
  r('HWCAP_ASIMDDP', 20, ISAR0, 44, 1),
  r('HWCAP_SHA512', 21, ISAR0, 12, 2),
  r('HWCAP_SVE', 22, PFR0, 32, 1),
  r('HWCAP_ASIMDFHM', 23, ISAR0, 48, 1),
  r('HWCAP_DIT', 24, PFR0, 48, 1),
  r('HWCAP_USCAT', 25, MMFR2, 32, 1),
  r('HWCAP_ILRCPC', 26, ISAR1, 20, 2),
  r('HWCAP_FLAGM', 27, ISAR0, 52, 1),
  r('HWCAP_SSBS', 28, PFR1, 4, 2),
  r('HWCAP_SB', 29, ISAR1, 36, 1),
  r('HWCAP_PACA', 30, ISAR1, 4, 1), // APA, or API / APA3 (below)
  r('HWCAP_PACG', 31, ISAR1, 24, 1), // GPA, or GPI / GPA3 (below)
  r('HWCAP2_DCPODP', 0, ISAR1, 0, 2),
  r('HWCAP2_SVE2', 1, ZFR0, 0, 1, { needs: 'HWCAP_SVE' }),
  r('HWCAP2_SVEAES', 2, ZFR0, 4, 1, { needs: 'HWCAP_SVE' }),
  r('HWCAP2_SVEPMULL', 3, ZFR0, 4, 2, { needs: 'HWCAP_SVE' }),
  r('HWCAP2_SVEBITPERM', 4, ZFR0, 16, 1, { needs: 'HWCAP_SVE' }),
  r('HWCAP2_SVESHA3', 5, ZFR0, 32, 1, { needs: 'HWCAP_SVE' }),
  r('HWCAP2_SVESM4', 6, ZFR0, 40, 1, { needs: 'HWCAP_SVE' }),
  r('HWCAP2_FLAGM2', 7, ISAR0, 52, 2),
  r('HWCAP2_FRINT', 8, ISAR1, 32, 1),
  r('HWCAP2_SVEI8MM', 9, ZFR0, 44, 1, { needs: 'HWCAP_SVE' }),
  r('HWCAP2_SVEF32MM', 10, ZFR0, 52, 1, { needs: 'HWCAP_SVE' }),
  r('HWCAP2_SVEF64MM', 11, ZFR0, 56, 1, { needs: 'HWCAP_SVE' }),
  r('HWCAP2_SVEBF16', 12, ZFR0, 20, 1, { needs: 'HWCAP_SVE' }),
  r('HWCAP2_I8MM', 13, ISAR1, 52, 1),
  r('HWCAP2_BF16', 14, ISAR1, 44, 1),
  r('HWCAP2_DGH', 15, ISAR1, 48, 1),
  r('HWCAP2_RNG', 16, ISAR0, 60, 1),
  r('HWCAP2_BTI', 17, PFR1, 0, 1),
  r('HWCAP2_MTE', 18, PFR1, 8, 2),
  r('HWCAP2_ECV', 19, MMFR0, 60, 1),
  r('HWCAP2_AFP', 20, MMFR1, 44, 1),
  r('HWCAP2_RPRES', 21, ISAR2, 4, 1),
  r('HWCAP2_MTE3', 22, PFR1, 8, 3),
  r('HWCAP2_SME', 23, PFR1, 24, 1),
  r('HWCAP2_WFXT', 31, ISAR2, 0, 2),
  r('HWCAP2_EBF16', 32, ISAR1, 44, 2),
  r('HWCAP2_SVE_EBF16', 33, ZFR0, 20, 2, { needs: 'HWCAP_SVE' }),
  r('HWCAP2_CSSC', 34, ISAR2, 52, 1),
  r('HWCAP2_RPRFM', 35, ISAR2, 48, 1),
  r('HWCAP2_SVE2P1', 36, ZFR0, 0, 2, { needs: 'HWCAP_SVE' }),
  r('HWCAP2_SME2', 37, SMFR0, 56, 1, { needs: 'HWCAP2_SME' }),
  r('HWCAP2_SME2P1', 38, SMFR0, 56, 2, { needs: 'HWCAP2_SME' }),
  r('HWCAP2_MOPS', 43, ISAR2, 16, 1),
  r('HWCAP2_HBC', 44, ISAR2, 20, 1),
  r('HWCAP2_LRCPC3', 46, ISAR1, 20, 3),
  r('HWCAP2_LSE128', 47, ISAR0, 20, 3),
  r('HWCAP2_LUT', 49, ISAR2, 56, 1),
];

/** HWCAP_CPUID: MRS of the ID registers is emulated (Linux sets it unconditionally). */
const CPUID: HwcapRule = { name: 'HWCAP_CPUID', word: 1, bit: 11, reg: '', shift: 0, min: 0 };

/** Value of a 4-bit ID register field (signed fields: 0xf = -1, "not implemented"). */
export function idField(regs: IdRegisters, reg: string, shift: number, signed = false): number {
  const v = regs[reg];
  if (v === undefined) throw new Error(`hwcaps: no ID register '${reg}'`);
  const f = Number((v >> BigInt(shift)) & 0xfn);
  return signed && f >= 8 ? f - 16 : f;
}

export interface Hwcaps {
  hwcap: bigint;
  hwcap2: bigint;
  /** The names of the set bits, AT_HWCAP's then AT_HWCAP2's, in bit order (for reports and tests). */
  names: string[];
}

/** AT_HWCAP and AT_HWCAP2 for a CPU reporting `regs` (default: this emulator's ID registers). */
export function hwcapsFromIdRegisters(regs: IdRegisters = ID_REGISTERS): Hwcaps {
  const on = new Set<HwcapRule>([CPUID]);
  for (const rule of HWCAP_RULES) {
    let present = idField(regs, rule.reg, rule.shift, rule.signed) >= rule.min;
    // Pointer authentication: any address-key (APA, API, APA3) or generic-key (GPA, GPI, GPA3) algorithm.
    if (rule.name === 'HWCAP_PACA') present ||= idField(regs, ISAR1, 8) >= 1 || idField(regs, ISAR2, 12) >= 1;
    if (rule.name === 'HWCAP_PACG') present ||= idField(regs, ISAR1, 28) >= 1 || idField(regs, ISAR2, 8) >= 1;
    if (present) on.add(rule);
  }
  const names = new Set([...on].map(x => x.name));
  for (const rule of HWCAP_RULES) if (rule.needs && !names.has(rule.needs)) on.delete(rule);
  let hwcap = 0n, hwcap2 = 0n;
  for (const rule of on) {
    if (rule.word === 1) hwcap |= 1n << BigInt(rule.bit);
    else hwcap2 |= 1n << BigInt(rule.bit);
  }
  const sorted = [...on].sort((a, b) => a.word - b.word || a.bit - b.bit);
  return { hwcap, hwcap2, names: sorted.map(x => x.name) };
}

/**
 * The ID register values a process sees when the machine has MTE (`mte`) and FEAT_MTE3 (`mte3`)
 * or not: ID_AA64PFR1_EL1.MTE is lowered as KVM does for a VM without the capability; everything
 * else is the CPU's table.
 */
export function idRegistersFor(opts: { mte: boolean; mte3: boolean }, regs: IdRegisters = ID_REGISTERS): IdRegisters {
  const pfr1 = regs[PFR1] ?? 0n;
  const mte = Number((pfr1 >> 8n) & 0xfn);
  const cap = !opts.mte ? 0 : !opts.mte3 ? Math.min(mte, 2) : mte;
  return { ...regs, [PFR1]: (pfr1 & ~(0xfn << 8n)) | (BigInt(cap) << 8n) };
}
