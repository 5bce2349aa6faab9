// prctl(PR_SET/GET_TAGGED_ADDR_CTRL): Linux's validation (set_tagged_addr_ctrl / set_mte_ctrl) and the
// resolution of the requested tag check modes against the CPU's preferred mode (mte_update_sctlr_user).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '../../emulator/linux/constants';
import type { MtePreference } from '../../emulator/linux';
import { SyscallGuest } from './helpers';

const PRCTL = 167;
const E = (n: number) => BigInt(-n);
const EN = L.PR_TAGGED_ADDR_ENABLE, SYNC = L.PR_MTE_TCF_SYNC, ASYNC = L.PR_MTE_TCF_ASYNC;
const mask = (m: number) => m << L.PR_MTE_TAG_SHIFT;

test('validation: unused arguments must be 0, unknown bits are EINVAL', () => {
  const g = new SyscallGuest();
  const set = (...a: (number | bigint)[]) => g.sys(PRCTL, L.PR_SET_TAGGED_ADDR_CTRL, ...a);
  assert.equal(set(EN, 1, 0, 0), E(L.EINVAL), 'arg3');
  assert.equal(set(EN, 0, 1, 0), E(L.EINVAL), 'arg4');
  assert.equal(set(EN, 0, 0, 1), E(L.EINVAL), 'arg5');
  assert.equal(set(1 << 19, 0, 0, 0), E(L.EINVAL), 'PR_MTE_STORE_ONLY is not supported');
  assert.equal(set(1 << 20, 0, 0, 0), E(L.EINVAL));
  assert.equal(set(1n << 32n, 0, 0, 0), E(L.EINVAL), 'bits above 31');
  assert.equal(g.proc.taggedAddrCtrl, 0, 'failed calls change nothing');
  assert.equal(g.sys(PRCTL, L.PR_GET_TAGGED_ADDR_CTRL, 1, 0, 0, 0), E(L.EINVAL));
  assert.equal(g.sys(PRCTL, L.PR_GET_TAGGED_ADDR_CTRL, 0, 0, 0, 1), E(L.EINVAL));
  assert.equal(g.sys(PRCTL, L.PR_GET_TAGGED_ADDR_CTRL, 0, 0, 0, 0), 0n);
  assert.equal(g.sys(PRCTL, 12345, 0, 0, 0, 0), E(L.EINVAL), 'unknown option');
});

test('GET returns what SET stored: enable bit, requested modes and the include mask', () => {
  const g = new SyscallGuest();
  for (const v of [EN, EN | SYNC | mask(0xfffe), ASYNC | mask(0x0f0f), EN | SYNC | ASYNC | mask(0xffff), 0, mask(1)]) {
    assert.equal(g.sys(PRCTL, L.PR_SET_TAGGED_ADDR_CTRL, v, 0, 0, 0), 0n, `set ${v.toString(16)}`);
    assert.equal(g.sys(PRCTL, L.PR_GET_TAGGED_ADDR_CTRL, 0, 0, 0, 0), BigInt(v), `get after ${v.toString(16)}`);
  }
  // Android's tombstone example value.
  assert.equal(g.sys(PRCTL, L.PR_SET_TAGGED_ADDR_CTRL, 0x7fff3, 0, 0, 0), 0n);
  assert.equal(g.proc.taggedAddrCtrl, 0x7fff3);
});

test('GCR_EL1.Exclude is the complement of the include mask', () => {
  const g = new SyscallGuest();
  g.sys(PRCTL, L.PR_SET_TAGGED_ADDR_CTRL, EN | SYNC | mask(0xfffe), 0, 0, 0);
  assert.equal(g.cpu.gcrExclude, 0x0001);
  g.sys(PRCTL, L.PR_SET_TAGGED_ADDR_CTRL, mask(0x00f0), 0, 0, 0);
  assert.equal(g.cpu.gcrExclude, 0xff0f);
  g.sys(PRCTL, L.PR_SET_TAGGED_ADDR_CTRL, 0, 0, 0, 0);
  assert.equal(g.cpu.gcrExclude, 0xffff);
});

// [requested TCF bits, preferred mode, mte3] -> SCTLR_EL1.TCF0 (0 none, 1 sync, 2 async, 3 asymm)
const TABLE: [number, MtePreference, boolean, number][] = [
  [0, 'async', true, 0],
  [SYNC, 'async', true, 1],
  [ASYNC, 'async', true, 2],
  [SYNC, 'sync', true, 1],
  [ASYNC, 'sync', true, 2],
  [SYNC, 'asymm', true, 1],
  [ASYNC, 'asymm', true, 2],
  // Both requested: asymmetric is implied with MTE3; the preference picks among the three.
  [SYNC | ASYNC, 'async', true, 2],
  [SYNC | ASYNC, 'sync', true, 1],
  [SYNC | ASYNC, 'asymm', true, 3],
  // Without MTE3 there is no asymmetric mode.
  [SYNC | ASYNC, 'async', false, 2],
  [SYNC | ASYNC, 'sync', false, 1],
];

test('tag check mode selection against mte_tcf_preferred', () => {
  for (const [req, pref, mte3, tcf] of TABLE) {
    const g = new SyscallGuest({ mtePreferred: pref, mte3 });
    assert.equal(g.sys(PRCTL, L.PR_SET_TAGGED_ADDR_CTRL, EN | req | mask(0xfffe), 0, 0, 0), 0n);
    assert.equal(g.cpu.tcf0, tcf, `request ${req} with preference ${pref}${mte3 ? '' : ' (no MTE3)'}`);
    assert.equal(g.proc.taggedAddrCtrl & L.PR_MTE_TCF_MASK, req, 'GET reports the requested modes, not the chosen one');
  }
});

test('the preference can change while the program runs (takes effect at the next update)', () => {
  const g = new SyscallGuest();
  g.sys(PRCTL, L.PR_SET_TAGGED_ADDR_CTRL, EN | SYNC | ASYNC, 0, 0, 0);
  assert.equal(g.cpu.tcf0, 2);
  g.proc.mtePreferred = 'sync';
  g.proc.applyMteCtrl();
  assert.equal(g.cpu.tcf0, 1);
});

test('asymm preference needs MTE3', () => {
  assert.throws(() => new SyscallGuest({ mtePreferred: 'asymm', mte3: false }), /FEAT_MTE3/);
});

test('without MTE only PR_TAGGED_ADDR_ENABLE is accepted', () => {
  const g = new SyscallGuest({ mte: false });
  assert.equal(g.sys(PRCTL, L.PR_SET_TAGGED_ADDR_CTRL, EN | SYNC, 0, 0, 0), E(L.EINVAL));
  assert.equal(g.sys(PRCTL, L.PR_SET_TAGGED_ADDR_CTRL, EN | mask(1), 0, 0, 0), E(L.EINVAL));
  assert.equal(g.sys(PRCTL, L.PR_SET_TAGGED_ADDR_CTRL, EN, 0, 0, 0), 0n);
  assert.equal(g.sys(PRCTL, L.PR_GET_TAGGED_ADDR_CTRL, 0, 0, 0, 0), BigInt(EN));
  assert.equal(g.cpu.tcf0, 0);
});

test('sysctl abi.tagged_addr_disabled refuses the enable bit only', () => {
  const g = new SyscallGuest({ taggedAddrDisabled: true });
  assert.equal(g.sys(PRCTL, L.PR_SET_TAGGED_ADDR_CTRL, EN, 0, 0, 0), E(L.EINVAL));
  assert.equal(g.sys(PRCTL, L.PR_SET_TAGGED_ADDR_CTRL, SYNC, 0, 0, 0), 0n);
  assert.equal(g.cpu.tcf0, 1);
});

test('other prctl options: PR_SET_NAME/PR_GET_NAME, dumpable, no_new_privs', () => {
  const g = new SyscallGuest();
  const b = g.mmapAnon(4096);
  g.cstr(b, 'a-rather-long-thread-name');
  assert.equal(g.sys(PRCTL, L.PR_SET_NAME, b, 0, 0, 0), 0n);
  assert.equal(g.proc.name, 'a-rather-long-t', '15 characters kept');
  assert.equal(g.sys(PRCTL, L.PR_GET_NAME, b + 100n, 0, 0, 0), 0n);
  assert.equal(Buffer.from(g.read(b + 100n, 16)).toString('latin1'), 'a-rather-long-t\0');
  assert.equal(g.sys(PRCTL, L.PR_GET_DUMPABLE, 0, 0, 0, 0), 1n);
  assert.equal(g.sys(PRCTL, L.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0n);
  assert.equal(g.sys(PRCTL, L.PR_SVE_GET_VL, 0, 0, 0, 0), E(L.EINVAL), 'no SVE');
});
