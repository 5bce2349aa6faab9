// The `contributes` section of package.json, generated from code so the parts that come from other
// modules cannot drift: the launch schema (adapter/config.ts launchSchema(), owned by the adapter),
// the launch.json snippets (extension/debug/scenarios.ts). test/extension/manifest.test.ts checks
// that package.json holds exactly this.
//
//   node --import tsx extension/manifest.ts --write   rewrites package.json's contributes
//   node --import tsx extension/manifest.ts --check   exits 1 when package.json differs
import { launchSchema } from '../adapter/config';
import { configurationSnippets } from './debug/scenarios';

const WHEN_TAGVISOR = "debugType == 'tagvisor'";

const command = (command: string, title: string, icon?: string, category = 'Tagvisor'): Record<string, unknown> => ({ command, title, category, ...(icon ? { icon } : {}) });

export function buildContributes(): Record<string, unknown> {
  return {
    languages: [{
      id: 'tagvisor-asm',
      aliases: ['AArch64 Assembly (Tagvisor)', 'tagvisor-asm'],
      extensions: ['.s', '.S'],
      configuration: './extension/language-configuration.json',
    }],
    grammars: [{ language: 'tagvisor-asm', scopeName: 'source.tagvisor-asm', path: './extension/syntaxes/tagvisor-asm.tmLanguage.json' }],
    semanticTokenScopes: [{
      language: 'tagvisor-asm',
      scopes: {
        label: ['entity.name.function.label.tagvisor-asm'],
        'macro.defaultLibrary': ['keyword.control.directive.tagvisor-asm'],
        'variable.defaultLibrary': ['variable.language.register.general.tagvisor-asm'],
        'property.defaultLibrary': ['support.variable.system-register.tagvisor-asm'],
        'variable.readonly': ['variable.other.constant.tagvisor-asm'],
      },
    }],
    breakpoints: [{ language: 'tagvisor-asm' }, { language: 'c' }],
    debuggers: [{
      type: 'tagvisor',
      label: 'Tagvisor (AArch64 + MTE)',
      languages: ['tagvisor-asm'],
      program: './dist/adapter.js',
      runtime: 'node',
      configurationAttributes: { launch: launchSchema() },
      configurationSnippets: configurationSnippets(),
    }],
    commands: [
      command('tagvisor.openTagInspector', 'Open Memory Tag Inspector', '$(tag)'),
      command('tagvisor.inspectTags', 'Show in Memory Tag Inspector'),
      command('tagvisor.toggleHex', 'Toggle Hexadecimal Values'),
      command('tagvisor.openExample', 'Open Example'),
      command('tagvisor.hypervisor.refresh', 'Refresh Hypervisor View', '$(refresh)'),
      command('tagvisor.hypervisor.migrate', 'Migrate VM Now', '$(cloud-upload)'),
      command('tagvisor.hypervisor.swapOut', 'Swap Out Guest Memory…', '$(arrow-swap)'),
      command('tagvisor.hypervisor.convertPrivate', 'Convert Range to Private…', '$(lock)'),
      command('tagvisor.hypervisor.convertShared', 'Convert Range to Shared…', '$(unlock)'),
    ],
    menus: {
      commandPalette: [
        { command: 'tagvisor.inspectTags', when: 'false' },
        { command: 'tagvisor.openExample', when: 'false' },
        { command: 'tagvisor.toggleHex', when: WHEN_TAGVISOR },
        { command: 'tagvisor.hypervisor.refresh', when: WHEN_TAGVISOR },
        { command: 'tagvisor.hypervisor.migrate', when: WHEN_TAGVISOR },
        { command: 'tagvisor.hypervisor.swapOut', when: WHEN_TAGVISOR },
        { command: 'tagvisor.hypervisor.convertPrivate', when: WHEN_TAGVISOR },
        { command: 'tagvisor.hypervisor.convertShared', when: WHEN_TAGVISOR },
      ],
      'debug/variables/context': [
        { command: 'tagvisor.inspectTags', when: WHEN_TAGVISOR, group: 'tagvisor@1' },
        { command: 'tagvisor.toggleHex', when: WHEN_TAGVISOR, group: 'tagvisor@2' },
      ],
      'debug/toolBar': [{ command: 'tagvisor.openTagInspector', when: WHEN_TAGVISOR }],
      'view/title': [
        { command: 'tagvisor.hypervisor.migrate', when: 'view == tagvisor.hypervisor', group: 'navigation@1' },
        { command: 'tagvisor.hypervisor.refresh', when: 'view == tagvisor.hypervisor', group: 'navigation@2' },
        { command: 'tagvisor.hypervisor.swapOut', when: 'view == tagvisor.hypervisor', group: 'actions@1' },
        { command: 'tagvisor.hypervisor.convertPrivate', when: 'view == tagvisor.hypervisor', group: 'actions@2' },
        { command: 'tagvisor.hypervisor.convertShared', when: 'view == tagvisor.hypervisor', group: 'actions@3' },
      ],
      'view/item/context': [
        { command: 'tagvisor.hypervisor.convertPrivate', when: 'view == tagvisor.hypervisor && viewItem == memslot', group: 'tagvisor@1' },
        { command: 'tagvisor.hypervisor.convertShared', when: 'view == tagvisor.hypervisor && viewItem == privateRange', group: 'inline' },
      ],
    },
    views: {
      debug: [{ id: 'tagvisor.hypervisor', name: 'Hypervisor', when: WHEN_TAGVISOR }],
    },
    viewsWelcome: [{
      view: 'tagvisor.hypervisor',
      contents: 'The hypervisor state appears when the session stops.\nRun the guest in a VM by adding a "vm" section to launch.json (see the swap, migration, device memory and private memory snippets).',
    }],
    configuration: {
      title: 'Tagvisor',
      properties: {
        'tagvisor.languageServer.enable': {
          type: 'boolean', default: true,
          description: 'Run the Tagvisor assembly language server (diagnostics, hover, completion, navigation) for .s/.S files.',
        },
        'tagvisor.debugAdapter.mode': {
          type: 'string', enum: ['inline', 'process'], default: 'inline',
          enumDescriptions: ['Run the debug adapter inside the extension host (fastest).', 'Run the debug adapter as a separate Node process (dist/adapter.js over stdio).'],
          description: 'How the Tagvisor debug adapter runs. To attach to an adapter started with `node dist/adapter.js --server=PORT`, put "debugServer": PORT in the launch configuration.',
        },
        'tagvisor.debugAdapter.nodePath': {
          type: 'string', default: '',
          description: 'Node.js executable for "tagvisor.debugAdapter.mode": "process" (default: the editor\'s own runtime).',
        },
        'tagvisor.inspector.openOnTagFault': {
          type: 'boolean', default: true,
          description: 'Open the Memory Tag Inspector when a tag check fault stops the program.',
        },
      },
    },
    walkthroughs: [{
      id: 'tagvisor.gettingStarted',
      title: 'Debug memory tagging with Tagvisor',
      description: 'Find memory-safety bugs with Arm MTE on an emulated AArch64 machine: step through the examples and watch allocation tags.',
      steps: [
        {
          id: 'openExample', title: 'Open the use-after-free example',
          description: 'A tiny allocator tags a block, frees it by retagging, then reads through the stale pointer.\n[Open use-after-free.s](command:tagvisor.openExample?%5B%22use-after-free.s%22%5D)',
          media: { markdown: 'extension/walkthrough/open-example.md' },
          completionEvents: ['onCommand:tagvisor.openExample'],
        },
        {
          id: 'debug', title: 'Press F5 to debug it',
          description: 'With the file open, F5 assembles it and stops on entry. Step with F10, look at the Registers scope: pointers show their logical tag and the allocation tag they point to.\n[Start Debugging](command:workbench.action.debug.start)',
          media: { markdown: 'extension/walkthrough/debug.md' },
          completionEvents: ['onDebug'],
        },
        {
          id: 'inspector', title: 'Watch the tags in the Memory Tag Inspector',
          description: 'Continue (F5): the load through the stale pointer stops on a tag check fault and the inspector opens on the faulting granule.\n[Open Memory Tag Inspector](command:tagvisor.openTagInspector)',
          media: { markdown: 'extension/walkthrough/inspector.md' },
          completionEvents: ['onCommand:tagvisor.openTagInspector'],
        },
        {
          id: 'scenarios', title: 'More scenarios: C, async faults, swap, migration, device and private memory',
          description: 'Create a launch.json to get one configuration per example; snippets add hypervisor scenarios.\n[Create launch.json](command:workbench.action.debug.configure)',
          media: { markdown: 'extension/walkthrough/scenarios.md' },
        },
      ],
    }],
  };
}

async function main(argv: string[]): Promise<void> {
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const path = join(import.meta.dirname, '..', 'package.json');
  const pkg = JSON.parse(readFileSync(path, 'utf8'));
  const want = buildContributes();
  if (argv.includes('--write')) {
    pkg.contributes = want;
    writeFileSync(path, JSON.stringify(pkg, null, 2) + '\n');
    console.log('package.json: contributes updated');
  } else if (JSON.stringify(pkg.contributes) !== JSON.stringify(want)) {
    console.error('package.json: contributes is out of date; run: node --import tsx extension/manifest.ts --write');
    process.exit(1);
  }
}

if (process.argv[1] && /manifest\.ts$/.test(process.argv[1])) void main(process.argv.slice(2));
