import { readFileSync, writeFileSync } from 'node:fs';
import { loadProgram } from '../../../emulator/cli/program';
import { Debuggee } from '../../../emulator/debug/debuggee';
import { LinuxProcess } from '../../../emulator/linux/process';
const src = readFileSync('/work/main/bench/programs/mte-loop.s', 'utf8').replace(/\.equ\s+ITERATIONS,\s*[0-9]+/, '.equ ITERATIONS, 1000000');
writeFileSync('/tmp/tv/mloop.s', src);
const program = loadProgram('/tmp/tv/mloop.s');
function go(label: string, f: (d: Debuggee) => void, h = 0) {
  const d = new Debuggee({ program, args: [], env: {}, cwd: '/tmp', seed: 1, historySize: h });
  f(d);
  d.resume({ kind: 'continue' });
  const t0 = performance.now(); let s; while (!(s = d.runFor(1000)));
  console.log(label.padEnd(12), (d.position / (performance.now() - t0) / 1000).toFixed(1), s.reason);
}
const fail = program.elf.symbol('fail')!.value;
for (let k = 0; k < 2; k++) {
  const p = new LinuxProcess(program.elf, { path: '/tmp/tv/mloop.s', seed: 1 }); const t0 = performance.now(); p.run(); console.log('bare'.padEnd(12), (p.steps / (performance.now() - t0) / 1000).toFixed(1));
  go('none', () => {});
  go('bps', d => d.setBreakpoints(Array.from({ length: 10 }, (_, i) => fail + 4 * i)));
  go('watch', d => d.setWatchpoints([{ id: 1, start: 0x7000_0000_0000, length: 8, access: 'write' }]));
  go('history', () => {}, 200000);
}
