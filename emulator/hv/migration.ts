// Live migration of an MTE guest: pre-copy rounds driven by the dirty log (KVM_GET_DIRTY_LOG /
// KVM_CLEAR_DIRTY_LOG plus the VMM's own dirty bitmap), page data read through the VMM's
// mapping and tags with KVM_ARM_MTE_COPY_TAGS FROM_GUEST (a never-tagged page yields zeros), a
// final stop-and-copy with the vCPU/process state, and on the destination the data written
// before vCPUs run and tags put back with KVM_ARM_MTE_COPY_TAGS TO_GUEST before dirty logging is
// enabled there (reference section 4.6). A verification pass compares every page on both sides.
import * as pageConsts from '../memory/page';
// Local copies: an imported binding is a getter call per use under the CJS test/bench loader.
const { PAGE_SIZE, GRANULES_PER_PAGE, TAG_BYTES_PER_PAGE } = pageConsts;
import { KVM_ARM_TAGS_FROM_GUEST, KVM_ARM_TAGS_TO_GUEST, KVM_MEM_LOG_DIRTY_PAGES } from './constants';
import { type VmConfig, vmConfigToJson, parseVmDescription } from './description';
import { type HvErr, type HvResult, fail, hex, ok } from './errors';
import type { HvEventBus } from './events';
import type { Host } from './host';
import type { HvGuest, Memslot, VmExit } from './kvm';
import { type HvGuestFactory, Vmm, type VmmOptions, type VmmRunOptions, registerMigrateHook } from './vmm';

/** What the source sends, record by record (the byte stream encodes exactly these). */
export interface MigrationSink {
  header(h: MigrationHeader): void;
  /**
   * A page: 4096 bytes of data and its 256 allocation tags one per byte (the KVM_ARM_MTE_COPY_TAGS
   * format; null = all zero or not sent). Both are views the sink must consume before returning.
   */
  page(gfn: number, data: Uint8Array, tags: Uint8Array | null): void;
  /** A page whose data and tags are all zero. */
  zero(gfn: number): void;
  roundEnd(round: number, pages: number): void;
  vcpu(state: Uint8Array): void;
  end(): void;
}

export interface MigrationHeader {
  /** The VM description (normalised JSON) the destination recreates. */
  config: unknown;
  /** Tags are part of the stream (false for the --migrate-without-tags VMM). */
  withTags: boolean;
}

export interface MigrationOptions {
  /** The broken VMM: do not transfer tags. */
  withoutTags?: boolean;
  /** Pre-copy rounds after round 0 before stop-and-copy is forced (default 4). */
  maxRounds?: number;
  /** Guest instructions run between rounds (default 5000). */
  roundInsns?: number;
  /** Go to stop-and-copy once a round leaves at most this many dirty pages (default 16). */
  stopPages?: number;
  /** How to run the guest between rounds (default: the source vCPU's KVM_RUN). */
  step?: (maxInsns: number) => VmExit;
}

export interface RoundReport { round: number; pages: number; zeroPages: number; taggedPages: number; final: boolean }

export interface VerifyReport {
  pages: number;
  dataMismatches: number;
  tagMismatches: number;
  /** The first few differences. */
  first: { gpa: number; what: 'data' | 'tags' }[];
}

export interface MigrationReport {
  rounds: RoundReport[];
  pagesSent: number;
  /** Guest memory covered by the slots (what throughput figures are quoted against). */
  guestBytes: number;
  withoutTags: boolean;
  verify: VerifyReport | null;
  ms: number;
}

export type PrecopyResult =
  | { ok: true; report: MigrationReport }
  /** The guest stopped during pre-copy (exit) or migration was refused (error); the source keeps running. */
  | { ok: false; exit?: VmExit; error?: HvErr };

/** Why this VM cannot be migrated, if it cannot (QEMU: migration blockers). */
export function migrationBlocker(src: Vmm): HvErr | null {
  const vm = src.vm;
  if (vm.privateGfns.size > 0) {
    return fail('EBUSY', 'migrate', 'vm', `${vm.privateGfns.size} private page(s): guest_memfd contents cannot be read by the VMM (protected VMs need firmware-assisted migration)`);
  }
  for (const s of vm.slots.values()) {
    const v = src.mm.findVma(s.userspaceAddr);
    if (v?.flags.pfnmap) return fail('EBUSY', 'migrate', `slot ${s.id}`, `VM_PFNMAP device memory (${v.obj.name}) cannot be dirty-logged or migrated as RAM`);
  }
  return null;
}

function slotList(src: Vmm): Memslot[] { return [...src.vm.slots.values()].sort((a, b) => a.baseGfn - b.baseGfn); }

/** Sets or clears KVM_MEM_LOG_DIRTY_PAGES on every slot (a FLAGS_ONLY memslot update). */
function setDirtyLogging(src: Vmm, on: boolean, keepFor?: (s: Memslot) => boolean): HvResult<void> {
  for (const s of slotList(src)) {
    if (s.gmem) continue;
    const want = on || (keepFor?.(s) ?? false);
    const flags = want ? s.flags | KVM_MEM_LOG_DIRTY_PAGES : s.flags & ~KVM_MEM_LOG_DIRTY_PAGES;
    if (flags === s.flags) continue;
    const r = src.vm.setUserMemoryRegion2({ slot: s.id, flags, guestPhysAddr: s.baseGfn * PAGE_SIZE, memorySize: s.npages * PAGE_SIZE, userspaceAddr: s.userspaceAddr });
    if (!r.ok) return r;
  }
  return ok(undefined);
}

/** Pages of every slot that exist on the host (resident or swapped), as sorted gfns. */
function populatedGfns(src: Vmm): number[] {
  const out: number[] = [];
  for (const s of slotList(src)) {
    if (s.gmem && src.vm.privateGfns.size > 0) continue;
    const end = s.userspaceAddr + s.npages * PAGE_SIZE;
    for (const v of src.mm.vmasIn(s.userspaceAddr, end)) {
      for (const pg of v.obj.pages.keys()) {
        const h = v.hvaOf(pg);
        if (h >= v.start && h < v.end && h >= s.userspaceAddr && h < end) out.push(s.baseGfn + (h - s.userspaceAddr) / PAGE_SIZE);
      }
    }
  }
  return out.sort((a, b) => a - b);
}

/** One dirty-log sync: KVM's bitmaps (cleared) plus the VMM's own bitmap. */
function collectDirty(src: Vmm): number[] {
  const set = new Set<number>();
  for (const s of slotList(src)) {
    if (s.dirty === null) continue;
    const r = src.vm.getDirtyLog(s.id);
    if (!r.ok) continue;
    const bm = r.value;
    for (let i = 0; i < bm.length; i++) {
      const b = bm[i];
      if (b === 0) continue;
      for (let k = 0; k < 8; k++) if (b & (1 << k)) set.add(s.baseGfn + i * 8 + k);
    }
    if (src.vm.manualDirtyLogProtect) src.vm.clearDirtyLog(s.id, 0, s.npages, bm);
  }
  for (const g of src.vmmDirty) set.add(g);
  src.vmmDirty.clear();
  return [...set].sort((a, b) => a - b);
}

/** True if the 256 tag bytes starting at word w are all zero. */
function allZero(words: Int32Array, w: number): boolean {
  for (let i = w, e = w + GRANULES_PER_PAGE / 4; i < e; i++) if (words[i] !== 0) return false;
  return true;
}

function isZero(data: Uint8Array): boolean {
  const w = new Int32Array(data.buffer, data.byteOffset, PAGE_SIZE / 4);
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) return false;
  return true;
}

/** Sends a sorted list of gfns: data through the VMM's mapping, tags by COPY_TAGS FROM_GUEST in runs. */
class PageSender {
  private tagBuf = new Uint8Array(GRANULES_PER_PAGE * 64);
  private tagWords = new Int32Array(this.tagBuf.buffer);
  constructor(private readonly src: Vmm, private readonly sink: MigrationSink, private readonly withTags: boolean) {}

  send(gfns: number[]): { pages: number; zero: number; tagged: number } {
    let zero = 0, tagged = 0;
    const vm = this.src.vm;
    let i = 0;
    while (i < gfns.length) {
      // A run of contiguous gfns within one slot, at most 64 pages (one COPY_TAGS call).
      const slot = vm.findSlot(gfns[i]);
      let j = i + 1;
      while (j < gfns.length && j - i < 64 && gfns[j] === gfns[j - 1] + 1 && slot && gfns[j] < slot.baseGfn + slot.npages) j++;
      const n = j - i;
      let haveTags = false;
      if (this.withTags && slot) {
        const r = vm.copyMteTags({ guestIpa: gfns[i] * PAGE_SIZE, length: n * PAGE_SIZE, buffer: this.tagBuf, flags: KVM_ARM_TAGS_FROM_GUEST });
        if (!r.ok || r.value !== n * PAGE_SIZE) throw new Error(`migration: KVM_ARM_MTE_COPY_TAGS FROM_GUEST at ${hex(gfns[i] * PAGE_SIZE)} failed: ${r.ok ? `only ${r.value} bytes` : r.message}`);
        haveTags = true;
      }
      for (let k = 0; k < n; k++) {
        const gfn = gfns[i + k];
        const data = slot ? this.readData(slot, gfn) : null;
        const tags = haveTags && !allZero(this.tagWords, k * GRANULES_PER_PAGE / 4) ? this.tagBuf.subarray(k * GRANULES_PER_PAGE, (k + 1) * GRANULES_PER_PAGE) : null;
        if (data === null || (isZero(data) && tags === null)) { this.sink.zero(gfn); zero++; }
        else { this.sink.page(gfn, data, tags); if (tags) tagged++; }
      }
      i = j;
    }
    return { pages: gfns.length, zero, tagged };
  }

  /** The VMM reads guest RAM through its own mapping (a swapped page is swapped in, read-only). */
  private readData(slot: Memslot, gfn: number): Uint8Array | null {
    const hp = this.src.mm.faultInPage(slot.userspaceAddr + (gfn - slot.baseGfn) * PAGE_SIZE, false, gfn);
    if (hp === null) throw new Error(`migration: reading ${hex(gfn * PAGE_SIZE)} failed: ${this.src.mm.faultWhy}`);
    return hp === this.src.host.zeroPage ? null : hp.page.data;
  }
}

/**
 * The source side: pre-copy rounds then stop-and-copy into `sink`. On success the source VM is
 * left stopped (dirty logging still on); the caller destroys it once the destination runs.
 */
export function precopy(src: Vmm, guest: HvGuest, sink: MigrationSink, opts: MigrationOptions = {}): PrecopyResult {
  const t0 = performance.now();
  const blocker = migrationBlocker(src);
  if (blocker) { src.events.emit('refused', src.vm.name, -1, src.vm.lastPc, `migration blocked: ${blocker.message}`); return { ok: false, error: blocker }; }
  const withTags = src.vm.mteEnabled && !opts.withoutTags;
  const maxRounds = opts.maxRounds ?? 4;
  const roundInsns = opts.roundInsns ?? 5000;
  const stopPages = opts.stopPages ?? 16;
  const step = opts.step ?? ((n: number) => src.vcpu.run(n));
  const lg = setDirtyLogging(src, true);
  if (!lg.ok) return { ok: false, error: lg };
  src.dirtyTracking = true;
  src.vmmDirty.clear();
  const stopLogging = () => {
    src.dirtyTracking = false;
    src.vmmDirty.clear();
    setDirtyLogging(src, false, s => src.cfg.memory[s.id]?.dirtyLog === true);
  };
  const guestBytes = slotList(src).reduce((a, s) => a + s.npages * PAGE_SIZE, 0);
  sink.header({ config: vmConfigToJson({ ...src.cfg, private: [] }), withTags });
  const sender = new PageSender(src, sink, withTags);
  const rounds: RoundReport[] = [];
  const doRound = (round: number, gfns: number[], final: boolean) => {
    const r = sender.send(gfns);
    sink.roundEnd(round, r.pages);
    rounds.push({ round, pages: r.pages, zeroPages: r.zero, taggedPages: r.tagged, final });
    src.events.emit('migration-round', src.vm.name, -1, src.vm.lastPc,
      `${final ? 'stop-and-copy' : round === 0 ? 'pre-copy round 0 (all populated pages)' : `pre-copy round ${round} (dirty log)`}: ${r.pages} page(s), ${r.tagged} with tags${withTags ? ' (KVM_ARM_MTE_COPY_TAGS FROM_GUEST)' : ', tags NOT sent'}`,
      { round, pages: r.pages, tagged: r.tagged, zero: r.zero });
  };
  try {
    doRound(0, populatedGfns(src), false);
    collectDirty(src); // what round 0 already covered (initially-set bitmaps, pages read meanwhile)
    // The guest keeps running while each round is transferred; the next dirty-log sync collects what
    // it wrote meanwhile. When little is left (or after maxRounds), the vCPU stops and the rest is sent.
    let dirty: number[];
    for (let round = 1; ; round++) {
      const exit = step(roundInsns);
      if (exit.reason !== 'intr') {
        stopLogging();
        src.events.emit('refused', src.vm.name, -1, src.vm.lastPc, `migration cancelled: the guest stopped during pre-copy (${exit.reason})`);
        return { ok: false, exit };
      }
      dirty = collectDirty(src);
      if (dirty.length <= stopPages || round > maxRounds) break;
      doRound(round, dirty, false);
    }
    // Stop-and-copy: the vCPU is not run again on the source.
    doRound(rounds.length, dirty, true);
    sink.vcpu(guest.saveState());
    sink.end();
  } catch (e) {
    stopLogging();
    return { ok: false, error: fail('EIO', 'migrate', 'stream', (e as Error).message) };
  }
  return { ok: true, report: { rounds, pagesSent: rounds.reduce((a, r) => a + r.pages, 0), guestBytes, withoutTags: !withTags, verify: null, ms: performance.now() - t0 } };
}

export interface TargetOptions extends VmmOptions {
  /** Host for the destination (default: a fresh host with the description's capabilities). */
  host?: Host;
}

/**
 * The destination side: recreates the VM from the header's description (memslots without dirty
 * logging, so COPY_TAGS TO_GUEST is allowed), writes pages through the VMM's mapping, restores
 * tags with KVM_ARM_MTE_COPY_TAGS TO_GUEST, then creates the guest and loads its state.
 */
export class MigrationTarget implements MigrationSink {
  vmm: Vmm | null = null;
  guest: HvGuest | null = null;
  withTags = false;
  private state: Uint8Array | null = null;
  private cfg: VmConfig | null = null;
  /** Pending TO_GUEST batch: first gfn and packed tags per page. */
  private batchStart = -1;
  private batchLen = 0;
  private tagBuf = new Uint8Array(GRANULES_PER_PAGE * 64);
  pages = 0;
  done = false;

  constructor(private readonly factory: HvGuestFactory, private readonly opts: TargetOptions = {}) {}

  header(h: MigrationHeader): void {
    const cfg = parseVmDescription(h.config, 'migration stream header.config');
    this.cfg = cfg;
    this.withTags = h.withTags;
    // Dirty logging is only enabled after the incoming data and tags are in place.
    // The destination VM is named after the source with a generation suffix: vm0 -> vm0#1 -> vm0#2.
    const m = /^(.*)#(\d+)$/.exec(cfg.name);
    const name = m ? `${m[1]}#${Number(m[2]) + 1}` : `${cfg.name}#1`;
    const incoming: VmConfig = { ...cfg, name, private: [], memory: cfg.memory.map(r => ({ ...r, dirtyLog: false })) };
    this.vmm = new Vmm(incoming, this.opts);
    // Like QEMU -incoming, the destination machine is fully built (the guest may load its image
    // into RAM) before the migrated pages overwrite that RAM; it only runs after loadState.
    this.guest = this.factory(this.vmm.vm, 'incoming');
  }

  private slotFor(gfn: number): Memslot {
    const s = this.vmm!.vm.findSlot(gfn);
    if (s === undefined) throw new Error(`migration stream: page ${hex(gfn * PAGE_SIZE)} is outside the destination's memslots`);
    return s;
  }

  page(gfn: number, data: Uint8Array, tags: Uint8Array | null): void {
    const vmm = this.vmm;
    if (vmm === null) throw new Error('migration stream: page before header');
    const s = this.slotFor(gfn);
    const hp = vmm.mm.faultInPage(s.userspaceAddr + (gfn - s.baseGfn) * PAGE_SIZE, true, gfn);
    if (hp === null) throw new Error(`migration stream: cannot write ${hex(gfn * PAGE_SIZE)}: ${vmm.mm.faultWhy}`);
    const p = hp.page;
    p.data.set(data);
    p.dataWritten();
    this.pages++;
    if (this.withTags && (tags !== null || (p.mteTagged && p.tags !== null))) this.queueTags(gfn, tags);
  }

  zero(gfn: number): void {
    const vmm = this.vmm;
    if (vmm === null) throw new Error('migration stream: page before header');
    const s = this.slotFor(gfn);
    const hva = s.userspaceAddr + (gfn - s.baseGfn) * PAGE_SIZE;
    const pk = vmm.mm.peek(hva);
    this.pages++;
    if (pk === undefined || pk.entry === undefined) return; // never populated here: already zero
    const f = vmm.mm.faultIn(hva, true, gfn);
    if (!f.ok) throw new Error(`migration stream: cannot write ${hex(gfn * PAGE_SIZE)}: ${f.why}`);
    f.hp.page.data.fill(0);
    f.hp.page.dataWritten();
    if (this.withTags && f.hp.page.tags !== null) this.queueTags(gfn, null);
  }

  /** Adds a page's tags (one per byte, or null for all zero) to the pending TO_GUEST batch. */
  private queueTags(gfn: number, tags: Uint8Array | null): void {
    if (this.batchStart >= 0 && (gfn !== this.batchStart + this.batchLen || this.batchLen === 64)) this.flushTags();
    if (this.batchStart < 0) { this.batchStart = gfn; this.batchLen = 0; }
    const o = this.batchLen * GRANULES_PER_PAGE;
    if (tags === null) this.tagBuf.fill(0, o, o + GRANULES_PER_PAGE); else this.tagBuf.set(tags, o);
    this.batchLen++;
  }

  private flushTags(): void {
    if (this.batchStart < 0) return;
    const n = this.batchLen;
    const r = this.vmm!.vm.copyMteTags({ guestIpa: this.batchStart * PAGE_SIZE, length: n * PAGE_SIZE, buffer: this.tagBuf.subarray(0, n * GRANULES_PER_PAGE), flags: KVM_ARM_TAGS_TO_GUEST });
    if (!r.ok || r.value !== n * PAGE_SIZE) throw new Error(`migration stream: KVM_ARM_MTE_COPY_TAGS TO_GUEST at ${hex(this.batchStart * PAGE_SIZE)} failed: ${r.ok ? `only ${r.value} bytes` : r.message}`);
    this.batchStart = -1;
    this.batchLen = 0;
  }

  roundEnd(): void { this.flushTags(); }

  vcpu(state: Uint8Array): void { this.state = state; }

  end(): void {
    this.flushTags();
    const vmm = this.vmm;
    if (vmm === null || this.state === null) throw new Error('migration stream: ended without ' + (vmm === null ? 'a header' : 'vCPU state'));
    const guest = this.guest!;
    guest.loadState(this.state);
    vmm.vcpu.attach(guest);
    // Restore the description's dirty logging now that tags are in (TO_GUEST would be -EBUSY).
    for (const r of vmm.regions) {
      if (r.slot < 0 || !this.cfg!.memory[r.index].dirtyLog) continue;
      const s = vmm.vm.slots.get(r.slot)!;
      vmm.vm.setUserMemoryRegion2({ slot: s.id, flags: s.flags | KVM_MEM_LOG_DIRTY_PAGES, guestPhysAddr: s.baseGfn * PAGE_SIZE, memorySize: s.npages * PAGE_SIZE, userspaceAddr: s.userspaceAddr });
    }
    this.done = true;
  }
}

// ---- verification -------------------------------------------------------------------------------

/** A page's data and packed tags without side effects (no swap-in): null = all zero. */
export function peekGuestPage(vmm: Vmm, gfn: number): { data: Uint8Array | null; tags: Uint8Array | null } {
  const s = vmm.vm.findSlot(gfn);
  if (s === undefined) return { data: null, tags: null };
  if (vmm.vm.isPrivate(gfn) && s.gmem) {
    const e = s.gmem.pages.get(s.gmemPgoff + gfn - s.baseGfn);
    return e === undefined || typeof e === 'number' ? { data: null, tags: null } : { data: e.page.data, tags: null };
  }
  const pk = vmm.mm.peek(s.userspaceAddr + (gfn - s.baseGfn) * PAGE_SIZE);
  if (pk === undefined || pk.entry === undefined) return { data: null, tags: null };
  const e = pk.entry;
  if (typeof e === 'number') {
    const cached = vmm.host.swap.swapCache.get(e);
    if (cached) return { data: cached.page.data, tags: cached.page.mteTagged ? cached.page.tags : null };
    return { data: vmm.host.swap.read(e) ?? null, tags: vmm.host.swap.tagStore.get(e) ?? null };
  }
  return { data: e.page.data, tags: e.page.mteTagged ? e.page.tags : null };
}

function sameBytes(a: Uint8Array | null, b: Uint8Array | null, n: number): boolean {
  if (a === b) return true;
  if (a === null) return b!.every(x => x === 0);
  if (b === null) return a.every(x => x === 0);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Compares data and tags of every page of every memslot on both sides. */
export function verifyMigration(src: Vmm, dst: Vmm, compareTags = true): VerifyReport {
  const gfns = new Set<number>([...populatedGfns(src), ...populatedGfns(dst)]);
  const rep: VerifyReport = { pages: gfns.size, dataMismatches: 0, tagMismatches: 0, first: [] };
  for (const g of [...gfns].sort((a, b) => a - b)) {
    const a = peekGuestPage(src, g), b = peekGuestPage(dst, g);
    if (!sameBytes(a.data, b.data, PAGE_SIZE)) { rep.dataMismatches++; if (rep.first.length < 8) rep.first.push({ gpa: g * PAGE_SIZE, what: 'data' }); }
    if (compareTags && !sameBytes(a.tags, b.tags, TAG_BYTES_PER_PAGE)) { rep.tagMismatches++; if (rep.first.length < 8) rep.first.push({ gpa: g * PAGE_SIZE, what: 'tags' }); }
  }
  return rep;
}

// ---- complete migrations ------------------------------------------------------------------------

export interface MigrateResult { vmm: Vmm; guest: HvGuest; report: MigrationReport }

/** Fans one source's records out to several sinks (e.g. a stream writer and a byte counter). */
export class TeeSink implements MigrationSink {
  constructor(private readonly sinks: MigrationSink[]) {}
  header(h: MigrationHeader): void { for (const s of this.sinks) s.header(h); }
  page(gfn: number, data: Uint8Array, tags: Uint8Array | null): void { for (const s of this.sinks) s.page(gfn, data, tags); }
  zero(gfn: number): void { for (const s of this.sinks) s.zero(gfn); }
  roundEnd(round: number, pages: number): void { for (const s of this.sinks) s.roundEnd(round, pages); }
  vcpu(state: Uint8Array): void { for (const s of this.sinks) s.vcpu(state); }
  end(): void { for (const s of this.sinks) s.end(); }
}

function finish(src: Vmm, target: MigrationTarget, report: MigrationReport, verify: boolean): MigrateResult {
  const dst = target.vmm!;
  if (verify) {
    report.verify = verifyMigration(src, dst);
    const v = report.verify;
    dst.events.emit('migration-verify', dst.vm.name, v.first[0]?.gpa ?? -1, dst.vm.lastPc,
      `verification: ${v.pages} page(s) compared, ${v.dataMismatches} data and ${v.tagMismatches} tag mismatch(es)${report.withoutTags && v.tagMismatches > 0 ? ' (expected: migrated without tags)' : ''}`,
      { pages: v.pages, dataMismatches: v.dataMismatches, tagMismatches: v.tagMismatches });
  }
  src.vm.destroy();
  // The event bus (and a --trace-hv subscription on it) carries on with the destination.
  dst.vm.lastPc = target.guest!.pc;
  dst.events.emit('migration-complete', dst.vm.name, -1, dst.vm.lastPc,
    `guest continues on ${dst.vm.name} after ${report.rounds.length} round(s), ${report.pagesSent} page(s)${report.withoutTags ? ' WITHOUT tags: pages will be sanitised to tag 0 at their first stage-2 fault' : ''}`,
    { rounds: report.rounds.length, pages: report.pagesSent });
  return { vmm: dst, guest: target.guest!, report };
}

/** Migrates to a fresh destination VMM (a new host) in this process, records passed directly. */
export function migrateInProcess(src: Vmm, guest: HvGuest, factory: HvGuestFactory, opts: MigrationOptions & { verify?: boolean; target?: TargetOptions } = {}): HvResult<MigrateResult> & { exit?: VmExit } {
  const target = new MigrationTarget(factory, { events: src.events, ...opts.target });
  const r = precopy(src, guest, target, opts);
  if (!r.ok) return r.error ? r.error : { ...fail('EINTR', 'migrate', 'guest', `guest stopped during pre-copy (${r.exit!.reason})`), exit: r.exit };
  return ok(finish(src, target, r.report, opts.verify !== false));
}

/** Completes a migration whose destination was fed by a stream reader. */
export function completeMigration(src: Vmm, target: MigrationTarget, report: MigrationReport, verify = true): MigrateResult {
  if (!target.done) throw new Error('migration stream did not reach its END record');
  return finish(src, target, report, verify);
}

// The VMM's --migrate-every hook: through the byte-stream format, in memory.
registerMigrateHook((src, guest, factory, opts: VmmRunOptions) => {
  const via = opts.migrateVia ?? 'stream';
  const mopts: MigrationOptions = { withoutTags: opts.migrateWithoutTags, step: n => src.vcpu.run(n), roundInsns: Math.max(1, Math.min(5000, Math.floor((opts.migrateEvery ?? 20000) / 4))) };
  if (via === 'direct') {
    const r = migrateInProcess(src, guest, factory, mopts);
    if (r.ok) return r.value;
    return { cancelled: r.exit ?? { reason: 'error', ret: r.code, errno: r.errno, message: r.message, gpa: -1, pc: src.vm.lastPc } };
  }
  // Lazy: stream.ts imports this module.
  const r = streamHook!(src, guest, factory, mopts);
  return r;
});

type StreamHook = (src: Vmm, guest: HvGuest, factory: HvGuestFactory, opts: MigrationOptions) => MigrateResult | { cancelled: VmExit };
let streamHook: StreamHook | null = null;
export function registerStreamHook(fn: StreamHook): void { streamHook = fn; }

export type { HvEventBus };
