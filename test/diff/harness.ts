// Register-trace helpers for the differential tests: parse QEMU's `-d cpu` log and our CLI's --trace-json
// JSONL (format: test/diff/README.md), and compare them instruction by instruction.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOOLS, shellStatus } from '../corpus/build.mjs';

/** Architectural state: X0..X30, SP, NZCV (N=8, Z=4, C=2, V=1) and a PC. */
export interface RegSnapshot {
  pc: bigint;
  x: bigint[];
  sp: bigint;
  nzcv: number;
}


/**
 * Parses the log written by `qemu-aarch64 -cpu max -singlestep -d cpu,nochain -D FILE`: one block per executed
 * instruction, giving the state *before* that instruction (" PC=… X00=… … SP=…" then "PSTATE=nzcv-hex …").
 */
export function parseQemuCpuLog(text: string, where = 'qemu log'): RegSnapshot[] {
  const out: RegSnapshot[] = [];
  let cur: { pc: bigint; x: (bigint | undefined)[]; sp?: bigint; line: number } | null = null;
  const finish = (lineNo: number) => {
    if (!cur) return;
    const missing = cur.x.findIndex((v) => v === undefined);
    if (missing >= 0 || cur.sp === undefined)
      throw new Error(`${where}:${lineNo}: block starting at line ${cur.line} lacks ${missing >= 0 ? `X${missing}` : 'SP'}`);
    throw new Error(`${where}:${lineNo}: block starting at line ${cur.line} has no PSTATE line`);
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const pcm = /^\s*PC=([0-9a-f]+)/.exec(line);
    if (pcm) {
      if (cur) finish(i + 1);
      cur = { pc: BigInt('0x' + pcm[1]), x: new Array(31).fill(undefined), line: i + 1 };
    }
    if (!cur) continue;
    for (const m of line.matchAll(/\bX(\d\d)=([0-9a-f]+)/g)) {
      const n = Number(m[1]);
      if (n > 30) throw new Error(`${where}:${i + 1}: register X${m[1]} out of range`);
      cur.x[n] = BigInt('0x' + m[2]);
    }
    const spm = /\bSP=([0-9a-f]+)/.exec(line);
    if (spm) cur.sp = BigInt('0x' + spm[1]);
    const psm = /^PSTATE=([0-9a-f]{8})/.exec(line);
    if (psm) {
      if (cur.sp === undefined || cur.x.some((v) => v === undefined)) finish(i + 1);
      out.push({ pc: cur.pc, x: cur.x as bigint[], sp: cur.sp!, nzcv: Number(BigInt('0x' + psm[1]) >> 28n) & 15 });
      cur = null;
    }
  }
  if (cur) finish(lines.length);
  return out;
}

/** Runs an ELF single-stepped under QEMU and returns the per-instruction "before" states and the exit status. */
export function qemuTrace(elf: string, args: string[] = [], env: Record<string, string> = {}): { before: RegSnapshot[]; status: number | null } {
  const dir = mkdtempSync(join(tmpdir(), 'tv-trace-'));
  try {
    const log = join(dir, 'cpu.log');
    const r = spawnSync(TOOLS.qemu, ['-cpu', 'max', '-singlestep', '-d', 'cpu,nochain', '-D', log, elf, ...args],
      { cwd: dir, env, input: '', timeout: 120000, encoding: 'latin1' });
    if (r.error) throw new Error(`cannot run ${TOOLS.qemu}: ${r.error.message}`);
    return { before: parseQemuCpuLog(readFileSync(log, 'latin1'), log), status: shellStatus(r) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function hexField(v: unknown, where: string, field: string): bigint {
  if (typeof v === 'string' && /^0x[0-9a-fA-F]{1,16}$/.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  throw new Error(`${where}: field "${field}" must be a "0x…" hex string of at most 16 digits (got ${JSON.stringify(v)})`);
}

/**
 * Parses our CLI's --trace-json output: one JSON object per line, {"pc","x"[31],"sp","nzcv"}, registers as they
 * are *after* the instruction at pc. Blank lines are ignored; unknown fields are ignored.
 */
export function parseTraceJsonl(text: string, file = 'trace.jsonl'): RegSnapshot[] {
  const out: RegSnapshot[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const where = `${file}:${i + 1}`;
    let o: unknown;
    try { o = JSON.parse(line); } catch (e) { throw new Error(`${where}: not JSON: ${(e as Error).message}`); }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error(`${where}: expected a JSON object`);
    const r = o as Record<string, unknown>;
    if (!Array.isArray(r.x) || r.x.length !== 31) throw new Error(`${where}: field "x" must be an array of 31 registers (X0..X30)`);
    const nz = r.nzcv;
    if (typeof nz !== 'number' || !Number.isInteger(nz) || nz < 0 || nz > 15) throw new Error(`${where}: field "nzcv" must be an integer 0..15`);
    out.push({
      pc: hexField(r.pc, where, 'pc'),
      x: r.x.map((v, k) => hexField(v, where, `x[${k}]`)),
      sp: hexField(r.sp, where, 'sp'),
      nzcv: nz,
    });
  }
  return out;
}

/** Values within this distance of the stack pointer are compared relative to it (stacks live at different addresses). */
const STACK_WINDOW = 1n << 20n;

function norm(v: bigint, sp0: bigint): string {
  const d = v - sp0;
  if (d > -STACK_WINDOW && d < STACK_WINDOW) return `sp0${d >= 0n ? '+' : '-'}0x${(d >= 0n ? d : -d).toString(16)}`;
  return '0x' + v.toString(16);
}

const at = (pc: bigint, describePc: (pc: bigint) => string) => {
  const d = describePc(pc);
  return `0x${pc.toString(16)}${d ? ' ' + d : ''}`;
};

const FLAG_NAMES = (n: number) => ['N', 'Z', 'C', 'V'].map((f, i) => ((n >> (3 - i)) & 1 ? f : '-')).join('');

/**
 * Compares QEMU's "before" states with our "after" records: record k must have pc = qemu[k].pc and registers equal
 * to qemu[k+1]. Stack-relative values (within 1 MiB of the SP after the first instruction, taken on each side)
 * are compared as offsets. Our trace may contain one extra record for the final exit syscall. Returns null on
 * success or a description of the first difference.
 */
export function compareTraces(qemuBefore: RegSnapshot[], ours: RegSnapshot[], describePc: (pc: bigint) => string = () => ''): string | null {
  const n = qemuBefore.length - 1; // after-states QEMU can show
  if (n < 1) return `QEMU logged only ${qemuBefore.length} instruction(s)`;
  if (ours.length < n) return `our trace has ${ours.length} records, QEMU executed ${qemuBefore.length} instructions (${n} comparable)` +
    (ours.length ? `; our last record is pc ${at(ours[ours.length - 1].pc, describePc)}` : '');
  if (ours.length > n + 1) return `our trace has ${ours.length} records, more than QEMU's ${qemuBefore.length} instructions`;
  const qsp0 = qemuBefore[1].sp, osp0 = ours[0].sp;
  for (let k = 0; k < n; k++) {
    const q = qemuBefore[k + 1], o = ours[k];
    const here = () => `instruction #${k} at pc ${at(qemuBefore[k].pc, describePc)}`;
    if (o.pc !== qemuBefore[k].pc) return `${here()}: our record has pc ${at(o.pc, describePc)}`;
    const diffs: string[] = [];
    for (let r = 0; r < 31; r++) {
      const a = norm(q.x[r], qsp0), b = norm(o.x[r], osp0);
      if (a !== b) diffs.push(`x${r}: qemu ${a} ours ${b}`);
    }
    if (norm(q.sp, qsp0) !== norm(o.sp, osp0)) diffs.push(`sp: qemu ${norm(q.sp, qsp0)} ours ${norm(o.sp, osp0)}`);
    if (q.nzcv !== o.nzcv) diffs.push(`nzcv: qemu ${FLAG_NAMES(q.nzcv)} ours ${FLAG_NAMES(o.nzcv)}`);
    if (diffs.length) return `${here()}: after it ${diffs.join('; ')}`;
  }
  return null;
}

/** pc -> "<disassembly>" from aarch64-linux-gnu-objdump, for readable mismatch messages ('' when unavailable). */
export function disassemblyIndex(elf: string): (pc: bigint) => string {
  const r = spawnSync('aarch64-linux-gnu-objdump', ['-d', '--no-show-raw-insn', elf], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const map = new Map<bigint, string>();
  if (!r.error && r.status === 0) {
    for (const line of r.stdout.split('\n')) {
      const m = /^\s*([0-9a-f]+):\s+(.*)$/.exec(line);
      if (m) map.set(BigInt('0x' + m[1]), m[2].replace(/\s+/g, ' ').trim());
    }
  }
  return (pc) => (map.has(pc) ? `(${map.get(pc)})` : '');
}

/** Substring filters from TV_DIFF_FILTER (comma-separated), e.g. TV_DIFF_FILTER=c/mte,@gas. */
export function diffFilters(): string[] {
  return (process.env.TV_DIFF_FILTER ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
