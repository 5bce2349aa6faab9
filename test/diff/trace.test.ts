// Register-trace differential test: each test/corpus/trace program runs single-stepped under QEMU
// (`-singlestep -d cpu,nochain`) and under `node dist/cli.js run --no-report --trace-json FILE`; after every
// instruction X0..X30, SP (stack-relative) and NZCV must agree, and so must the exit status.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOOLS, buildCorpus, listCorpus, runCli, type CorpusEntry } from '../corpus/build.mjs';
import { missingTools } from '../tools';
import { requireCli } from './cli-gate';
import { compareTraces, diffFilters, disassemblyIndex, parseTraceJsonl, qemuTrace } from './harness';

const entries = listCorpus(diffFilters()).filter((e) => e.group === 'trace');
const built = new Map<string, CorpusEntry>();
const noQemu = missingTools(TOOLS.qemu);

if (requireCli('trace differential')) {
  before(async () => {
    for (const e of await buildCorpus({ filters: entries.map((e) => e.id) })) built.set(e.id, e);
  });
  for (const entry of entries) {
    test(entry.id, { skip: noQemu }, (t) => {
      const e = built.get(entry.id);
      assert.ok(e?.build, `${entry.id} was not built`);
      if (e.build.status === 'skipped') return t.skip(e.build.reason);
      assert.equal(e.build.status === 'failed' ? e.build.reason : 'ok', 'ok', `${e.id} failed to build`);
      const q = qemuTrace(e.out, e.args, e.env);
      const dir = mkdtempSync(join(tmpdir(), 'tv-ourtrace-'));
      try {
        const file = join(dir, 'trace.jsonl');
        const c = runCli(e.out, e.args, e.env, { options: ['--trace-json', file] });
        assert.ok(!c.timedOut, `${e.id}: our CLI timed out`);
        const ours = parseTraceJsonl(readFileSync(file, 'utf8'), file);
        const diff = compareTraces(q.before, ours, disassemblyIndex(e.out));
        if (diff) assert.fail(`${e.id} (${e.source}): ${diff}`);
        assert.equal(c.status, q.status, `${e.id}: exit status`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}
