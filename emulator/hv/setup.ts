// Entry points for the CLI and the debug adapter: build a VM from a description and run a guest
// in it with the stress options. See README.md ("Wiring") for how the CLI calls these.
import { readFileSync } from 'node:fs';
import { type VmConfig, VmDescriptionError, parseVmDescription, parseVmDescriptionText } from './description';
import { Vmm, type VmmOptions, type VmmRunOptions } from './vmm';
import './stream'; // registers the byte-stream migration used by --migrate-every

/**
 * Creates the host, the VM (KVM_CAP_ARM_MTE, memslots, private attributes, vCPU 0) and the VMM
 * from a VM description: a parsed VmConfig, or raw JSON (validated; errors name the field).
 * Throws VmDescriptionError for invalid descriptions and HvError when KVM refuses something
 * (the message starts with the description field, e.g. "vm.memory[1]: KVM_SET_USER_MEMORY_REGION2: ...").
 */
export function createVmFromDescription(desc: VmConfig | unknown, opts: VmmOptions = {}): Vmm {
  const cfg = isVmConfig(desc) ? desc : parseVmDescription(desc);
  return new Vmm(cfg, opts);
}

/** Reads and validates a description file (the CLI's --vm FILE). */
export function loadVmDescriptionFile(path: string): VmConfig {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) { throw new VmDescriptionError(path, `cannot read: ${(e as Error).message}`); }
  return parseVmDescriptionText(text, path);
}

function isVmConfig(d: unknown): d is VmConfig {
  if (typeof d !== 'object' || d === null) return false;
  const m = (d as { memory?: unknown }).memory;
  return Array.isArray(m) && m.length > 0 && typeof (m[0] as { protMte?: unknown }).protMte === 'boolean'
    && typeof (d as { swap?: { limitPages?: unknown } }).swap === 'object';
}

/** The hypervisor options of the CLI, parsed from its argv (unknown flags are left alone). */
export interface HvCliOptions {
  vmFile: string | null;
  swapEvery: number | null;
  migrateEvery: number | null;
  migrateWithoutTags: boolean;
  traceHv: boolean;
}

/**
 * Extracts --vm FILE, --swap-every N, --migrate-every N, --migrate-without-tags and --trace-hv
 * (also in --flag=value form) from argv. Returns the options and the remaining arguments.
 * Throws an Error naming the flag for a missing or invalid value.
 */
export function parseHvCliOptions(argv: string[]): { options: HvCliOptions; rest: string[] } {
  const o: HvCliOptions = { vmFile: null, swapEvery: null, migrateEvery: null, migrateWithoutTags: false, traceHv: false };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag}: missing value`);
      return v;
    };
    const count = (): number => {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) <= 0) throw new Error(`${flag}: expected a positive number of instructions, got ${JSON.stringify(v)}`);
      return Number(v);
    };
    switch (flag) {
      case '--vm': o.vmFile = value(); break;
      case '--swap-every': o.swapEvery = count(); break;
      case '--migrate-every': o.migrateEvery = count(); break;
      case '--migrate-without-tags': o.migrateWithoutTags = true; break;
      case '--trace-hv': o.traceHv = true; break;
      default: rest.push(a);
    }
  }
  return { options: o, rest };
}

/**
 * VmmRunOptions for the CLI flags (pass to vmm.run). Flags override the description's `swap.every`
 * and `migration` settings; pass the VmConfig so --migrate-without-tags can rely on its interval.
 */
export function runOptionsFromCli(o: HvCliOptions, extra: VmmRunOptions = {}, cfg?: VmConfig): VmmRunOptions {
  if (o.migrateWithoutTags && o.migrateEvery === null && (cfg?.migration.every ?? null) === null) {
    throw new Error('--migrate-without-tags: needs --migrate-every N (or "migration": { "every": N } in the VM description)');
  }
  return {
    ...extra,
    ...(o.swapEvery !== null ? { swapEvery: o.swapEvery } : {}),
    ...(o.migrateEvery !== null ? { migrateEvery: o.migrateEvery } : {}),
    ...(o.migrateWithoutTags ? { migrateWithoutTags: true } : {}),
  };
}
