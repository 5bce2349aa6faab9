// The example scenarios offered when creating a launch.json (initial configurations) and as
// snippets in launch.json (package.json `configurationSnippets` is generated from this list by
// extension/manifest.ts; test/extension/manifest.test.ts checks that the two agree and that every VM
// description is accepted by the hypervisor's own parser).

export interface Scenario {
  /** Short id (used in tests and the walkthrough). */
  id: 'uaf' | 'overflow' | 'async' | 'swap' | 'migration' | 'device' | 'private';
  /** The snippet's label in the launch.json completion list. */
  label: string;
  description: string;
  /** The configuration (paths use ${workspaceFolder}). */
  config: Record<string, unknown>;
}

// The VM descriptions are the examples' own files (bundled at build time), so a scenario runs exactly
// what `tagvisor run --vm examples/vm-....json` runs.
import vmSwap from '../../examples/vm-swap.json';
import vmMigrate from '../../examples/vm-migrate.json';
import vmDeviceNc from '../../examples/vm-device-nc.json';
import vmPrivate from '../../examples/vm-private.json';

const ex = (file: string): string => `\${workspaceFolder}/examples/${file}`;

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'uaf',
    label: 'Tagvisor: use-after-free (synchronous tag check)',
    description: 'Assemble and debug examples/use-after-free.s: a stale pointer is used after its block was retagged.',
    config: { type: 'tagvisor', request: 'launch', name: 'Use after free (sync MTE)', program: ex('use-after-free.s'), stopOnEntry: true },
  },
  {
    id: 'overflow',
    label: 'Tagvisor: heap overflow (C, synchronous)',
    description: 'Debug examples/overflow built with: aarch64-linux-gnu-gcc -static -g -march=armv8.5-a+memtag overflow.c -o overflow',
    config: { type: 'tagvisor', request: 'launch', name: 'Heap overflow (sync MTE)', program: ex('overflow'), stopOnEntry: false },
  },
  {
    id: 'async',
    label: 'Tagvisor: asynchronous tag check fault (C)',
    description: 'Debug examples/async-overflow (built like overflow.c): the debugger stops at the mismatching store, before Linux would report SEGV_MTEAERR.',
    config: { type: 'tagvisor', request: 'launch', name: 'Async tag check fault', program: ex('async-overflow'), stopOnEntry: false },
  },
  {
    id: 'swap',
    label: 'Tagvisor: tags across host swap',
    description: vmSwap.description,
    config: { type: 'tagvisor', request: 'launch', name: 'Tags across swap', program: ex('hv-tag-churn.s'), stopOnEntry: true, vm: vmSwap },
  },
  {
    id: 'migration',
    label: 'Tagvisor: live migration with tags',
    description: `${vmMigrate.description} "Tagvisor: Migrate VM Now" migrates at any stop.`,
    config: { type: 'tagvisor', request: 'launch', name: 'Live migration', program: ex('hv-tag-churn.s'), stopOnEntry: true, vm: vmMigrate },
  },
  {
    id: 'device',
    label: 'Tagvisor: device memory behind a memslot (Normal-NC, tags lost)',
    description: vmDeviceNc.description,
    config: { type: 'tagvisor', request: 'launch', name: 'Device memory', program: ex('hv-tag-churn.s'), stopOnEntry: true, vm: vmDeviceNc },
  },
  {
    id: 'private',
    label: 'Tagvisor: private memory (protected VM, guest_memfd)',
    description: vmPrivate.description,
    config: { type: 'tagvisor', request: 'launch', name: 'Private memory', program: ex('hv-touch.s'), stopOnEntry: true, vm: vmPrivate },
  },
];

/** The `configurationSnippets` entries: VS Code wants string values that start with `^"` to insert variables unquoted. */
export function configurationSnippets(): { label: string; description: string; body: Record<string, unknown> }[] {
  return SCENARIOS.map(s => ({ label: s.label, description: s.description, body: quoteVariables(s.config) as Record<string, unknown> }));
}

function quoteVariables(v: unknown): unknown {
  if (typeof v === 'string') return v.includes('${') ? `^"${v.replace(/\$\{/g, '\\${')}"` : v;
  if (Array.isArray(v)) return v.map(quoteVariables);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, quoteVariables(x)]));
  return v;
}
