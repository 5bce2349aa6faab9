// `npm run bench`: prints figures; never asserts on time. Sections appear as their modules exist.
import { benchRegisters } from './registers';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const want = (name: string) => only.length === 0 || only.includes(name);
  if (want('registers')) {
    const r = benchRegisters();
    console.log(`registers: bigint closures ${r.bigint.toFixed(1)} MIPS, hi/lo int32 closures ${r.hilo.toFixed(1)} MIPS, ratio ${r.ratio.toFixed(2)}`);
  }
  if (want('adapter')) {
    // The debug adapter's figures (bench/adapter.ts; needs dist/adapter.js, which `npm run bench` builds).
    const { benchAdapter, formatAdapterBench } = await import('./adapter');
    for (const line of formatAdapterBench(await benchAdapter())) console.log(line);
  }
}
main().catch(e => { console.error(e); process.exit(1); });
