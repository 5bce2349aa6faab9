// `tagvisor run` inside the hypervisor model, through the bundled dist/cli.js (build it first with
// `node build.mjs`): every shipped VM description with its program (exact stdout, status and the key
// stderr line), invalid descriptions and options (one line naming the field or flag), and the stress
// options --swap-every 50 --migrate-every 500, which must not change any program's output or status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run, tmpDir } from '../tools';

const REPO = resolve(import.meta.dirname, '..', '..');
const CLI = join(REPO, 'dist', 'cli.js');
const skip = existsSync(CLI) ? false : 'dist/cli.js not built (node build.mjs)';
const ex = (n: string) => join('examples', n);

function tagvisor(args: string[], input?: string) {
  const r = run(process.execPath, [CLI, 'run', ...args], { cwd: REPO, input, timeoutMs: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lines = (s: string) => s.split('\n').filter(Boolean);

test('--vm examples/vm-swap.json: tags survive constant host swapping', { skip }, () => {
  const r = tagvisor(['--vm', ex('vm-swap.json'), '--trace-hv', ex('hv-tag-churn.s')]);
  assert.equal(r.stdout, 'tags intact after 20000 retags\n');
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  const ev = lines(r.stderr);
  assert.ok(ev.every(l => l.startsWith('hv[swapper] ')), ev.find(l => !l.startsWith('hv[swapper] ')));
  assert.ok(ev.filter(l => / swap-out /.test(l)).length > 1000);
  assert.ok(ev.some(l => / swap-out .*arch_prepare_to_swap saved its tags/.test(l)));
  assert.ok(ev.filter(l => / swap-in .*tagsRestored=true tagged=true$/.test(l)).length > 100);
});

test('--vm examples/vm-migrate.json: live migrations with tags, same output', { skip }, () => {
  const r = tagvisor(['--vm', ex('vm-migrate.json'), '--trace-hv', ex('hv-tag-churn.s')]);
  assert.equal(r.stdout, 'tags intact after 20000 retags\n');
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  const done = lines(r.stderr).filter(l => / migration-complete /.test(l));
  assert.ok(done.length >= 5, `${done.length} migrations`);
  assert.match(done[0], /^hv\[src#1\] migration-complete .*guest continues on src#1/);
  assert.ok(lines(r.stderr).filter(l => / migration-verify /.test(l)).every(l => / 0 data and 0 tag mismatch\(es\)/.test(l)));
});

test('--vm examples/vm-migrate-without-tags.json: tag check fault on the destination, tombstone from the final guest', { skip }, () => {
  const r = tagvisor(['--vm', ex('vm-migrate-without-tags.json'), ex('hv-tag-churn.s')]);
  assert.equal(r.stdout, '');
  assert.equal(r.status, 139);
  assert.match(r.stderr, /^signal 11 \(SIGSEGV\), code 9 \(SEGV_MTESERR\), fault addr 0x0d00fffff7ff3500$/m);
  assert.match(r.stderr, /^Cause: \[MTE\]: synchronous tag check fault: 8-byte read at 0xd00fffff7ff3500, logical tag 0xd, allocation tag 0x0$/m);
  // --migrate-without-tags on the command line does the same to vm-migrate.json
  const f = tagvisor(['--vm', ex('vm-migrate.json'), '--migrate-without-tags', '--no-report', '--trace-hv', ex('hv-tag-churn.s')]);
  assert.equal(f.status, 139);
  assert.match(f.stderr, /^hv\[src#1\] migration-verify .* 0 data and 16 tag mismatch\(es\) \(expected: migrated without tags\)/m);
});

test('--vm examples/vm-device-dax.json: a KVM_RUN error is the VMM\'s, not a SIGBUS for the guest (its SIGBUS handler does not run)', { skip }, () => {
  const prog = 'test/cli/fixtures/bus-handler.s';
  assert.equal(tagvisor([prog]).status, 0);
  const r = tagvisor(['--vm', ex('vm-device-dax.json'), prog]);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, '', 'the guest handler did not run');
  assert.match(r.stderr, /^tagvisor: KVM_RUN failed: -EFAULT: user_mem_abort: MTE VM and the VMA .* lacks VM_MTE_ALLOWED/m);
  assert.match(r.stderr, /the VM stopped at pc 0x[0-9a-f]+, gpa 0x4001[0-9a-f]{4} after \d+ instructions/);
  assert.doesNotMatch(r.stderr, /internal error/);
});

test('--vm examples/vm-device-nc.json: code in a non-cacheable device page does not run (KVM -ENOEXEC: SIGBUS at the fetch); on plain RAM it does', { skip }, () => {
  const prog = 'test/cli/fixtures/exec-device.s';
  assert.equal(tagvisor([prog]).status, 0);
  const r = tagvisor(['--vm', ex('vm-device-nc.json'), '--trace-hv', prog]);
  assert.equal(r.status, 135, r.stderr);
  assert.match(r.stderr, /abort-injected .*execute from non-cacheable device memory \(-ENOEXEC/);
  assert.match(r.stderr, /killed by signal 7 \(SIGBUS\), code 3 \(BUS_OBJERR\): the physical memory refused an instruction fetch at 0x[0-9a-f]+ /);
  // Data accesses to the same device pages worked: every page got its `ret` stored before the calls.
  assert.ok(!/refused a .*write/.test(r.stderr), r.stderr);
});

test('--vm examples/vm-device-nc.json: device pages given as RAM drop tags (status 2)', { skip }, () => {
  const r = tagvisor(['--vm', ex('vm-device-nc.json'), ex('hv-tag-churn.s')]);
  assert.deepEqual(r, { status: 2, stdout: 'allocation tag lost: LDG disagrees with the pointer\n', stderr: '' });
});

test('--vm examples/vm-device-dax.json: KVM_RUN fails with -EFAULT', { skip }, () => {
  const r = tagvisor(['--vm', ex('vm-device-dax.json'), ex('hv-tag-churn.s')]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.deepEqual(lines(r.stderr), [
    'tagvisor: KVM_RUN failed: -EFAULT: user_mem_abort: MTE VM and the VMA 0x1000020000-0x1000420000 rws dax:pmem:dax lacks VM_MTE_ALLOWED (ZONE_DEVICE memory cannot hold tags); the VMM changed the memory behind slot 1',
    'tagvisor: examples/hv-tag-churn.s: the VM stopped at pc 0x4010a8, gpa 0x40010000 after 293 instructions',
  ]);
});

test('--vm examples/vm-private.json: every first touch is a memory-fault exit and a conversion', { skip }, () => {
  const r = tagvisor(['--vm', ex('vm-private.json'), '--trace-hv', ex('hv-touch.s')]);
  assert.equal(r.stdout, '32 pages written and read back\n');
  assert.equal(r.status, 0);
  const ev = lines(r.stderr);
  const exits = ev.filter(l => /^hv\[realm\] memory-fault-exit .*private access to a gfn whose attribute is shared/.test(l)).length;
  assert.ok(exits >= 32, `${exits}`);
  assert.equal(ev.filter(l => /^hv\[realm\] conversion .*now private/.test(l)).length, exits);
  assert.deepEqual(tagvisor(['--vm', ex('vm-private.json'), ex('hv-touch.s')]), { status: 0, stdout: '32 pages written and read back\n', stderr: '' });
});

test('--vm examples/vm-device-refused.json: KVM refuses the memslot, status 126, one line', { skip }, () => {
  const r = tagvisor(['--vm', ex('vm-device-refused.json'), ex('hv-touch.s')]);
  assert.equal(r.status, 126);
  assert.equal(r.stdout, '');
  assert.equal(lines(r.stderr).length, 1);
  assert.match(r.stderr, /^tagvisor: examples\/vm-device-refused\.json: vm\.memory\[1\]: KVM_SET_USER_MEMORY_REGION2: .*pfnmap:bar0 .*lacks VM_MTE_ALLOWED \(-EINVAL, /);
});

test('invalid VM descriptions and hypervisor options: one line naming the field or flag', { skip }, () => {
  const dir = tmpDir();
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ name: 'x', memory: [{ name: 'ram', gpa: '0x40000000', size: '64K', backing: 'floppy' }] }));
  const trunc = join(dir, 'trunc.json');
  writeFileSync(trunc, '{"name": "x",\n');
  const prog = ex('hv-touch.s');
  const cases: [string[], number, string][] = [
    [['--vm', bad, prog], 2, `tagvisor: ${bad}: vm.memory[0].backing: expected one of "anon", "memfd", "dax", "pfnmap", "mmio", got "floppy"`],
    [['--vm', trunc, prog], 2, `tagvisor: ${trunc}:2:1: invalid JSON: Expected double-quoted property name`],
    [['--vm', join(dir, 'none.json'), prog], 127, `tagvisor: ${join(dir, 'none.json')}: no such file`],
    [['--migrate-without-tags', prog], 2, 'tagvisor: --migrate-without-tags: needs --migrate-every N (or "migration": { "every": N } in the VM description)'],
    [['--swap-every', '0', prog], 2, 'tagvisor: --swap-every: expected a positive number of instructions, got "0"'],
    [['--migrate-every=lots', prog], 2, 'tagvisor: --migrate-every: expected a positive number of instructions, got "lots"'],
    [['--vm'], 2, 'tagvisor: --vm needs a value'],
    [['--trace-hv=1', prog], 2, 'tagvisor: --trace-hv takes no value'],
  ];
  for (const [args, status, line] of cases) {
    assert.deepEqual(tagvisor(args), { status, stdout: '', stderr: line + '\n' }, args.join(' '));
  }
});

test('--max-insns inside a VM stops with status 124', { skip }, () => {
  const r = tagvisor(['--max-insns', '1000', '--swap-every', '100', ex('hv-tag-churn.s')]);
  assert.deepEqual(r, { status: 124, stdout: '', stderr: 'tagvisor: examples/hv-tag-churn.s: stopped after 1000 instructions (--max-insns), pc 0x401100\n' });
});

// Programs of the differential corpus (assembled by tagvisor itself, so no cross tools needed) and the
// CLI fixtures with fatal tag check faults (tombstones): identical stdout, stderr and status with
// swapping every 50 and migrating every 500 instructions. The fixtures die within 50 instructions,
// so they swap every 10 (and do not live long enough to migrate).
const STRESS: [string, string, boolean][] = [
  ['test/corpus/asm/mte.s', '50', true], ['test/corpus/asm/mte-fault.s', '50', true], ['test/corpus/asm/loadstore.s', '50', true],
  ['test/corpus/asm/memfns.S', '50', true], ['test/corpus/asm/exit-status.s', '50', true],
  ['test/cli/fixtures/mte-fault.s', '10', false], ['test/cli/fixtures/async-fault.s', '10', false],
];
for (const [prog, swapEvery, migrates] of STRESS) {
  test(`--swap-every ${swapEvery} --migrate-every 500 does not change ${prog}`, { skip }, () => {
    const plain = tagvisor([prog]);
    const stressed = tagvisor(['--swap-every', swapEvery, '--migrate-every', '500', prog]);
    assert.deepEqual(stressed, plain);
    // and the migrations really happen
    const traced = tagvisor(['--swap-every', swapEvery, '--migrate-every', '500', '--trace-hv', prog]);
    assert.equal(traced.status, plain.status);
    const ev = lines(traced.stderr).filter(l => l.startsWith('hv['));
    assert.ok(ev.some(l => / swap-out /.test(l)), `${prog}: no swap-out`);
    assert.equal(ev.some(l => / migration-complete /.test(l)), migrates, `${prog}: migrations`);
  });
}

test('--trace and --trace-json inside a VM follow the guest across swaps and migrations: the same trace as on plain RAM', { skip }, () => {
  const dir = tmpDir('tv-cli-hv-trace');
  for (const prog of ['test/corpus/asm/mte.s', 'test/cli/fixtures/async-fault.s']) {
    const plainJson = join(dir, 'plain.json'), vmJson = join(dir, 'vm.json');
    const plain = tagvisor(['--trace', '--trace-json', plainJson, prog]);
    const inVm = tagvisor(['--swap-every', '7', '--migrate-every', '40', '--trace', '--trace-json', vmJson, '--trace-hv', prog]);
    assert.equal(inVm.status, plain.status, prog);
    assert.equal(inVm.stdout, plain.stdout, prog);
    // The VM run's stderr is the plain run's with the hypervisor's event lines in between.
    assert.equal(lines(inVm.stderr).filter(l => !l.startsWith('hv[')).join('\n'), lines(plain.stderr).join('\n'), prog);
    assert.ok(lines(inVm.stderr).some(l => / migration-complete /.test(l)) || prog.includes('async-fault'), `${prog}: no migration`);
    const a = readFileSync(plainJson, 'utf8'), b = readFileSync(vmJson, 'utf8');
    assert.ok(a.split('\n').length > 20, `${prog}: ${a.split('\n').length} trace records`);
    assert.equal(b, a, `${prog}: --trace-json differs inside the VM`);
  }
});
