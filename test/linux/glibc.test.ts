// Static glibc programs (ET_EXEC and static-pie) under the runtime, compared with qemu-aarch64:
// startup (TLS, IRELATIVE ifuncs, self-relocation of static-pie), auxv as glibc sees it, stdio,
// malloc, and the PROT_MTE / prctl path through glibc's wrappers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LinuxProcess } from '../../emulator/linux';
import * as L from '../../emulator/linux/constants';
import { missingTools, run, runOk, tmpDir } from '../tools';

const SRC = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#ifndef PROT_MTE
#define PROT_MTE 0x20
#endif
extern char **environ;
static __thread int tls_counter = 41;
int main(int argc, char **argv) {
  printf("argc=%d argv1=%s\\n", argc, argc > 1 ? argv[1] : "-");
  printf("pagesz=%lu hwcap2_mte=%d platform=%s\\n", getauxval(AT_PAGESZ), (getauxval(AT_HWCAP2) & (1 << 18)) != 0,
         (char *)getauxval(AT_PLATFORM));
  printf("execfn-matches-argv0=%d random=%d\\n", strcmp((char *)getauxval(AT_EXECFN), argv[0]) == 0, getauxval(AT_RANDOM) != 0);
  printf("entry-is-start=%d\\n", getauxval(AT_ENTRY) != 0);
  printf("tls=%d\\n", ++tls_counter);
  char *p = malloc(1000);
  for (int i = 0; i < 1000; i++) p[i] = (char)i;
  long sum = 0;
  for (int i = 0; i < 1000; i++) sum += (unsigned char)p[i];
  free(p);
  printf("malloc sum=%ld\\n", sum);
  void *big = malloc(1 << 20);
  printf("big malloc ok=%d\\n", big != NULL);
  free(big);
  int r = prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE | PR_MTE_TCF_SYNC | (0xfffe << PR_MTE_TAG_SHIFT), 0, 0, 0);
  printf("prctl=%d get=%#x\\n", r, (unsigned)prctl(PR_GET_TAGGED_ADDR_CTRL, 0, 0, 0, 0));
  void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_MTE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("mmap mte ok=%d\\n", m != MAP_FAILED);
  errno = 0;
  printf("prctl bad=%d errno=%d\\n", prctl(PR_SET_TAGGED_ADDR_CTRL, 1UL << 20, 0, 0, 0), errno);
  struct utsname u;
  uname(&u);
  printf("machine=%s\\n", u.machine);
  fprintf(stderr, "to stderr\\n");
  return 5;
}
`;

const noTools = missingTools('aarch64-linux-gnu-gcc', 'qemu-aarch64');

function compare(flags: string[]): void {
  const dir = tmpDir();
  writeFileSync(join(dir, 'p.c'), SRC);
  const exe = join(dir, 'p');
  runOk('aarch64-linux-gnu-gcc', ['-O2', ...flags, join(dir, 'p.c'), '-o', exe]);
  const q = run('qemu-aarch64', ['-cpu', 'max', exe, 'one'], { env: {} });
  const proc = LinuxProcess.fromBytes(new Uint8Array(readFileSync(exe)), { path: exe, argv: [exe, 'one'], env: [], hostFs: null });
  let out = '', err = '';
  proc.on('stdout', d => { out += Buffer.from(d).toString('latin1'); });
  proc.on('stderr', d => { err += Buffer.from(d).toString('latin1'); });
  const unsupported: string[] = [];
  proc.on('unsupportedSyscall', e => unsupported.push(e.name));
  const r = proc.run(50_000_000);
  assert.equal(r.reason, 'exit', JSON.stringify(r, (_, v) => typeof v === 'bigint' ? v.toString(16) : v));
  assert.equal(out, q.stdout);
  assert.equal(err, q.stderr);
  assert.equal(proc.exited?.code, q.status);
  assert.deepEqual(unsupported, [], 'glibc startup needs no unsupported system call');
  assert.match(out, /prctl=0 get=0x7fff3\nmmap mte ok=1\nprctl bad=-1 errno=22\n/);
}

test('static glibc ET_EXEC program: same output, stderr and status as qemu-aarch64', { skip: noTools }, () => {
  compare(['-static']);
});

test('static-pie glibc program: loaded top-down in the mmap area, self-relocates, same behaviour as qemu', { skip: noTools }, () => {
  compare(['-static-pie', '-fPIE']);
  const dir = tmpDir();
  writeFileSync(join(dir, 'p.c'), SRC);
  const exe = join(dir, 'p');
  runOk('aarch64-linux-gnu-gcc', ['-O2', '-static-pie', '-fPIE', join(dir, 'p.c'), '-o', exe]);
  const proc = LinuxProcess.fromBytes(new Uint8Array(readFileSync(exe)), { path: exe, hostFs: null });
  assert.ok(proc.elf.isPie);
  assert.ok(proc.image.loadBias > 0x1000_0000_0000 && proc.image.loadBias < L.MMAP_BASE, `bias 0x${proc.image.loadBias.toString(16)}`);
  assert.equal(proc.image.loadBias % 0x10000, 0, 'aligned to p_align');
  assert.equal(proc.cpu.pc, Number(proc.elf.entry) + proc.image.loadBias);
  assert.equal(proc.brk, proc.image.brk);
});
