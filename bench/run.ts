// `npm run bench`: prints figures; never asserts on time. Sections appear as their modules exist.
//   npm run bench [-- SECTION...] [-- --iterations=N]
// Sections: registers (bigint vs hi/lo register files), cpu (bench/programs loops, ours vs QEMU),
// hv (bench/hv.ts: the MTE loop under the hypervisor's stage 2), adapter (bench/adapter.ts: speed
// under the debug adapter with breakpoints), simd (bench/simd.ts: glibc string routines and doubles
// in C, compiled blocks on vs off).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { benchRegisters } from './registers';
import { benchCpu, formatLoop } from './cpu';
import { benchSimd, formatSimdBench } from './simd';

const SECTIONS = ['registers', 'cpu', 'hv', 'adapter', 'simd'];

/** Prints what a section's function returned: text, lines, or an object (one `key: value` per line). */
function print(section: string, r: unknown): void {
  if (r === undefined || r === null) return;
  if (typeof r === 'string') { for (const l of r.split('\n')) if (l) console.log(l.startsWith(`${section} `) ? l : `${section}: ${l}`); return; }
  if (Array.isArray(r)) { for (const x of r) print(section, x); return; }
  if (typeof r === 'object') {
    for (const [k, v] of Object.entries(r as Record<string, unknown>)) {
      console.log(`${section}: ${k}: ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(2)) : typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
    }
    return;
  }
  console.log(`${section}: ${String(r)}`);
}

/**
 * Runs the exported benchmark function of bench/NAME.ts (`preferred`, else its default export,
 * else its only exported function) if the module exists, and prints its result (through the
 * module's format<Name>Bench if it has one); otherwise says so.
 */
async function optionalSection(section: string, preferred: string[]): Promise<void> {
  const file = join(__dirname, `${section}.ts`);
  if (!existsSync(file)) { console.log(`${section}: skipped (bench/${section}.ts does not exist yet)`); return; }
  const mod = await import(`./${section}`) as Record<string, unknown>;
  const fns = Object.entries(mod).filter(([, v]) => typeof v === 'function') as [string, (...a: unknown[]) => unknown][];
  const fn = preferred.map(n => mod[n]).find(v => typeof v === 'function') as ((...a: unknown[]) => unknown) | undefined
    ?? (typeof mod.default === 'function' ? mod.default as (...a: unknown[]) => unknown : undefined)
    ?? (fns.length === 1 ? fns[0][1] : undefined);
  if (!fn) { console.log(`${section}: skipped (bench/${section}.ts exports no benchmark function: expected ${preferred.join(' or ')})`); return; }
  const result = await fn();
  // A module may also export format<Section>Bench(result) -> lines.
  const fmt = mod[`format${section[0].toUpperCase()}${section.slice(1)}Bench`];
  print(section, typeof fmt === 'function' ? (fmt as (r: unknown) => unknown)(result) : result);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const iterArg = args.find(a => a.startsWith('--iterations='));
  const iterations = iterArg ? Number(iterArg.slice('--iterations='.length)) : undefined;
  const only = args.filter(a => !a.startsWith('--'));
  const unknown = only.filter(s => !SECTIONS.includes(s));
  if (unknown.length) throw new Error(`unknown bench section(s) ${unknown.join(', ')}; sections: ${SECTIONS.join(', ')}`);
  const want = (name: string) => only.length === 0 || only.includes(name);
  if (want('registers')) {
    const r = benchRegisters();
    console.log(`registers: bigint closures ${r.bigint.toFixed(1)} MIPS, hi/lo int32 closures ${r.hilo.toFixed(1)} MIPS, ratio ${r.ratio.toFixed(2)}`);
  }
  if (want('cpu')) {
    for (const f of benchCpu({ iterations })) console.log(formatLoop(f));
  }
  if (want('hv')) await optionalSection('hv', ['benchHv']);
  if (want('adapter')) await optionalSection('adapter', ['measureAdapter', 'benchAdapter']);
  if (want('simd')) for (const l of formatSimdBench(benchSimd({ rounds: iterations }))) console.log(l);
}
main().catch(e => { console.error(e); process.exit(1); });
