// The corpus and the harness itself, checked against the real tools (no dependency on our CLI):
// every program builds with every installed toolchain, runs deterministically under QEMU (also with a shifted
// stack), and the QEMU log parser / trace comparator behave as documented in test/diff/README.md.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TOOLS, buildCorpus, checkDeterminism, listCorpus, parseDirectives, runQemu, type CorpusEntry } from '../corpus/build.mjs';
import { missingTools } from '../tools';
import { compareTraces, diffFilters, parseQemuCpuLog, parseTraceJsonl, qemuTrace, type RegSnapshot } from './harness';

const entries = listCorpus(diffFilters());
let built: CorpusEntry[] = [];
const noQemu = missingTools(TOOLS.qemu);

before(async () => { built = await buildCorpus({ filters: entries.map((e) => e.id) }); });

describe('corpus build', () => {
  for (const variant of [...new Set(entries.map((e) => e.variant))]) {
    test(`every ${variant} variant builds`, (t) => {
      const mine = built.filter((e) => e.variant === variant);
      const skipped = mine.filter((e) => e.build?.status === 'skipped');
      if (skipped.length === mine.length && mine.length) return t.skip(skipped[0].build!.reason);
      const failed = mine.filter((e) => e.build?.status === 'failed');
      assert.deepEqual(failed.map((e) => `${e.id}: ${e.build!.reason}`), []);
    });
  }
});

describe('corpus determinism under qemu', () => {
  for (const entry of entries.filter((e) => e.group !== 'bench')) {
    test(entry.id, { skip: noQemu }, (t) => {
      const e = built.find((b) => b.id === entry.id)!;
      if (e.build?.status !== 'built' && e.build?.status !== 'cached') return t.skip(`not built: ${e.build?.reason ?? '?'}`);
      assert.equal(checkDeterminism(e, 3), null);
    });
  }
});

describe('harness', () => {
  test('directives: quoted @args and @env', () => {
    const d = parseDirectives(`// @args: one "two words" '' x=1\n// @env: A=1 B=x=y C=\nint main;`, 't.c');
    assert.deepEqual(d.args, ['one', 'two words', '', 'x=1']);
    assert.deepEqual(d.env, { A: '1', B: 'x=y', C: '' });
    assert.throws(() => parseDirectives('// @env: NOEQUALS', 'f.c'), /f\.c:1: @env word "NOEQUALS"/);
    assert.throws(() => parseDirectives('x\n// @bogus: 1', 'f.c'), /f\.c:2: unknown directive @bogus/);
  });

  test('qemu status mapping: exit codes and death by signal', { skip: noQemu }, (t) => {
    const pick = (id: string) => built.find((e) => e.id === id);
    const cases: [string, number][] = [['asm/exit-status@gas', 77], ['asm/udf-kill@gas', 132], ['asm/mte-sp-kill@gas', 139]];
    for (const [id, status] of cases) {
      const e = pick(id);
      if (!e || (e.build?.status !== 'built' && e.build?.status !== 'cached')) return t.skip(`${id} not built`);
      const r = runQemu(e.out, e.args, e.env);
      assert.equal(r.status, status, id);
      assert.doesNotMatch(r.stderr, /^qemu: uncaught target signal/m, `${id}: QEMU's own line must be stripped`);
    }
  });

  test('qemu -d cpu log parser on a real single-stepped run', { skip: noQemu }, (t) => {
    const e = built.find((b) => b.id === 'trace/branch@gas');
    if (!e || (e.build?.status !== 'built' && e.build?.status !== 'cached')) return t.skip('trace/branch not built');
    const { before: states, status } = qemuTrace(e.out);
    const elf = readFileSync(e.out);
    const entry = elf.readBigUInt64LE(24);
    assert.ok(states.length > 500, `only ${states.length} states`);
    assert.equal(states[0].pc, entry, 'first state is at the ELF entry point');
    const last = states[states.length - 1];
    assert.equal(last.x[8], 93n, 'last instruction is the exit syscall');
    assert.equal(BigInt(status ?? -1), last.x[0] & 0xffn, 'exit status equals x0 before the exit svc');
    // blr/bl write x30 = return address: the state after a bl shows x30 = pc + 4
    const bl = states.findIndex((s, k) => k + 1 < states.length && states[k + 1].pc !== s.pc + 4n && states[k + 1].x[30] === s.pc + 4n);
    assert.ok(bl >= 0, 'found a call that set x30 to the return address');
  });

  test('trace comparison: identical traces (stack relocated) match, a changed register is named', () => {
    const mk = (pc: number, x0: bigint, sp: bigint, nzcv = 0): RegSnapshot => ({ pc: BigInt(pc), x: [x0, ...new Array(30).fill(0n)], sp, nzcv });
    const qsp = 0x5500800780n, osp = 0x7ffff000n;
    const q = [mk(0x400078, 0n, qsp), mk(0x40007c, 5n, qsp), mk(0x400080, qsp - 16n, qsp - 16n, 4), mk(0x400084, 7n, qsp - 16n)];
    const ours = [mk(0x400078, 5n, osp), mk(0x40007c, osp - 16n, osp - 16n, 4), mk(0x400080, 7n, osp - 16n)];
    assert.equal(compareTraces(q, ours), null);
    assert.equal(compareTraces(q, [...ours, mk(0x400084, 7n, osp - 16n)]), null, 'an extra record for the exit svc is allowed');
    const bad = ours.map((r) => ({ ...r, x: [...r.x] }));
    bad[2].x[0] = 8n;
    assert.match(compareTraces(q, bad) ?? '', /instruction #2 at pc 0x400080: after it x0: qemu 0x7 ours 0x8/);
    const flags = ours.map((r) => ({ ...r }));
    flags[1] = { ...flags[1], nzcv: 8 };
    assert.match(compareTraces(q, flags) ?? '', /nzcv: qemu -Z-- ours N---/);
    assert.match(compareTraces(q, ours.slice(0, 1)) ?? '', /our trace has 1 records/);
    const wrongPc = ours.map((r) => ({ ...r }));
    wrongPc[0] = { ...wrongPc[0], pc: 0x400000n };
    assert.match(compareTraces(q, wrongPc) ?? '', /instruction #0 at pc 0x400078: our record has pc 0x400000/);
  });

  test('trace JSONL parser: valid records and errors naming file:line and field', () => {
    const x = new Array(31).fill('0x0');
    x[1] = '0xffffffffffffffff';
    const good = JSON.stringify({ pc: '0x400078', x, sp: '0x7ffff000', nzcv: 6, extra: 1 });
    const recs = parseTraceJsonl(`${good}\n\n${good}\n`, 't.jsonl');
    assert.equal(recs.length, 2);
    assert.equal(recs[0].x[1], 0xffffffffffffffffn);
    assert.equal(recs[0].nzcv, 6);
    assert.throws(() => parseTraceJsonl(`${good}\n{"pc":"0x1","x":[],"sp":"0x0","nzcv":0}`, 't.jsonl'), /t\.jsonl:2: field "x" must be an array of 31/);
    assert.throws(() => parseTraceJsonl(JSON.stringify({ pc: 'zz', x, sp: '0x0', nzcv: 0 }), 't.jsonl'), /t\.jsonl:1: field "pc"/);
    assert.throws(() => parseTraceJsonl(JSON.stringify({ pc: '0x1', x, sp: '0x0', nzcv: 16 }), 't.jsonl'), /t\.jsonl:1: field "nzcv"/);
    assert.throws(() => parseTraceJsonl('{oops', 't.jsonl'), /t\.jsonl:1: not JSON/);
  });

  test('qemu log parser rejects truncated blocks', () => {
    const text = ' PC=0000000000400078 X00=0000000000000000 X01=0000000000000000\nPSTATE=40000000 -Z-- EL0t\n';
    assert.throws(() => parseQemuCpuLog(text, 'x.log'), /x\.log:2: block starting at line 1 lacks X2/);
  });
});
