// Differential test: every corpus binary (C in 4 compiler variants, assembly, examples) is run under
// `qemu-aarch64 -cpu max` and under `node dist/cli.js run --no-report`; stdout, stderr and the shell-style exit
// status (128+N for death by signal N) must be identical. See test/diff/README.md for the exact contract.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TOOLS, buildCorpus, firstDifference, listCorpus, runCli, runQemu, type CorpusEntry } from '../corpus/build.mjs';
import { missingTools } from '../tools';
import { requireCli } from './cli-gate';
import { diffFilters } from './harness';

const entries = listCorpus(diffFilters()).filter((e) => e.group !== 'bench' && e.group !== 'trace');
const built = new Map<string, CorpusEntry>();
const noQemu = missingTools(TOOLS.qemu);

if (requireCli('qemu differential')) {
  before(async () => {
    for (const e of await buildCorpus({ filters: entries.map((e) => e.id) })) built.set(e.id, e);
  });
  for (const entry of entries) {
    test(entry.id, { skip: noQemu }, (t) => {
      const e = built.get(entry.id);
      assert.ok(e?.build, `${entry.id} was not built`);
      if (e.build.status === 'skipped') return t.skip(e.build.reason);
      assert.equal(e.build.status === 'failed' ? e.build.reason : 'ok', 'ok', `${e.id} failed to build`);
      const q = runQemu(e.out, e.args, e.env);
      assert.ok(!q.timedOut, `${e.id}: qemu timed out`);
      const c = runCli(e.out, e.args, e.env);
      assert.ok(!c.timedOut, `${e.id}: our CLI timed out`);
      const where = `${e.id} (${e.source})`;
      if (c.stdout !== q.stdout) assert.fail(`${where}: stdout differs, ${firstDifference(q.stdout, c.stdout)} (qemu vs ours)`);
      if (c.stderr !== q.stderr) assert.fail(`${where}: stderr differs, ${firstDifference(q.stderr, c.stderr)} (qemu vs ours)`);
      assert.equal(c.status, q.status, `${where}: exit status (ours ${c.status}${c.rawSignal ? ` raw ${c.rawSignal}` : ''}, qemu ${q.status})`);
    });
  }
}
