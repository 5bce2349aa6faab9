// Pure parts of the debug configuration provider: what can be debugged, and the configuration F5
// makes for it (no vscode import, so it is unit-tested directly).

/** A file the user may debug: assembly source or an AArch64 ELF executable. */
export type DebuggableKind = 'asm' | 'elf';

export function kindByName(path: string): DebuggableKind | undefined {
  return /\.(s|S|sx)$/.test(path) ? 'asm' : undefined;
}

/** True when the bytes start an ELF64 little-endian AArch64 file (EM_AARCH64 = 183). */
export function isAarch64Elf(head: Uint8Array): boolean {
  return head.length >= 20 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46
    && head[4] === 2 /* ELFCLASS64 */ && head[5] === 1 /* little-endian */ && (head[18] | (head[19] << 8)) === 183;
}

/** Explains why bytes that look like ELF are not debuggable (for the error message), or undefined. */
export function elfProblem(head: Uint8Array): string | undefined {
  if (head.length < 20 || head[0] !== 0x7f || head[1] !== 0x45 || head[2] !== 0x4c || head[3] !== 0x46) return undefined;
  if (head[4] !== 2) return 'it is a 32-bit ELF file (Tagvisor runs AArch64, 64-bit, executables)';
  if (head[5] !== 1) return 'it is a big-endian ELF file';
  const machine = head[18] | (head[19] << 8);
  if (machine !== 183) return `it is an ELF file for machine ${machine} (${MACHINES[machine] ?? 'not AArch64'}), not AArch64`;
  return undefined;
}
const MACHINES: Record<number, string> = { 3: 'x86', 62: 'x86-64', 40: 'Arm 32-bit', 243: 'RISC-V' };

export function baseName(path: string): string { return path.replace(/^.*[\\/]/, ''); }

/** The configuration F5 makes for a file when there is no launch.json. */
export function configForFile(path: string, kind: DebuggableKind): Record<string, unknown> {
  return {
    type: 'tagvisor', request: 'launch', name: `Debug ${baseName(path)}${kind === 'elf' ? ' (ELF)' : ''}`,
    program: path, stopOnEntry: true,
  };
}

/**
 * Completes a configuration before launch. `active` is the file in the active editor tab (with its
 * kind when it is debuggable). Returns the configuration, or an error message for the user.
 */
export function completeConfig(
  config: Record<string, unknown>, active: { path: string; kind: DebuggableKind | undefined } | undefined,
): { config: Record<string, unknown> } | { error: string } {
  const empty = !config.type && !config.request && !config.name;
  if (empty || config.program === undefined) {
    if (!active || !active.kind) {
      return { error: 'Open an assembly file (.s or .S) or an AArch64 ELF executable and press F5 again, or create a launch.json with a "program".' };
    }
    if (empty) return { config: configForFile(active.path, active.kind) };
    return { config: { ...config, program: active.path, stopOnEntry: config.stopOnEntry ?? true } };
  }
  return { config: { ...config, type: config.type ?? 'tagvisor', request: config.request ?? 'launch', name: config.name ?? `Debug ${String(config.program)}` } };
}
