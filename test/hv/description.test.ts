// The VM description (launch configuration `vm` section / --vm FILE): validation errors name the
// field; KVM refusals name the region; the CLI option parser; the shipped examples; events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  HvError, HvEventBus, VmDescriptionError, createVmFromDescription, formatHvEvent, loadVmDescriptionFile,
  parseHvCliOptions, parseSize, parseVmDescription, parseVmDescriptionText, runOptionsFromCli, vmConfigToJson,
} from '../../emulator/hv';
import { MiB, RAM } from './helpers';

const base = { memory: [{ name: 'ram', gpa: '0x40000000', size: '1M', backing: 'anon' }] };

function descErr(d: unknown, re: RegExp) {
  assert.throws(() => parseVmDescription(d), (e: unknown) => e instanceof VmDescriptionError && re.test(e.message), `expected ${re}`);
}

test('field-named validation errors', () => {
  descErr({ memory: [base.memory[0], { gpa: 0, size: 4096, backing: 'ram' }] }, /^vm\.memory\[1\]\.backing: expected one of "anon", "memfd", "dax", "pfnmap", "mmio", got "ram"$/);
  descErr({ memory: [{ gpa: 0, size: 4096 }] }, /^vm\.memory\[0\]\.backing: missing \(expected one of "anon"/);
  descErr({ ...base, mte: 'yes' }, /^vm\.mte: expected true or false, got "yes"$/);
  descErr({ ...base, colour: 1 }, /^vm\.colour: unknown field/);
  descErr({ memory: [{ ...base.memory[0], size: '1Q' }] }, /^vm\.memory\[0\]\.size: cannot parse "1Q" as a size/);
  descErr({ memory: [{ ...base.memory[0], gpa: 4097 }] }, /^vm\.memory\[0\]\.gpa: address 0x1001 is not a multiple of the 4 KiB page size$/);
  descErr({ memory: [] }, /^vm\.memory: needs at least one region$/);
  descErr({}, /^vm\.memory: missing/);
  descErr(7, /^vm: expected an object, got number$/);
  descErr({ memory: [base.memory[0], { name: 'b', gpa: '0x40080000', size: '1M', backing: 'anon' }] }, /^vm\.memory\[1\]\.gpa: \[0x40080000, 0x40180000\) overlaps vm\.memory\[0\] \("ram"\)$/);
  descErr({ memory: [base.memory[0], { name: 'ram', gpa: 0, size: 4096, backing: 'anon' }] }, /vm\.memory\[1\]\.name: duplicate region name "ram"/);
  descErr({ memory: [{ ...base.memory[0], cacheable: true }] }, /^vm\.memory\[0\]\.cacheable: only applies to "backing": "pfnmap"$/);
  descErr({ memory: [{ name: 'u', gpa: 0, size: 4096, backing: 'mmio', prot_mte: true }] }, /^vm\.memory\[0\]\.prot_mte: does not apply to an MMIO hole/);
  descErr({ memory: [{ ...base.memory[0], guestMemfd: true }] }, /^vm\.memory\[0\]\.guestMemfd: needs "type": "protected"/);
  descErr({ ...base, type: 'protected', private: [{ gpa: RAM, size: '4K' }] }, /^vm\.private\[0\]: \[0x40000000, 0x40001000\) must lie inside one region with "guestMemfd": true$/);
  descErr({ ...base, private: [{ gpa: RAM }] }, /^vm\.private\[0\]\.size: missing$/);
  descErr({ ...base, swap: { limit: '4K' } }, /^vm\.swap\.limit: must be at least 16K/);
  descErr({ ...base, swap: { every: 0 } }, /^vm\.swap\.every: expected an integer in \[1, /);
  descErr({ ...base, dirtyLog: { initiallySet: true } }, /^vm\.dirtyLog\.initiallySet: needs "manualProtect": true/);
  descErr({ ...base, ipaBits: 60 }, /^vm\.ipaBits: expected an integer in \[32, 52\], got 60$/);
  descErr({ memory: [{ ...base.memory[0], replacedBy: { backing: 'mmio' } }] }, /^vm\.memory\[0\]\.replacedBy\.backing: expected one of "anon", "memfd", "dax", "pfnmap", got "mmio"$/);
  assert.throws(() => parseVmDescriptionText('{\n  "memory": [,]\n}', 'x.json'), /^VmDescriptionError|x\.json:2:14: invalid JSON/);
  assert.throws(() => parseVmDescriptionText('{"mte": 1, "memory": []}', 'x.json'), /x\.json: vm\.mte: expected true or false, got 1$/);
  assert.throws(() => loadVmDescriptionFile('/nonexistent/vm.json'), /\/nonexistent\/vm\.json: cannot read/);
});

test('sizes and defaults', () => {
  assert.equal(parseSize('4GiB', 'x'), 4 * 2 ** 30);
  assert.equal(parseSize('0x4000_0000', 'x'), 2 ** 30);
  assert.equal(parseSize('64k', 'x'), 65536);
  assert.equal(parseSize(4096, 'x'), 4096);
  const c = parseVmDescription(base);
  assert.equal(c.mte, true);
  assert.equal(c.ipaBits, 40);
  assert.equal(c.type, 'default');
  assert.equal(c.debug, 'deny');
  assert.deepEqual(c.memory[0], { name: 'ram', gpa: RAM, size: MiB, backing: 'anon', protMte: false, readonly: false, dirtyLog: false, cacheable: false, allowAnyUncached: true, guestMemfd: false, ram: true, replacedBy: null });
  // The normalised JSON parses back to the same config (it is what the migration stream carries).
  assert.deepEqual(parseVmDescription(vmConfigToJson(c)), c);
});

test('KVM refusals while building the VM name the region', () => {
  assert.throws(() => createVmFromDescription({ memory: [base.memory[0], { name: 'pmem', gpa: RAM + MiB, size: MiB, backing: 'dax' }] }),
    (e: unknown) => e instanceof HvError && e.errno === 'EINVAL' && /^vm\.memory\[1\]: KVM_SET_USER_MEMORY_REGION2: userspace_addr: slot 1: MTE VM and the VMA .* dax:pmem lacks VM_MTE_ALLOWED/.test(e.message));
  assert.throws(() => createVmFromDescription({ mte: false, memory: [base.memory[0], { name: 'bar', gpa: RAM + MiB, size: MiB, backing: 'pfnmap', dirtyLog: true }] }),
    /vm\.memory\[1\]: KVM_SET_USER_MEMORY_REGION2: flags: slot 1: dirty logging of a VM_PFNMAP region \(bar\) is not allowed/);
  assert.throws(() => createVmFromDescription({ ...base, memory: [{ ...base.memory[0], backing: 'dax', prot_mte: true }] }), /vm\.memory\[0\]\.prot_mte: mmap: prot: PROT_MTE on a dax mapping without VM_MTE_ALLOWED/);
  assert.throws(() => createVmFromDescription({ ...base, host: { mte: false } }), /vm\.mte: KVM_ENABLE_CAP: KVM_CAP_ARM_MTE: the host does not support MTE/);
  assert.throws(() => createVmFromDescription({ ...base, ipaBits: 50 }), /vm\.ipaBits: KVM_CREATE_VM: ipa_bits: 50 is outside \[32, 48\]/);
  assert.throws(() => createVmFromDescription({ ipaBits: 32, memory: [{ name: 'hi', gpa: '0xfff00000', size: '2M', backing: 'anon' }] }), /vm\.memory\[0\]: .*-EFAULT/);
});

test('the shipped examples/vm-*.json descriptions are valid and build', () => {
  const dir = join(__dirname, '..', '..', 'examples');
  const files = readdirSync(dir).filter(f => /^vm-.*\.json$/.test(f));
  assert.ok(files.length >= 5, files.join(' '));
  for (const f of files) {
    const cfg = loadVmDescriptionFile(join(dir, f));
    if (f === 'vm-device-refused.json') { assert.throws(() => createVmFromDescription(cfg), HvError); continue; }
    const vmm = createVmFromDescription(cfg);
    assert.ok(vmm.vm.ramRanges().length > 0, `${f}: has RAM`);
    assert.equal(typeof JSON.parse(readFileSync(join(dir, f), 'utf8')).description, 'string', `${f}: says what it demonstrates`);
  }
});

test('CLI options: --vm, --swap-every, --migrate-every, --migrate-without-tags, --trace-hv', () => {
  const { options, rest } = parseHvCliOptions(['--vm', 'a.json', '--swap-every=500', 'prog', '--migrate-every', '2000', '--trace-hv', '--migrate-without-tags', '-x']);
  assert.deepEqual(options, { vmFile: 'a.json', swapEvery: 500, migrateEvery: 2000, migrateWithoutTags: true, traceHv: true });
  assert.deepEqual(rest, ['prog', '-x']);
  assert.deepEqual(runOptionsFromCli(options), { swapEvery: 500, migrateEvery: 2000, migrateWithoutTags: true });
  assert.throws(() => parseHvCliOptions(['--swap-every', 'x']), /^Error: --swap-every: expected a positive number of instructions, got "x"$/);
  assert.throws(() => parseHvCliOptions(['--vm']), /--vm: missing value/);
  assert.throws(() => runOptionsFromCli(parseHvCliOptions(['--migrate-without-tags']).options), /--migrate-without-tags: needs --migrate-every N/);
});

test('events carry the page, the reason and the guest pc; --trace-hv lines', () => {
  const bus = new HvEventBus(5);
  assert.equal(bus.active, true);
  const lines: string[] = [];
  const vmm = createVmFromDescription(base, { events: bus, trace: l => lines.push(l) });
  assert.match(lines[0], /^hv\[vm0\] cap: KVM_CAP_ARM_MTE enabled/);
  assert.match(lines[1], /^hv\[vm0\] memslot gpa=0x40000000: create: slot 0 \[0x40000000, 0x40100000\) hva 0x[0-9a-f]+ slot=0 pages=256 dirtyLog=false readonly=false$/);
  vmm.vm.resolve(RAM / 4096, true, 0x400123);
  const map = bus.recent.find(e => e.kind === 'stage2-map')!;
  assert.equal(map.gpa, RAM);
  assert.equal(map.pc, 0x400123);
  assert.match(formatHvEvent(map), /^hv\[vm0\] stage2-map gpa=0x40000000 pc=0x400123: user_mem_abort: write fault mapped anon memory as Normal cacheable slot=0 hva=0x[0-9a-f]+ writable=true tagCapable=true sanitised=true$/);
  assert.ok(bus.recent.length <= 5, 'bounded');
  vmm.dispose();
  const n = lines.length;
  vmm.vm.resolve(RAM / 4096 + 1, true, 0);
  assert.equal(lines.length, n, 'dispose stops the trace');
  const quiet = new HvEventBus();
  assert.equal(quiet.active, false);
});
