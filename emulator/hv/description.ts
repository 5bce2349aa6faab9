// The VM description: a JSON document (the `vm` section of the debugger's launch configuration,
// the CLI's `--vm FILE`) validated into a VmConfig. Every error names the field, e.g.
//   vm.memory[1].backing: expected one of "anon", "memfd", "dax", "pfnmap", "mmio"
import * as pageConsts from '../memory/page';
// Local copies: an imported binding is a getter call per use under the CJS test/bench loader.
const { PAGE_SIZE } = pageConsts;
import { KVM_PHYS_SHIFT_DEFAULT } from './constants';

export type SlotBacking = 'anon' | 'memfd' | 'dax' | 'pfnmap';
export type RegionBacking = SlotBacking | 'mmio';
const BACKINGS: readonly RegionBacking[] = ['anon', 'memfd', 'dax', 'pfnmap', 'mmio'];
const SLOT_BACKINGS: readonly SlotBacking[] = ['anon', 'memfd', 'dax', 'pfnmap'];

export interface RegionConfig {
  /** Name shown in events and the debugger. */
  name: string;
  /** Guest-physical base address (page aligned). */
  gpa: number;
  /** Size in bytes (page multiple). */
  size: number;
  backing: RegionBacking;
  /** The VMM maps it with PROT_MTE (needs VM_MTE_ALLOWED: anon or memfd). */
  protMte: boolean;
  /** KVM_MEM_READONLY. */
  readonly: boolean;
  /** KVM_MEM_LOG_DIRTY_PAGES from the start. */
  dirtyLog: boolean;
  /** pfnmap: the BAR is mapped cacheable (a coherent device memory driver) instead of Device-nGnRnE. */
  cacheable: boolean;
  /** pfnmap: VM_ALLOW_ANY_UNCACHED (vfio-pci sets it), so stage 2 may use Normal-NC. */
  allowAnyUncached: boolean;
  /** A private-capable slot: KVM_MEM_GUEST_MEMFD with a guest_memfd as private backing. */
  guestMemfd: boolean;
  /** Listed as RAM in the guest's memory map (the runtime may allocate page frames from it). */
  ram: boolean;
  /**
   * After creating the memslot the VMM mmaps this over the slot's hva range (MAP_FIXED) — the
   * "VMM changes the memory behind a live slot" case KVM re-checks at fault time.
   */
  replacedBy: { backing: SlotBacking; cacheable: boolean; allowAnyUncached: boolean; protMte: boolean } | null;
}

export interface VmConfig {
  name: string;
  /** KVM_CAP_ARM_MTE. */
  mte: boolean;
  ipaBits: number;
  /** 'protected': a VM type with private memory (guest_memfd, KVM_MEMORY_ATTRIBUTE_PRIVATE). */
  type: 'default' | 'protected';
  /** Debug policy for private memory. */
  debug: 'allow' | 'deny';
  host: { mte: boolean; fwb: boolean; dic: boolean; ipaLimit: number; swapSlots: number };
  memory: RegionConfig[];
  /** Ranges made private at boot (KVM_SET_MEMORY_ATTRIBUTES); must lie in guestMemfd regions. */
  private: { gpa: number; size: number }[];
  swap: {
    /** memory.high-like limit on resident guest pages (null: none). */
    limitPages: number | null;
    /** Swap out every resident guest page every N guest instructions (null: never). */
    every: number | null;
    /** Reproduce the rejected design: free saved tags when they are restored. */
    freeTagsOnRestore: boolean;
  };
  dirtyLog: { manualProtect: boolean; initiallySet: boolean };
  /** Stress migration policy (the CLI's --migrate-every / --migrate-without-tags override it). */
  migration: {
    /** Live-migrate every N guest instructions (null: never). */
    every: number | null;
    /** The broken VMM: do not transfer tags. */
    withoutTags: boolean;
    /** 'stream': through the binary stream format (in memory); 'direct': records passed in process. */
    via: 'stream' | 'direct';
  };
}

export class VmDescriptionError extends Error {
  constructor(readonly path: string, readonly problem: string, source?: string) {
    super(`${source ? source + ': ' : ''}${path}: ${problem}`);
    this.name = 'VmDescriptionError';
  }
}

const q = (s: string) => JSON.stringify(s);

/** Parses "0x40000000", "256M", "4GiB", "64K", 4096 ... into bytes. */
export function parseSize(v: unknown, path: string): number {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw new VmDescriptionError(path, `expected a non-negative integer, got ${v}`);
    return v;
  }
  if (typeof v !== 'string') throw new VmDescriptionError(path, `expected a number or a string like "0x40000000" or "256M", got ${typeof v}`);
  const m = /^\s*(0x[0-9a-f_]+|\d[\d_]*)\s*([kmgt]?)(i?b)?\s*$/i.exec(v);
  if (!m) throw new VmDescriptionError(path, `cannot parse ${q(v)} as a size (examples: "0x40000000", "256M", "4GiB", 65536)`);
  const base = Number(m[1].replace(/_/g, ''));
  const mult = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const n = base * mult;
  if (!Number.isSafeInteger(n)) throw new VmDescriptionError(path, `${q(v)} is too large`);
  return n;
}

function obj(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new VmDescriptionError(path, `expected an object, got ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}`);
  return v as Record<string, unknown>;
}

function onlyKeys(o: Record<string, unknown>, path: string, keys: string[]): void {
  for (const k of Object.keys(o)) {
    if (!keys.includes(k)) throw new VmDescriptionError(`${path}.${k}`, `unknown field (expected one of ${keys.map(q).join(', ')})`);
  }
}

function bool(o: Record<string, unknown>, k: string, path: string, dflt: boolean): boolean {
  const v = o[k];
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new VmDescriptionError(`${path}.${k}`, `expected true or false, got ${JSON.stringify(v)}`);
  return v;
}

function oneOf<T extends string>(o: Record<string, unknown>, k: string, path: string, allowed: readonly T[], dflt?: T): T {
  const v = o[k];
  if (v === undefined) {
    if (dflt !== undefined) return dflt;
    throw new VmDescriptionError(`${path}.${k}`, `missing (expected one of ${allowed.map(q).join(', ')})`);
  }
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    throw new VmDescriptionError(`${path}.${k}`, `expected one of ${allowed.map(q).join(', ')}${typeof v === 'string' ? `, got ${q(v)}` : ''}`);
  }
  return v as T;
}

function int(o: Record<string, unknown>, k: string, path: string, min: number, max: number): number | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new VmDescriptionError(`${path}.${k}`, `expected an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  return v;
}

function pageAligned(n: number, path: string, what: string): void {
  if (n % PAGE_SIZE !== 0) throw new VmDescriptionError(path, `${what} 0x${n.toString(16)} is not a multiple of the 4 KiB page size`);
}

/**
 * Validates a VM description (already parsed JSON) into a VmConfig. `path` is the name of the
 * object in error messages ("vm" for the launch configuration's `vm` section); `source` (e.g.
 * the file name) prefixes messages.
 */
export function parseVmDescription(json: unknown, path = 'vm', source?: string): VmConfig {
  try {
    return parse(json, path);
  } catch (e) {
    if (e instanceof VmDescriptionError && source) throw new VmDescriptionError(e.path, e.problem, source);
    throw e;
  }
}

/** Parses JSON text (errors name the line and column of syntax errors). */
export function parseVmDescriptionText(text: string, source = 'vm description'): VmConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /position (\d+)/.exec(msg);
    if (m) {
      const pos = Number(m[1]);
      const before = text.slice(0, pos);
      const line = before.split('\n').length, col = pos - before.lastIndexOf('\n');
      throw new VmDescriptionError(`${source}:${line}:${col}`, `invalid JSON: ${msg.replace(/ in JSON at position \d+.*$/, '')}`);
    }
    throw new VmDescriptionError(source, `invalid JSON: ${msg}`);
  }
  return parseVmDescription(json, 'vm', source);
}

function parse(json: unknown, path: string): VmConfig {
  const o = obj(json, path);
  onlyKeys(o, path, ['name', 'mte', 'ipaBits', 'type', 'debug', 'host', 'memory', 'private', 'swap', 'dirtyLog', 'migration', '$comment', 'description']);
  const name = o.name === undefined ? 'vm0' : typeof o.name === 'string' && o.name !== '' ? o.name : (() => { throw new VmDescriptionError(`${path}.name`, 'expected a non-empty string'); })();
  const mte = bool(o, 'mte', path, true);
  const ipaBits = int(o, 'ipaBits', path, 32, 52) ?? KVM_PHYS_SHIFT_DEFAULT;
  const type = oneOf(o, 'type', path, ['default', 'protected'] as const, 'default');
  const debug = oneOf(o, 'debug', path, ['allow', 'deny'] as const, 'deny');

  const h = o.host === undefined ? {} : obj(o.host, `${path}.host`);
  onlyKeys(h, `${path}.host`, ['mte', 'fwb', 'dic', 'ipaLimit', 'swapSlots']);
  const host = {
    mte: bool(h, 'mte', `${path}.host`, true), fwb: bool(h, 'fwb', `${path}.host`, true), dic: bool(h, 'dic', `${path}.host`, true),
    ipaLimit: int(h, 'ipaLimit', `${path}.host`, 32, 52) ?? 48,
    swapSlots: int(h, 'swapSlots', `${path}.host`, 1, 2 ** 30) ?? (1 << 20),
  };

  if (!Array.isArray(o.memory)) throw new VmDescriptionError(`${path}.memory`, o.memory === undefined ? 'missing (an array of memory regions)' : 'expected an array of memory regions');
  if (o.memory.length === 0) throw new VmDescriptionError(`${path}.memory`, 'needs at least one region');
  const memory = o.memory.map((r, i) => region(r, `${path}.memory[${i}]`, i, type));
  // Region overlap (KVM would say -EEXIST for slots; MMIO holes are the VMM's own map).
  for (let i = 0; i < memory.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = memory[i], b = memory[j];
      if (a.gpa < b.gpa + b.size && b.gpa < a.gpa + a.size) {
        throw new VmDescriptionError(`${path}.memory[${i}].gpa`, `[0x${a.gpa.toString(16)}, 0x${(a.gpa + a.size).toString(16)}) overlaps ${path}.memory[${j}] ("${b.name}")`);
      }
    }
    if (memory.findIndex(m => m.name === memory[i].name) !== i) throw new VmDescriptionError(`${path}.memory[${i}].name`, `duplicate region name ${q(memory[i].name)}`);
  }

  const priv: { gpa: number; size: number }[] = [];
  if (o.private !== undefined) {
    if (!Array.isArray(o.private)) throw new VmDescriptionError(`${path}.private`, 'expected an array of { "gpa", "size" } ranges');
    o.private.forEach((p, i) => {
      const pp = `${path}.private[${i}]`;
      const r = obj(p, pp);
      onlyKeys(r, pp, ['gpa', 'size']);
      if (r.gpa === undefined) throw new VmDescriptionError(`${pp}.gpa`, 'missing');
      if (r.size === undefined) throw new VmDescriptionError(`${pp}.size`, 'missing');
      const gpa = parseSize(r.gpa, `${pp}.gpa`), size = parseSize(r.size, `${pp}.size`);
      pageAligned(gpa, `${pp}.gpa`, 'address');
      pageAligned(size, `${pp}.size`, 'size');
      if (size === 0) throw new VmDescriptionError(`${pp}.size`, 'must not be 0');
      if (type !== 'protected') throw new VmDescriptionError(pp, 'private memory needs "type": "protected"');
      const host = memory.find(m => gpa >= m.gpa && gpa + size <= m.gpa + m.size);
      if (!host || !host.guestMemfd) throw new VmDescriptionError(pp, `[0x${gpa.toString(16)}, 0x${(gpa + size).toString(16)}) must lie inside one region with "guestMemfd": true`);
      priv.push({ gpa, size });
    });
  }

  const s = o.swap === undefined ? {} : obj(o.swap, `${path}.swap`);
  onlyKeys(s, `${path}.swap`, ['limit', 'every', 'freeTagsOnRestore']);
  let limitPages: number | null = null;
  if (s.limit !== undefined) {
    const lim = parseSize(s.limit, `${path}.swap.limit`);
    pageAligned(lim, `${path}.swap.limit`, 'limit');
    if (lim < 4 * PAGE_SIZE) throw new VmDescriptionError(`${path}.swap.limit`, 'must be at least 16K (4 pages): a guest instruction can touch 4 pages');
    limitPages = lim / PAGE_SIZE;
  }
  const every = int(s, 'every', `${path}.swap`, 1, Number.MAX_SAFE_INTEGER) ?? null;
  const swap = { limitPages, every, freeTagsOnRestore: bool(s, 'freeTagsOnRestore', `${path}.swap`, false) };

  const d = o.dirtyLog === undefined ? {} : obj(o.dirtyLog, `${path}.dirtyLog`);
  onlyKeys(d, `${path}.dirtyLog`, ['manualProtect', 'initiallySet']);
  const dirtyLog = { manualProtect: bool(d, 'manualProtect', `${path}.dirtyLog`, false), initiallySet: bool(d, 'initiallySet', `${path}.dirtyLog`, false) };
  if (dirtyLog.initiallySet && !dirtyLog.manualProtect) throw new VmDescriptionError(`${path}.dirtyLog.initiallySet`, 'needs "manualProtect": true (KVM_DIRTY_LOG_INITIALLY_SET is a flag of KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2)');

  const mg = o.migration === undefined ? {} : obj(o.migration, `${path}.migration`);
  onlyKeys(mg, `${path}.migration`, ['every', 'withoutTags', 'via']);
  const migration = {
    every: int(mg, 'every', `${path}.migration`, 1, Number.MAX_SAFE_INTEGER) ?? null,
    withoutTags: bool(mg, 'withoutTags', `${path}.migration`, false),
    via: oneOf(mg, 'via', `${path}.migration`, ['stream', 'direct'] as const, 'stream'),
  };
  if (migration.withoutTags && migration.every === null) throw new VmDescriptionError(`${path}.migration.withoutTags`, 'needs "every": N (it changes how those migrations transfer memory)');
  if (migration.every !== null && type === 'protected') throw new VmDescriptionError(`${path}.migration.every`, 'a protected VM cannot be migrated by the VMM (its private memory is not readable)');

  return { name, mte, ipaBits, type, debug, host, memory, private: priv, swap, dirtyLog, migration };
}

function region(v: unknown, path: string, index: number, type: 'default' | 'protected'): RegionConfig {
  const o = obj(v, path);
  onlyKeys(o, path, ['name', 'gpa', 'size', 'backing', 'prot_mte', 'readonly', 'dirtyLog', 'cacheable', 'allowAnyUncached', 'guestMemfd', 'ram', 'replacedBy', '$comment']);
  const backing = oneOf(o, 'backing', path, BACKINGS);
  if (o.gpa === undefined) throw new VmDescriptionError(`${path}.gpa`, 'missing (guest-physical base address)');
  if (o.size === undefined) throw new VmDescriptionError(`${path}.size`, 'missing');
  const gpa = parseSize(o.gpa, `${path}.gpa`);
  const size = parseSize(o.size, `${path}.size`);
  pageAligned(gpa, `${path}.gpa`, 'address');
  pageAligned(size, `${path}.size`, 'size');
  if (size === 0) throw new VmDescriptionError(`${path}.size`, 'must not be 0');
  const name = o.name === undefined ? `${backing}${index}` : typeof o.name === 'string' && o.name !== '' ? o.name : (() => { throw new VmDescriptionError(`${path}.name`, 'expected a non-empty string'); })();
  const protMte = bool(o, 'prot_mte', path, false);
  const guestMemfd = bool(o, 'guestMemfd', path, false);
  const cacheableSet = o.cacheable !== undefined, anyUcSet = o.allowAnyUncached !== undefined;
  const cacheable = bool(o, 'cacheable', path, false);
  const allowAnyUncached = bool(o, 'allowAnyUncached', path, true);
  if (backing !== 'pfnmap' && (cacheableSet || anyUcSet)) throw new VmDescriptionError(`${path}.${cacheableSet ? 'cacheable' : 'allowAnyUncached'}`, 'only applies to "backing": "pfnmap"');
  if (backing === 'mmio') {
    for (const k of ['prot_mte', 'readonly', 'dirtyLog', 'guestMemfd', 'replacedBy']) {
      if (o[k] !== undefined && o[k] !== false && o[k] !== null) throw new VmDescriptionError(`${path}.${k}`, 'does not apply to an MMIO hole (it has no memslot)');
    }
  }
  if (guestMemfd && type !== 'protected') throw new VmDescriptionError(`${path}.guestMemfd`, 'needs "type": "protected" (only VM types with private memory accept KVM_MEM_GUEST_MEMFD)');
  if (guestMemfd && backing !== 'anon' && backing !== 'memfd') throw new VmDescriptionError(`${path}.guestMemfd`, `the shared backing of a guest_memfd slot must be "anon" or "memfd", not ${q(backing)}`);
  let replacedBy: RegionConfig['replacedBy'] = null;
  if (o.replacedBy !== undefined && o.replacedBy !== null) {
    const rp = `${path}.replacedBy`;
    const r = obj(o.replacedBy, rp);
    onlyKeys(r, rp, ['backing', 'cacheable', 'allowAnyUncached', 'prot_mte']);
    const rb = oneOf(r, 'backing', rp, SLOT_BACKINGS);
    if (rb !== 'pfnmap' && (r.cacheable !== undefined || r.allowAnyUncached !== undefined)) throw new VmDescriptionError(`${rp}.${r.cacheable !== undefined ? 'cacheable' : 'allowAnyUncached'}`, 'only applies to "backing": "pfnmap"');
    replacedBy = { backing: rb, cacheable: bool(r, 'cacheable', rp, false), allowAnyUncached: bool(r, 'allowAnyUncached', rp, true), protMte: bool(r, 'prot_mte', rp, false) };
  }
  const ramDefault = backing === 'anon' || backing === 'memfd';
  return {
    name, gpa, size, backing, protMte, readonly: bool(o, 'readonly', path, false), dirtyLog: bool(o, 'dirtyLog', path, false),
    cacheable, allowAnyUncached, guestMemfd, ram: bool(o, 'ram', path, ramDefault), replacedBy,
  };
}

/** A default description: one MTE-capable anonymous RAM slot of `size` at 1 GiB (QEMU virt's RAM base). */
export function defaultVmConfig(size = 256 * 2 ** 20): VmConfig {
  return parseVmDescription({ name: 'vm0', mte: true, memory: [{ name: 'ram', gpa: 0x4000_0000, size, backing: 'anon' }] });
}

/** The config back as JSON (for the migration stream header). */
export function vmConfigToJson(c: VmConfig): unknown {
  return {
    name: c.name, mte: c.mte, ipaBits: c.ipaBits, type: c.type, debug: c.debug, host: c.host,
    memory: c.memory.map(r => ({
      name: r.name, gpa: r.gpa, size: r.size, backing: r.backing,
      ...(r.backing !== 'mmio' ? { prot_mte: r.protMte, readonly: r.readonly, dirtyLog: r.dirtyLog, guestMemfd: r.guestMemfd } : {}),
      ...(r.backing === 'pfnmap' ? { cacheable: r.cacheable, allowAnyUncached: r.allowAnyUncached } : {}),
      ram: r.ram,
      ...(r.replacedBy ? { replacedBy: { backing: r.replacedBy.backing, prot_mte: r.replacedBy.protMte, ...(r.replacedBy.backing === 'pfnmap' ? { cacheable: r.replacedBy.cacheable, allowAnyUncached: r.replacedBy.allowAnyUncached } : {}) } } : {}),
    })),
    private: c.private,
    swap: { ...(c.swap.limitPages !== null ? { limit: c.swap.limitPages * PAGE_SIZE } : {}), ...(c.swap.every !== null ? { every: c.swap.every } : {}), freeTagsOnRestore: c.swap.freeTagsOnRestore },
    dirtyLog: c.dirtyLog,
    migration: { ...(c.migration.every !== null ? { every: c.migration.every } : {}), withoutTags: c.migration.withoutTags, via: c.migration.via },
  };
}
