// Bundles every shipped entry point with esbuild. Entries whose source does not exist yet are skipped,
// so the build works while the project grows layer by layer.
import { build } from 'esbuild';
import { existsSync, chmodSync } from 'node:fs';

const entries = [
  { in: 'emulator/cli.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node', exec: true },
  { in: 'adapter/main.ts', out: 'dist/adapter.js' },
  { in: 'extension/extension.ts', out: 'dist/extension.js', external: ['vscode'] },
  { in: 'extension/server.ts', out: 'dist/server.js' },
  // the Memory Tag Inspector's webview script (browser context)
  { in: 'extension/webview/main.ts', out: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'chrome114' },
];

const watch = process.argv.includes('--watch');
for (const e of entries) {
  if (!existsSync(e.in)) continue;
  await build({
    entryPoints: [e.in],
    outfile: e.out,
    bundle: true,
    platform: e.platform ?? 'node',
    target: e.target ?? 'node20',
    format: e.format ?? 'cjs',
    sourcemap: true,
    external: e.external ?? [],
    banner: e.banner ? { js: e.banner } : undefined,
    logLevel: 'warning',
  });
  if (e.exec) chmodSync(e.out, 0o755);
}
if (!watch) console.log('build: ok');
