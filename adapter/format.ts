// Text the debugger shows: numbers, tag sets, exception descriptions.
import type { ExceptionStop } from '../emulator/debug/debuggee';
import type { TagWrite } from '../emulator/debug/provenance';

export const hex = (v: bigint | number): string => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);
export const hex16 = (v: bigint | number): string => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16).padStart(16, '0');
export const untag = (v: bigint): bigint => v & 0x00ff_ffff_ffff_ffffn;
export const logicalTag = (v: bigint): number => Number((v >> 56n) & 0xfn);

/** `{1-3, 5, 7-15}` for a 16-bit tag mask. */
export function tagSet(mask: number): string {
  const parts: string[] = [];
  for (let t = 0; t < 16; t++) {
    if (!(mask & (1 << t))) continue;
    let e = t;
    while (e + 1 < 16 && (mask & (1 << (e + 1)))) e++;
    parts.push(e === t ? String(t) : e === t + 1 ? `${t}, ${e}` : `${t}-${e}`);
    t = e;
  }
  return `{${parts.join(', ')}}`;
}

export const TCF_NAMES = ['none', 'sync', 'async', 'asymm'];

/**
 * What delivering a signal will do (at a signal-delivery-stop): "handler at 0x401080",
 * "default action terminates the process", "default action terminates with core".
 */
export function deliveryActionText(s: NonNullable<ExceptionStop['signal']>, symbol?: (pc: bigint) => string | undefined): string {
  switch (s.action) {
    case 'handler': {
      const at = s.handler !== undefined ? ` at ${hex(s.handler)}` : '';
      const name = s.handler !== undefined && symbol ? symbol(s.handler) : undefined;
      return `handler${at}${name ? ` <${name}>` : ''}`;
    }
    case 'terminate': return 'default action terminates the process';
    case 'core': return 'default action terminates with core';
    case 'ignored': return 'ignored';
    case 'stop': return 'default action stops the process (treated as ignored)';
    default: return 'action unknown';
  }
}

/** The one-line description of an exception stop (the stopped event's text and exceptionInfo's description). */
export function exceptionText(e: ExceptionStop): string {
  if (e.atDelivery && e.signal) {
    // SEGV_MTEAERR: the mismatch behind it first, worded as the other tag check stops (the tag
    // inspector reads the fault address and tags from the first "at 0x...").
    const m = e.mismatch;
    const mode = e.tcf === 3 ? 'asymm' : 'async';
    const cause = m ? `Tag check fault (${mode}, ${m.write ? 'store' : 'load'}): logical tag ${hex(m.logicalTag)}, allocation tag ${hex(m.allocationTag)} at ${hex16(m.faultVa)}; ` : '';
    return `${cause}${e.signal.name} (${e.signal.codeName}) about to be delivered: ${deliveryActionText(e.signal)}`;
  }
  if (e.fault && e.fault.kind === 'tagcheck') {
    const f = e.fault;
    const mode = e.filter === 'tag-check-asymm' ? 'asymm' : 'sync';
    return `Tag check fault (${mode}, ${f.write ? 'store' : 'load'}): logical tag ${hex(f.logicalTag)}, allocation tag ${hex(f.allocationTag)} at ${hex16(f.va)}`;
  }
  if (e.mismatch && (e.filter === 'tag-check-async' || e.filter === 'tag-check-asymm')) {
    const m = e.mismatch;
    const mode = e.filter === 'tag-check-asymm' ? 'asymm' : 'async';
    return `Tag check fault (${mode}, ${m.write ? 'store' : 'load'}): logical tag ${hex(m.logicalTag)}, allocation tag ${hex(m.allocationTag)} at ${hex16(m.faultVa)}`;
  }
  if (e.hv) return `Hypervisor: ${e.hv.kind}: ${e.hv.reason}`;
  if (e.signal) {
    const s = e.signal;
    const what = e.fault ? faultWhat(e) : s.delivered ? (s.action === 'handler' ? 'delivered to its handler' : s.action === 'terminate' || s.action === 'core' ? 'killed the process' : s.action ?? '') : '';
    return `${s.name} (${s.codeName})${what ? ': ' + what : ''}`;
  }
  return 'Exception';
}

function faultWhat(e: ExceptionStop): string {
  const f = e.fault!;
  switch (f.kind) {
    case 'translation': return `${f.exec ? 'instruction fetch from' : (f.write ? 'store to' : 'load from')} unmapped address ${hex16(f.va)}`;
    case 'permission': return `${f.exec ? 'instruction fetch from' : (f.write ? 'store to' : 'load from')} protected address ${hex16(f.va)}`;
    case 'alignment': return `misaligned ${f.write ? 'store to' : 'load from'} ${hex16(f.va)}`;
    case 'pc-alignment': return `pc ${hex16(f.va)} is not 4-byte aligned`;
    case 'undefined': return `undefined instruction${f.word !== undefined ? ' 0x' + f.word.toString(16).padStart(8, '0') : ''}`;
    case 'breakpoint': return 'BRK instruction';
    case 'external': return `external abort at ${hex16(f.va)}${f.detail ? ' (' + f.detail + ')' : ''}`;
    default: return f.detail ?? f.kind;
  }
}

/** "st2g x21, [x21] at 0x401074 (step 30, previous tag 0xb)". */
export function provenanceText(w: TagWrite | undefined, insn: (pc: number) => string, current?: number): string {
  if (!w) return 'never set by an instruction since the page was mapped (tags start at 0)';
  const who = w.by === 'debugger' ? `the debugger (at step ${w.step}, previous tag ${hex(w.prev)})` : `\`${insn(w.pc)}\` at ${hex(w.pc)} (step ${w.step}, previous tag ${hex(w.prev)})`;
  // The recorded write is not what the granule holds: something other than an instruction changed
  // it since (the kernel reusing the page, the hypervisor losing tags in a migration...).
  if (current !== undefined && current !== w.tag) return `${who}, which set ${hex(w.tag)}; the tag is ${hex(current)} now: changed since outside the guest's instructions (the kernel or the hypervisor)`;
  return who;
}
