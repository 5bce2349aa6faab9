import { loadProgram } from '../../../emulator/cli/program';
import { Debuggee } from '../../../emulator/debug/debuggee';
const mk = (h: number) => new Debuggee({ program: loadProgram('/work/main/bench/programs/adapter-tags.s'), args: ['a1'], env: { E: 'v' }, cwd: '/work/main', seed: 3, historySize: h });
const d = mk(10_000_000);
d.resume({ kind: 'continue' }); let s; while (!(s = d.runFor(1000)));
const T = Number(process.argv[2] ?? 293901);
console.log(d.history!.checkpointSteps.slice(-4));
console.log(d.goToPosition(327700), d.goToPosition(T));
const r = mk(0); r.proc.run(T);
console.log('pos', d.position, r.position, 'pc', d.pc.toString(16), r.pc.toString(16));
for (let i = 0; i < 33; i++) if (d.cpu.x[i] !== r.cpu.x[i]) console.log('x' + i, d.cpu.x[i].toString(16), r.cpu.x[i].toString(16));
console.log('rgsr', d.cpu.rgsr, r.cpu.rgsr, 'nzcv', d.cpu.nzcv, r.cpu.nzcv);
const base = r.cpu.x[19];
const a = d.memory.readTags(base, 65536), b = r.memory.readTags(base, 65536);
let diff = 0, first = -1; for (let i = 0; i < 65536; i++) if (a[i] !== b[i]) { diff++; if (first < 0) first = i; }
console.log('tag diffs', diff, 'first', first, a[first], b[first]);
console.log('pages', d.proc.space.entries.size, r.proc.space.entries.size);
