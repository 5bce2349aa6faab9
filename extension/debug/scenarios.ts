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

const RAM = { name: 'ram', gpa: '0x40000000', size: '256M', backing: 'anon' };

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'uaf',
    label: 'Tagvisor: use-after-free (synchronous tag check)',
    description: 'Assemble and debug examples/use-after-free.s: a stale pointer is used after its block was retagged.',
    config: { type: 'tagvisor', request: 'launch', name: 'Use after free (sync MTE)', program: '${workspaceFolder}/examples/use-after-free.s', stopOnEntry: true },
  },
  {
    id: 'overflow',
    label: 'Tagvisor: heap overflow (C, synchronous)',
    description: 'Debug examples/overflow built with: aarch64-linux-gnu-gcc -static -g -march=armv8.5-a+memtag overflow.c -o overflow',
    config: { type: 'tagvisor', request: 'launch', name: 'Heap overflow (sync MTE)', program: '${workspaceFolder}/examples/overflow', stopOnEntry: false },
  },
  {
    id: 'async',
    label: 'Tagvisor: asynchronous tag check fault (C)',
    description: 'Debug examples/async-overflow: the debugger stops at the mismatching store, before Linux would report SEGV_MTEAERR.',
    config: { type: 'tagvisor', request: 'launch', name: 'Async tag check fault', program: '${workspaceFolder}/examples/async-overflow', stopOnEntry: false },
  },
  {
    id: 'swap',
    label: 'Tagvisor: tags across swap',
    description: 'Run a guest in a VM that swaps every resident page out every 5,000 instructions: allocation tags must survive swap-out and swap-in.',
    config: {
      type: 'tagvisor', request: 'launch', name: 'Tags across swap', program: '${workspaceFolder}/examples/use-after-free.s', stopOnEntry: true,
      vm: { name: 'swapper', mte: true, memory: [RAM], swap: { every: 5000 } },
    },
  },
  {
    id: 'migration',
    label: 'Tagvisor: live migration with tags',
    description: 'A VM with dirty logging: use "Tagvisor: Migrate VM Now" at any stop to migrate the guest (data and tags) and verify the copy.',
    config: {
      type: 'tagvisor', request: 'launch', name: 'Live migration', program: '${workspaceFolder}/examples/use-after-free.s', stopOnEntry: true,
      vm: { name: 'migrant', mte: true, memory: [{ ...RAM, dirtyLog: true }] },
    },
  },
  {
    id: 'device',
    label: 'Tagvisor: device memory (pfnmap BAR and MMIO)',
    description: 'A VM with a device BAR (VM_PFNMAP, no tags) and an MMIO hole next to MTE-capable RAM: stage 2 refuses tagged mappings of device memory.',
    config: {
      type: 'tagvisor', request: 'launch', name: 'Device memory', program: '${workspaceFolder}/examples/use-after-free.s', stopOnEntry: true,
      vm: {
        name: 'devices', mte: true,
        memory: [RAM, { name: 'bar0', gpa: '0x10000000', size: '64K', backing: 'pfnmap' }, { name: 'uart', gpa: '0x09000000', size: '4K', backing: 'mmio' }],
      },
    },
  },
  {
    id: 'private',
    label: 'Tagvisor: private memory (protected VM)',
    description: 'A protected VM with a guest_memfd slot: the first 1 MiB of RAM is private; the debugger cannot read it (debug policy "deny"); convert ranges shared/private from the Hypervisor view.',
    config: {
      type: 'tagvisor', request: 'launch', name: 'Private memory', program: '${workspaceFolder}/examples/use-after-free.s', stopOnEntry: true,
      vm: {
        name: 'protected', mte: true, type: 'protected', debug: 'deny',
        memory: [{ ...RAM, guestMemfd: true }],
        private: [{ gpa: '0x40000000', size: '1M' }],
      },
    },
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
