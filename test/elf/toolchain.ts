// Builds small static AArch64 programs with the cross toolchains for the ELF/DWARF differential tests.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { haveTool, run, runOk } from '../tools';

export const GCC = 'aarch64-linux-gnu-gcc';
export const CLANG = 'clang';
export const LLD = 'ld.lld';

/** Sources: two C files in different directories, a header with an inline function, and assembly. */
export const SOURCES: Record<string, string> = {
  'main.c': `#include <stdio.h>
#include "util.h"

int counter = 3;
static int table[16];

static int helper(int x) { return x * 2 + counter; }

int main(int argc, char **argv) {
  int s = 0;
  for (int i = 0; i < argc; i++)
    s += helper(i);
  table[argc & 15] = s;
  s += util_mix(s, table[1]);
  s += asm_add3(1, 2, 3);
  printf("%d\\n", s);
  return 0;
}
`,
  'inc/util.h': `static inline int util_sq(int x) {
  return x * x;
}
int util_mix(int a, int b);
int asm_add3(int a, int b, int c);
`,
  'lib/util.c': `#include "util.h"

int util_mix(int a, int b) {
  int r = util_sq(a) ^ b;
  if (r < 0)
    r = -r;
  return r + 1;
}
`,
  'asm3.S': `  .text
  .globl asm_add3
  .type asm_add3, %function
asm_add3:
  add w0, w0, w1
  add w0, w0, w2
  ret
  .size asm_add3, .-asm_add3
`,
};

export interface Variant { compiler: 'gcc' | 'clang'; flags: string[]; label: string }

export const VARIANTS: Variant[] = [
  { compiler: 'gcc', flags: ['-g', '-O1'], label: 'gcc -g (DWARF 5) -O1' },
  { compiler: 'gcc', flags: ['-gdwarf-4', '-O0'], label: 'gcc -gdwarf-4 -O0' },
  { compiler: 'gcc', flags: ['-gdwarf-5', '-O2'], label: 'gcc -gdwarf-5 -O2' },
  { compiler: 'gcc', flags: ['-gdwarf-2', '-O1'], label: 'gcc -gdwarf-2 -O1 (line table v3)' },
  { compiler: 'clang', flags: ['-g', '-O0'], label: 'clang -g (DWARF 5) -O0' },
  { compiler: 'clang', flags: ['-gdwarf-4', '-O1'], label: 'clang -gdwarf-4 -O1' },
  { compiler: 'clang', flags: ['-gdwarf-5', '-O2'], label: 'clang -gdwarf-5 -O2' },
  { compiler: 'clang', flags: ['-gdwarf-2', '-O1'], label: 'clang -gdwarf-2 -O1' },
  { compiler: 'clang', flags: ['-gdwarf-3', '-O0'], label: 'clang -gdwarf-3 -O0' },
];

/** Why a variant cannot be built here, or false. */
export function missingCompiler(v: Variant): string | false {
  const need = v.compiler === 'gcc' ? [GCC] : [CLANG, LLD, GCC];
  const missing = need.filter(t => !haveTool(t));
  return missing.length ? `not installed: ${missing.join(', ')}` : false;
}

/** Writes SOURCES into `dir`. */
export function writeSources(dir: string): void {
  for (const [name, text] of Object.entries(SOURCES)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

let clangExtra: string[] | undefined;

/**
 * Flags that let clang find the GCC cross toolchain's crt files, libgcc and glibc. Recent clang
 * finds /usr/lib/gcc-cross by itself; otherwise point it there explicitly.
 */
function clangFlags(dir: string): string[] {
  if (clangExtra) return clangExtra;
  const probe = run(CLANG, ['--target=aarch64-linux-gnu', '-fuse-ld=lld', '-static', 'main.c', 'lib/util.c', 'asm3.S', '-Iinc', '-o', 'probe'], { cwd: dir });
  if (probe.status === 0) return (clangExtra = []);
  const libgcc = runOk(GCC, ['-print-libgcc-file-name']).stdout.trim();
  const gccDir = dirname(libgcc);
  clangExtra = ['-isystem', '/usr/aarch64-linux-gnu/include', `-B${gccDir}`, `-L${gccDir}`, '-L/usr/aarch64-linux-gnu/lib'];
  return clangExtra;
}

/** Compiles and links SOURCES (already written to `dir`) with `v`; returns the executable's path. */
export function build(dir: string, v: Variant, out: string): string {
  const srcs = ['main.c', 'lib/util.c', 'asm3.S', '-Iinc'];
  if (v.compiler === 'gcc') {
    runOk(GCC, ['-static', ...v.flags, ...srcs, '-o', out], { cwd: dir });
  } else {
    runOk(CLANG, ['--target=aarch64-linux-gnu', '-fuse-ld=lld', '-static', ...clangFlags(dir), ...v.flags, ...srcs, '-o', out], { cwd: dir });
  }
  return join(dir, out);
}
