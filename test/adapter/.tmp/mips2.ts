import { loadProgram } from '../../../emulator/cli/program';
import { LinuxProcess } from '../../../emulator/linux/process';
import { A64 } from '../../../emulator/isa/table';
import { CountingDecoder } from '../../../emulator/debug/history';
import { TagProvenance } from '../../../emulator/debug/provenance';
const program = loadProgram('/tmp/tv/mloop.s');
function go(label: string, mk: () => LinuxProcess) {
  const p = mk(); const t0 = performance.now(); p.run(); console.log(label.padEnd(14), (p.steps / (performance.now() - t0) / 1000).toFixed(1));
}
const ctr = { seq: 0 };
for (let k = 0; k < 3; k++) {
  go('bare', () => new LinuxProcess(program.elf, { path: '/tmp/tv/mloop.s', seed: 1 }));
  go('counting', () => new LinuxProcess(program.elf, { path: '/tmp/tv/mloop.s', seed: 1, decoder: new CountingDecoder(A64, ctr) }));
  go('taghook-empty', () => { const p = new LinuxProcess(program.elf, { path: '/tmp/tv/mloop.s', seed: 1 }); p.mmu.hooks.beforeTagWrite = () => {}; return p; });
  go('taghook-prov', () => { const p = new LinuxProcess(program.elf, { path: '/tmp/tv/mloop.s', seed: 1 }); const pv = new TagProvenance(); p.mmu.hooks.beforeTagWrite = (pg, g, o, n, va) => pv.note(pg, g, 1, p.cpu.pc, o, n, va, 0); return p; });
}
