// The initial process state after execve: stack layout (argc, argv, envp, auxv, strings) exactly as
// Linux's create_elf_tables builds it, registers, and a comparison with what qemu-aarch64 gives a
// program that dumps its own stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SP } from '../../emulator/cpu/state';
import { LinuxProcess } from '../../emulator/linux';
import * as L from '../../emulator/linux/constants';
import { hwcapsFromIdRegisters } from '../../emulator/linux/hwcaps';
import { missingTools, run, runOk, tmpDir } from '../tools';
import { buildAsm } from './helpers';

const MINI = `
  .text
  .global _start
_start:
  mov x0, #0
  mov x8, #93
  svc #0
`;

function start(opts: { argv?: string[]; env?: string[]; seed?: number; mte?: boolean; mte3?: boolean } = {}) {
  return LinuxProcess.fromBytes(buildAsm(MINI), { path: '/opt/bin/prog', hostFs: null, ...opts });
}

function u64(p: LinuxProcess, a: number): number {
  const b = p.peekBytes(BigInt(a), 8)!;
  return Number(new DataView(b.buffer).getBigUint64(0, true));
}
function cstr(p: LinuxProcess, a: number): string {
  const out: number[] = [];
  for (let i = 0; ; i++) { const b = p.peekBytes(BigInt(a + i), 1)![0]; if (!b) break; out.push(b); }
  return Buffer.from(out).toString('utf8');
}

function parse(p: LinuxProcess) {
  const sp = Number(p.cpu.x[SP]);
  const argc = u64(p, sp);
  let a = sp + 8;
  const argv: number[] = [];
  for (let i = 0; i < argc; i++, a += 8) argv.push(u64(p, a));
  assert.equal(u64(p, a), 0, 'argv[argc] is NULL');
  a += 8;
  const envp: number[] = [];
  for (; u64(p, a) !== 0; a += 8) envp.push(u64(p, a));
  a += 8;
  const auxv: [number, number][] = [];
  for (;; a += 16) { const k = u64(p, a), v = u64(p, a + 8); auxv.push([k, v]); if (k === 0) break; }
  return { sp, argc, argv, envp, auxv, aux: new Map(auxv) };
}

test('initial stack: argc, argv, envp and auxv in Linux order, 16-byte aligned sp', () => {
  const p = start({ argv: ['prog', 'one', 'two words', ''], env: ['A=1', 'LONGER=value=x'], seed: 5 });
  const s = parse(p);
  assert.equal(s.sp % 16, 0);
  assert.equal(s.argc, 4);
  assert.deepEqual(s.argv.map(x => cstr(p, x)), ['prog', 'one', 'two words', '']);
  assert.deepEqual(s.envp.map(x => cstr(p, x)), ['A=1', 'LONGER=value=x']);
  assert.deepEqual(s.auxv.map(([k]) => k), [
    L.AT_MINSIGSTKSZ, L.AT_HWCAP, L.AT_PAGESZ, L.AT_CLKTCK, L.AT_PHDR, L.AT_PHENT, L.AT_PHNUM, L.AT_BASE, L.AT_FLAGS,
    L.AT_ENTRY, L.AT_UID, L.AT_EUID, L.AT_GID, L.AT_EGID, L.AT_SECURE, L.AT_RANDOM, L.AT_HWCAP2, L.AT_EXECFN,
    L.AT_PLATFORM, L.AT_NULL,
  ]);
  const aux = s.aux;
  assert.equal(aux.get(L.AT_PAGESZ), 4096);
  assert.equal(aux.get(L.AT_PHENT), 56);
  assert.equal(aux.get(L.AT_PHNUM), p.elf.header.phnum);
  assert.equal(aux.get(L.AT_ENTRY), Number(p.elf.entry));
  assert.equal(aux.get(L.AT_BASE), 0);
  assert.equal(aux.get(L.AT_SECURE), 0);
  assert.equal(aux.get(L.AT_CLKTCK), 100);
  assert.equal(aux.get(L.AT_UID), 1000);
  assert.equal(aux.get(L.AT_MINSIGSTKSZ), 4720, 'sizeof(rt_sigframe) + frame record + 16');
  const hw = aux.get(L.AT_HWCAP)!;
  assert.ok(hw & L.HWCAP_FP && hw & L.HWCAP_ASIMD && hw & L.HWCAP_ATOMICS && hw & L.HWCAP_CPUID);
  assert.equal(hw & L.HWCAP_SVE, 0, 'no SVE');
  // Both words are derived from the ID registers (test/linux/hwcaps.test.ts checks the derivation).
  const derived = hwcapsFromIdRegisters();
  assert.equal(BigInt(hw), derived.hwcap);
  assert.equal(BigInt(aux.get(L.AT_HWCAP2)!), derived.hwcap2);
  assert.equal(BigInt(aux.get(L.AT_HWCAP2)!) & BigInt(L.HWCAP2_MTE | L.HWCAP2_MTE3), BigInt(L.HWCAP2_MTE | L.HWCAP2_MTE3));
  assert.equal(cstr(p, aux.get(L.AT_EXECFN)!), '/opt/bin/prog');
  assert.equal(cstr(p, aux.get(L.AT_PLATFORM)!), 'aarch64');
  // AT_PHDR: the program headers as mapped, when a PT_LOAD holds them; 0 otherwise (Linux 6.x).
  const phoff = p.elf.header.phoff;
  const holder = p.elf.loadSegments.find(s => s.offset <= phoff && phoff < s.offset + s.filesz);
  if (holder) {
    const ph = p.peekBytes(BigInt(aux.get(L.AT_PHDR)!), 56 * p.elf.header.phnum)!;
    assert.deepEqual(ph, p.elf.bytes.subarray(phoff, phoff + 56 * p.elf.header.phnum));
  } else assert.equal(aux.get(L.AT_PHDR), 0);
});

test('initial stack: strings packed at the top like copy_strings, then platform and AT_RANDOM below', () => {
  const p = start({ argv: ['a', 'bc'], env: ['X=y'] });
  const s = parse(p);
  const top = L.STACK_TOP;
  // [argv strings][envp strings][execfn]["\0" x 8] ends at the top of the stack VMA.
  assert.equal(u64(p, top - 8), 0);
  const execfn = s.aux.get(L.AT_EXECFN)!;
  assert.equal(execfn, top - 8 - '/opt/bin/prog'.length - 1);
  assert.equal(s.envp[0], execfn - 'X=y'.length - 1);
  assert.equal(s.argv[1], s.envp[0] - 3);
  assert.equal(s.argv[0], s.argv[1] - 2);
  const aligned = s.argv[0] - (s.argv[0] % 16);
  assert.equal(s.aux.get(L.AT_PLATFORM), aligned - 8);
  assert.equal(s.aux.get(L.AT_RANDOM), aligned - 8 - 16);
  // The auxv ends below AT_RANDOM's bytes, with at most 15 bytes of padding in between.
  const auxEnd = s.sp + 8 * (1 + 2 + 1 + 1 + 1) + 16 * s.auxv.length;
  assert.ok(s.aux.get(L.AT_RANDOM)! - auxEnd >= 0 && s.aux.get(L.AT_RANDOM)! - auxEnd < 16);
});

test('AT_RANDOM is deterministic for a seed and changes with it', () => {
  const rnd = (seed: number) => { const p = start({ seed }); return p.peekBytes(BigInt(parse(p).aux.get(L.AT_RANDOM)!), 16)!; };
  assert.deepEqual(rnd(1), rnd(1));
  assert.notDeepEqual(rnd(1), rnd(2));
});

test('HWCAP2 without MTE, and MTE without MTE3', () => {
  const mteBits = (o: { mte?: boolean; mte3?: boolean }) => BigInt(parse(start(o)).aux.get(L.AT_HWCAP2)!) & BigInt(L.HWCAP2_MTE | L.HWCAP2_MTE3);
  assert.equal(mteBits({ mte: false }), 0n);
  assert.equal(mteBits({ mte3: false }), BigInt(L.HWCAP2_MTE));
  assert.equal(mteBits({}), BigInt(L.HWCAP2_MTE | L.HWCAP2_MTE3));
  const others = (o: { mte?: boolean; mte3?: boolean }) => BigInt(parse(start(o)).aux.get(L.AT_HWCAP2)!) & ~BigInt(L.HWCAP2_MTE | L.HWCAP2_MTE3);
  assert.equal(others({ mte: false }), others({}), 'the other HWCAP2 bits do not depend on MTE');
});

test('registers at entry: all zero but sp and pc, NZCV 0, TCO 0, TPIDR_EL0 0, no tag checking', () => {
  const p = start();
  const c = p.cpu;
  for (let i = 0; i < 31; i++) assert.equal(c.x[i], 0n, `x${i}`);
  assert.equal(c.pc, Number(p.elf.entry));
  assert.equal(c.nzcv, 0);
  assert.equal(c.tco, 0);
  assert.equal(c.tpidr, 0n);
  assert.equal(c.tcf0, 0);
  assert.equal(c.gcrExclude, 0xffff, 'include mask 0 after exec');
  assert.equal(p.taggedAddrCtrl, 0);
});

test('memory map after exec: segments, [vdso] trampoline, 8 MiB [stack] under 2^48', () => {
  const p = start();
  const kinds = p.mm.vmas.map(v => v.kind);
  assert.ok(kinds.includes('elf') && kinds.includes('vdso') && kinds.includes('stack'));
  const st = p.mm.vmas.find(v => v.kind === 'stack')!;
  assert.equal(st.end, 2 ** 48);
  assert.equal(st.end - st.start, 8 << 20);
  assert.ok(st.mteAllowed && !st.mte);
  assert.equal(p.brk % 4096, 0);
});

const DUMP = join(import.meta.dirname, 'stackdump.s');

function parseDump(out: Buffer) {
  const argc = Number(out.readBigUInt64LE(0));
  const text = out.subarray(8).toString('latin1');
  const parts = text.split('--\n');
  const argv = parts[0].split('\n').slice(0, -1);
  const envp = parts[1].split('\n').slice(0, -1);
  const rest = out.subarray(8 + Buffer.byteLength(parts[0] + '--\n' + parts[1] + '--\n', 'latin1'));
  const auxv = new Map<number, bigint>();
  let o = 0;
  for (;; o += 16) { const k = Number(rest.readBigUInt64LE(o)); auxv.set(k, rest.readBigUInt64LE(o + 8)); if (k === 0) break; }
  o += 16;
  const spMod16 = Number(rest.readBigUInt64LE(o));
  const [execfn, platform] = rest.subarray(o + 8).toString('latin1').split('\n');
  return { argc, argv, envp, auxv, spMod16, execfn, platform };
}

test('stack dump program: same argc/argv/envp/auxv values as qemu-aarch64 (where QEMU and Linux agree)', { skip: missingTools('aarch64-linux-gnu-as', 'aarch64-linux-gnu-ld', 'qemu-aarch64') }, () => {
  const dir = tmpDir();
  const elf = join(dir, 'stackdump');
  runOk('aarch64-linux-gnu-as', [DUMP, '-o', elf + '.o']);
  runOk('aarch64-linux-gnu-ld', ['-static', elf + '.o', '-o', elf]);
  const args = ['x', 'two words', ''];
  const env = { TV_A: '1', TV_B: 'b=c' };
  const q = run('qemu-aarch64', ['-cpu', 'max', elf, ...args], { env });
  assert.equal(q.status, 0, q.stderr);
  const qd = parseDump(Buffer.from(q.stdout, 'latin1'));
  const p = LinuxProcess.fromBytes(new Uint8Array(readFileSync(elf)), {
    path: elf, argv: [elf, ...args], env: Object.entries(env).map(([k, v]) => `${k}=${v}`), hostFs: null,
  });
  let out = Buffer.alloc(0);
  p.on('stdout', d => { out = Buffer.concat([out, Buffer.from(d)]); });
  const r = p.run(100_000);
  assert.deepEqual(r, { reason: 'exit', status: { code: 0, signal: null, core: false } });
  const od = parseDump(out);
  assert.equal(od.argc, qd.argc);
  assert.deepEqual(od.argv, qd.argv);
  // QEMU 7.2 hands the environment over in reverse order; Linux keeps it (we follow Linux).
  assert.deepEqual([...od.envp].sort(), [...qd.envp].sort());
  assert.deepEqual(od.envp, Object.entries(env).map(([k, v]) => `${k}=${v}`));
  assert.equal(od.spMod16, 0);
  assert.equal(qd.spMod16, 0);
  for (const k of [L.AT_PHDR, L.AT_PHENT, L.AT_PHNUM, L.AT_PAGESZ, L.AT_BASE, L.AT_FLAGS, L.AT_ENTRY, L.AT_SECURE, L.AT_CLKTCK]) {
    assert.equal(od.auxv.get(k), qd.auxv.get(k), `auxv ${L.AUXV_NAMES[k]}`);
  }
  for (const k of [L.AT_RANDOM, L.AT_HWCAP, L.AT_HWCAP2, L.AT_EXECFN, L.AT_PLATFORM, L.AT_UID, L.AT_GID]) {
    assert.ok(qd.auxv.has(k) && od.auxv.has(k), `both have ${L.AUXV_NAMES[k]}`);
  }
  assert.ok((qd.auxv.get(L.AT_HWCAP2)! & BigInt(L.HWCAP2_MTE)) !== 0n && (od.auxv.get(L.AT_HWCAP2)! & BigInt(L.HWCAP2_MTE)) !== 0n);
  assert.equal(od.execfn, qd.execfn);
  assert.equal(od.platform, 'aarch64');
  assert.equal(qd.platform, 'aarch64');
});
