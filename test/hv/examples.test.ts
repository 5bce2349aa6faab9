// The shipped examples (examples/vm-*.json with examples/hv-*.s) run on the Linux runtime inside the
// VM they describe and do exactly what their descriptions say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadProgram } from '../../emulator/cli/program';
import { HvError, HvEventBus, createVmFromDescription, linuxGuestFactory, loadVmDescriptionFile, type HvEventKind, type VmExit } from '../../emulator/hv';

const EX = join(__dirname, '..', '..', 'examples');

function run(vm: string, prog: string, extra: { migrateWithoutTags?: boolean } = {}) {
  const p = loadProgram(join(EX, prog));
  const events = new HvEventBus();
  const kinds = new Map<HvEventKind, number>();
  events.subscribe(e => kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1));
  const vmm = createVmFromDescription(loadVmDescriptionFile(join(EX, vm)), { events });
  let out = '';
  const r = vmm.run(linuxGuestFactory(p.elf, { path: p.path, hostFs: null }, { stdout: d => { out += Buffer.from(d).toString(); } }), { maxInsns: 20_000_000, ...extra });
  return { exit: r.exit as VmExit, out, kinds, r };
}

test('vm-swap.json: tags survive constant swapping', () => {
  const { exit, out, kinds, r } = run('vm-swap.json', 'hv-tag-churn.s');
  assert.deepEqual(exit, { reason: 'shutdown', status: 0 });
  assert.equal(out, 'tags intact after 20000 retags\n');
  assert.ok(r.swapOuts > 500 && (kinds.get('swap-out') ?? 0) > 1000 && (kinds.get('swap-discard') ?? 0) > 0, JSON.stringify([...kinds]));
  assert.ok(r.vmm.mm.residentCount() <= 16);
});

test('vm-migrate.json: live migrations with tags, the guest finishes on the last destination', () => {
  const { exit, out, kinds, r } = run('vm-migrate.json', 'hv-tag-churn.s');
  assert.deepEqual(exit, { reason: 'shutdown', status: 0 });
  assert.equal(out, 'tags intact after 20000 retags\n');
  assert.ok(r.migrations >= 5, `${r.migrations}`);
  assert.equal(kinds.get('migration-complete'), r.migrations);
  assert.notEqual(r.vmm.vm.name, 'src');
});

test('vm-migrate-without-tags.json: the guest dies of a tag check fault on the destination', () => {
  const { exit, out, r } = run('vm-migrate-without-tags.json', 'hv-tag-churn.s');
  assert.deepEqual(exit, { reason: 'shutdown', status: 139 });
  assert.equal(out, '');
  assert.equal(r.migrations, 1);
});

test('vm-device-nc.json: device pages handed out as RAM lose tags (Normal-NC: STG dropped, LDG 0)', () => {
  const { exit, out, r } = run('vm-device-nc.json', 'hv-tag-churn.s');
  assert.deepEqual(exit, { reason: 'shutdown', status: 2 });
  assert.equal(out, 'allocation tag lost: LDG disagrees with the pointer\n');
  const gpu = r.vmm.region('gpu')!;
  assert.equal(r.vmm.vm.stage2(gpu.cfg.gpa / 4096)?.memType, 'normal-nc');
});

test('vm-device-dax.json: KVM_RUN fails with -EFAULT when the guest reaches the DAX pages', () => {
  const { exit, kinds } = run('vm-device-dax.json', 'hv-tag-churn.s');
  assert.equal(exit.reason, 'error');
  if (exit.reason === 'error') {
    assert.equal(exit.errno, 'EFAULT');
    assert.match(exit.message, /dax:pmem.*lacks VM_MTE_ALLOWED \(ZONE_DEVICE memory cannot hold tags\)/);
    assert.equal(exit.gpa, 0x4001_0000);
  }
  assert.equal(kinds.get('run-error'), 1);
});

test('vm-private.json: first touches convert pages to private; the VMM cannot read them', () => {
  const { exit, out, kinds, r } = run('vm-private.json', 'hv-touch.s');
  assert.deepEqual(exit, { reason: 'shutdown', status: 0 });
  assert.equal(out, '32 pages written and read back\n');
  assert.ok((kinds.get('memory-fault-exit') ?? 0) >= 32);
  assert.equal(kinds.get('conversion'), kinds.get('memory-fault-exit'));
  const gpa = r.vmm.vm.privateGfns.ranges()[0][0] * 4096;
  const d = r.vmm.debugRead(gpa, 8);
  assert.ok(!d.ok && d.errno === 'EPERM');
});

test('vm-device-refused.json: a BAR as a memslot of an MTE VM is refused at admission', () => {
  assert.throws(() => createVmFromDescription(loadVmDescriptionFile(join(EX, 'vm-device-refused.json'))),
    (e: unknown) => e instanceof HvError && e.errno === 'EINVAL' && /^vm\.memory\[1\]: .*pfnmap:bar0 .*lacks VM_MTE_ALLOWED/.test(e.message));
});
