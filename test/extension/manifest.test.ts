// package.json's contributes, the scenarios behind the launch.json snippets, the F5 configuration
// logic, the hypervisor tree and .vscodeignore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildContributes } from '../../extension/manifest';
import { SCENARIOS, configurationSnippets } from '../../extension/debug/scenarios';
import { completeConfig, elfProblem, isAarch64Elf, kindByName } from '../../extension/debug/resolve';
import { parseRange, snapshotToNodes, sizeText, summary } from '../../extension/hypervisor/tree';
import { parseVmDescription } from '../../emulator/hv/description';
import { validateLaunchConfig } from '../../adapter/config';

const ROOT = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

test('package.json contributes is the generated one (run: node --import tsx extension/manifest.ts --write)', () => {
  assert.deepEqual(pkg.contributes, buildContributes());
});

test('every file the manifest names exists, and every command is registered by the extension', () => {
  const c = buildContributes() as Record<string, any>;
  const files = [
    c.languages[0].configuration, c.grammars[0].path, c.debuggers[0].program.replace('./dist/adapter.js', './adapter/main.ts'),
    ...c.walkthroughs[0].steps.map((s: any) => s.media.markdown),
  ];
  for (const f of files) assert.ok(existsSync(join(ROOT, f)), f);
  const src = readFileSync(join(ROOT, 'extension', 'extension.ts'), 'utf8');
  for (const cmd of c.commands) assert.ok(src.includes(`'${cmd.command}'`), `${cmd.command} is not registered`);
  const menuCommands = Object.values(c.menus).flat().map((m: any) => m.command);
  for (const m of menuCommands) assert.ok(c.commands.some((x: any) => x.command === m), `menu names unknown command ${m}`);
  assert.equal(pkg.main, './dist/extension.js');
  assert.match(pkg.engines.vscode, /^\^1\.91/);
  for (const e of pkg.activationEvents) assert.match(e, /tagvisor|onDebugInitialConfigurations/);
});

test('scenarios: one per example kind, each a valid launch configuration with a valid VM description', () => {
  assert.deepEqual(SCENARIOS.map(s => s.id), ['uaf', 'overflow', 'async', 'swap', 'migration', 'device', 'private']);
  for (const s of SCENARIOS) {
    const v = validateLaunchConfig(s.config, { baseDir: '/ws', resolve: (b, p) => join(b, p), dirname: p => p.replace(/\/[^/]*$/, '') });
    assert.deepEqual(v.unknownFields, [], s.id);
    if (s.config.vm) assert.doesNotThrow(() => parseVmDescription(s.config.vm), s.id);
    const prog = String(s.config.program).replace('${workspaceFolder}/', '');
    if (prog.endsWith('.s')) assert.ok(existsSync(join(ROOT, prog)), `${s.id}: ${prog} missing`);
    else assert.ok(existsSync(join(ROOT, prog + '.c')), `${s.id}: ${prog}.c missing`);
  }
  const sn = configurationSnippets();
  assert.equal(sn[0].body.program, '^"\\${workspaceFolder}/examples/use-after-free.s"');
  assert.equal(sn[3].body.type, 'tagvisor');
  // the VM descriptions are the examples' files, and a protected VM has no MTE (KVM refuses KVM_CAP_ARM_MTE)
  assert.deepEqual(SCENARIOS[3].config.vm, JSON.parse(readFileSync(join(ROOT, 'examples', 'vm-swap.json'), 'utf8')));
  assert.equal((sn[6].body.vm as any).type, 'protected');
  assert.equal((sn[6].body.vm as any).mte, false);
});

test('F5 without launch.json debugs the active .s/.S file or ELF with stop on entry', () => {
  assert.equal(kindByName('/a/b/uaf.s'), 'asm');
  assert.equal(kindByName('/a/b/uaf.S'), 'asm');
  assert.equal(kindByName('/a/b/uaf.c'), undefined);
  const elf = new Uint8Array(64);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  elf[18] = 183;
  assert.ok(isAarch64Elf(elf));
  elf[18] = 62;
  assert.ok(!isAarch64Elf(elf));
  assert.match(elfProblem(elf)!, /machine 62 \(x86-64\)/);
  assert.equal(elfProblem(new Uint8Array([1, 2, 3])), undefined);
  assert.deepEqual(completeConfig({}, { path: '/w/uaf.s', kind: 'asm' }),
    { config: { type: 'tagvisor', request: 'launch', name: 'Debug uaf.s', program: '/w/uaf.s', stopOnEntry: true } });
  assert.deepEqual(completeConfig({}, { path: '/w/prog', kind: 'elf' }),
    { config: { type: 'tagvisor', request: 'launch', name: 'Debug prog (ELF)', program: '/w/prog', stopOnEntry: true } });
  assert.match((completeConfig({}, { path: '/w/readme.md', kind: undefined }) as { error: string }).error, /Open an assembly file/);
  assert.match((completeConfig({}, undefined) as { error: string }).error, /Open an assembly file/);
  const given = { type: 'tagvisor', request: 'launch', name: 'x', program: '/p.s', stopOnEntry: false };
  assert.deepEqual(completeConfig(given, undefined), { config: given });
  assert.deepEqual(completeConfig({ type: 'tagvisor', request: 'launch', name: 'x' }, { path: '/w/a.S', kind: 'asm' }),
    { config: { type: 'tagvisor', request: 'launch', name: 'x', program: '/w/a.S', stopOnEntry: true } });
});

test('hypervisor tree: known sections in order, ranges for commands, everything else shown generically', () => {
  assert.deepEqual(snapshotToNodes({ vm: false, message: 'plain RAM' }).map(n => [n.label, n.description]), [['No VM', 'plain RAM']]);
  const nodes = snapshotToNodes({
    vm: true, name: 'vm0', mte: true, type: 'protected',
    swap: { swappedPages: 3, swapSlots: 1024 },
    memslots: [{ id: 0, name: 'ram', gpa: 0x40000000, size: 256 * 2 ** 20, backing: 'anon', taggedPages: 12 }],
    private: [{ gpa: '0x40000000', size: 1048576 }],
    stage2: { mappedPages: 40 },
    dirtyLog: { enabled: false },
    extra: { answer: 42 },
  });
  assert.deepEqual(nodes.map(n => n.label), ['VM', 'Memslots', 'Stage 2 (KVM)', 'Host memory and swap', 'Dirty log', 'Private ranges', 'extra']);
  assert.equal(nodes[0].description, 'name vm0, type protected, mte true');
  const slot = nodes[1].children![0];
  assert.equal(slot.label, 'ram');
  assert.equal(slot.contextValue, 'memslot');
  assert.equal(slot.description, '0x40000000 · 256 MiB · anon');
  assert.deepEqual(slot.range, { address: '0x40000000', size: 256 * 2 ** 20 });
  assert.ok(slot.children!.some(c => c.label === 'taggedPages' && c.description === '12'));
  const priv = nodes[5].children![0];
  assert.equal(priv.contextValue, 'privateRange');
  assert.deepEqual(priv.range, { address: '0x40000000', size: 1048576 });
  assert.deepEqual(nodes[6].children, [{ label: 'answer', description: '42' }]);
  assert.equal(sizeText(4096), '4 KiB');
  assert.equal(sizeText(100), '100 B');
});

test('ranges typed for hypervisor commands', () => {
  assert.deepEqual(parseRange('0x40000000 64K'), { address: 0x40000000, size: 65536 });
  assert.deepEqual(parseRange('0x40000000+0x2000'), { address: 0x40000000, size: 8192 });
  assert.deepEqual(parseRange('0x40000000-0x40100000'), { address: 0x40000000, size: 1 << 20 });
  assert.deepEqual(parseRange('1073741824, 4096'), { address: 0x40000000, size: 4096 });
  assert.deepEqual(parseRange('0x40000000 1MiB'), { address: 0x40000000, size: 1 << 20 });
  assert.match((parseRange('0x40000010 4K') as { error: string }).error, /not page aligned/);
  assert.match((parseRange('0x40000000 100') as { error: string }).error, /multiple of the 4 KiB/);
  assert.match((parseRange('0x40001000-0x40000000') as { error: string }).error, /not above/);
  assert.match((parseRange('somewhere') as { error: string }).error, /Expected/);
  assert.equal(summary({ message: 'swapped 16 pages' }), 'swapped 16 pages');
  assert.equal(summary({ pages: 3, verified: true, details: {} }), 'pages 3, verified true');
});

test('.vscodeignore keeps the VSIX to bundles and assets', () => {
  const lines = readFileSync(join(ROOT, '.vscodeignore'), 'utf8').split('\n').filter(l => l && !l.startsWith('#'));
  assert.equal(lines[0], '**', 'everything is excluded first');
  const kept = lines.slice(1);
  assert.ok(kept.every(l => l.startsWith('!')));
  for (const f of ['!dist/extension.js', '!dist/server.js', '!dist/adapter.js', '!dist/webview.js', '!extension/media/*', '!extension/syntaxes/*.json']) assert.ok(kept.includes(f), f);
  assert.ok(!kept.some(l => /\.map$|node_modules|\.ts$/.test(l)), 'no source maps, sources or node_modules');
});
