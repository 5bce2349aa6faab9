// Shared helpers for the assembler front-end tests.
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { assemble, type AsmOptions, type AsmResult } from '../../emulator/asm/index';
import { AsmError } from '../../emulator/asm/types';
import { fakeEncode } from './fake-encoder';
import { missingTools, runOk, tmpDir } from '../tools';

export type Opts = Partial<Omit<AsmOptions, 'encode'>>;

/** Assembles with the fake encoder (throws on the first error). */
export function asm(src: string, opts: Opts = {}): AsmResult {
  return assemble(src, { file: 'test.s', encode: fakeEncode, ...opts });
}

/** Bytes of one section as hex. */
export function hexOf(r: AsmResult, name: string): string {
  const s = r.sections.find(x => x.name === name);
  if (!s) throw new Error(`no section ${name}`);
  return Buffer.from(s.bytes).toString('hex');
}

/** Bytes of a section as little-endian 32-bit words, in hex. */
export function words(r: AsmResult, name = '.text'): string[] {
  const s = r.sections.find(x => x.name === name)!;
  const out: string[] = [];
  const dv = new DataView(s.bytes.buffer, s.bytes.byteOffset, s.bytes.byteLength);
  for (let i = 0; i + 4 <= s.bytes.length; i += 4) out.push(dv.getUint32(i, true).toString(16).padStart(8, '0'));
  return out;
}

export function symValue(r: AsmResult, name: string): bigint {
  const s = r.symbols.find(x => x.name === name);
  if (!s) throw new Error(`no symbol ${name}`);
  return s.value;
}

/** The error message (with position) thrown for a source, or fails. */
export function errorOf(src: string, opts: Opts = {}): string {
  try {
    asm(src, opts);
  } catch (e) {
    if (e instanceof AsmError) return e.message;
    throw e;
  }
  throw new Error('expected an error');
}

/** All error messages in collect mode. */
export function errorsOf(src: string, opts: Opts = {}): string[] {
  return asm(src, { ...opts, collectErrors: true }).errors.map(e => e.message);
}

/** A readInclude backed by an in-memory file map. */
export function files(map: Record<string, string>): AsmOptions['readInclude'] {
  return (p: string) => map[p];
}

export const GNU = missingTools('aarch64-linux-gnu-as', 'aarch64-linux-gnu-ld', 'aarch64-linux-gnu-objcopy', 'aarch64-linux-gnu-nm');
export const GNU_CPP = GNU || missingTools('aarch64-linux-gnu-gcc');

export interface GnuBuild { sections: Map<string, Uint8Array>; symbols: Map<string, bigint> }

/**
 * Assembles with GNU as and links with ld, placing every allocated section at the address our
 * assembler chose, then returns the section contents and symbol values.
 */
export function gnuBuild(src: string, placement: AsmResult, extra: Record<string, string> = {}, opts: { cpp?: boolean; defines?: string[] } = {}): GnuBuild {
  const dir = tmpDir('tagvisor-asm-');
  const name = opts.cpp ? 't.S' : 't.s';
  writeFileSync(join(dir, name), src);
  for (const [k, v] of Object.entries(extra)) writeFileSync(join(dir, k), v);
  if (opts.cpp) {
    runOk('aarch64-linux-gnu-gcc', ['-c', '-I', dir, ...(opts.defines ?? []).map(d => `-D${d}`), '-o', join(dir, 't.o'), join(dir, name)], { cwd: dir });
  } else {
    runOk('aarch64-linux-gnu-as', ['-o', join(dir, 't.o'), join(dir, name)], { cwd: dir });
  }
  const starts: string[] = [];
  for (const s of placement.sections) if (s.flags.includes('a')) starts.push(`--section-start=${s.name}=0x${s.address.toString(16)}`);
  runOk('aarch64-linux-gnu-ld', ['-static', '-nostdlib', '-e', '0', '--no-relax', ...starts, '-o', join(dir, 't.elf'), join(dir, 't.o')], { cwd: dir });
  const sections = new Map<string, Uint8Array>();
  for (const s of placement.sections) {
    if (!s.flags.includes('a') || s.type === 'nobits') continue;
    const out = join(dir, `sec${sections.size}.bin`);
    runOk('aarch64-linux-gnu-objcopy', ['-O', 'binary', '--only-section', s.name, join(dir, 't.elf'), out]);
    sections.set(s.name, existsSync(out) ? new Uint8Array(readFileSync(out)) : new Uint8Array(0));
  }
  const symbols = new Map<string, bigint>();
  for (const l of runOk('aarch64-linux-gnu-nm', [join(dir, 't.elf')]).stdout.split('\n')) {
    const m = /^([0-9a-f]+) \w (\S+)$/.exec(l);
    if (m) symbols.set(m[2], BigInt('0x' + m[1]));
  }
  return { sections, symbols };
}
