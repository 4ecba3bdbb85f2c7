// Bundles the three worlds Electron needs and the CLI:
//   main + CLI  → ESM for Node/Electron's main process (dependencies stay in node_modules),
//   preload     → one CommonJS file (sandboxed preloads can neither be ESM nor require local files),
//   renderer    → browser ESM per page, with its index.html and style.css copied beside it,
//   extension   → the browser extension, unpacked and zipped per store (scripts/build-extension.mjs).
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot as root } from './project-root.mjs';

const out = join(root, 'dist');
rmSync(out, { recursive: true, force: true });

const nodeEntries = ['main/index.ts', 'main/cli/index.ts'].filter((entry) => existsSync(join(root, entry)));
const shared = { bundle: true, sourcemap: true, logLevel: 'warning', absWorkingDir: root };

await build({
  ...shared,
  entryPoints: nodeEntries.map((entry) => ({ in: entry, out: entry.replace(/^main\//, '').replace(/\.ts$/, '') })),
  outdir: join(out, 'main'),
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  // Keeps dynamic imports lazy (the system-browser sign-in and playwright-core load only when used), so
  // `credential_process` and other short commands start fast.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});

// Module plugins' process runs this file as it is (main/plugins/plugin-process.ts finds it beside the bundle).
const pluginHost = join(root, 'main', 'plugins', 'plugin-host.mjs');
if (existsSync(pluginHost)) {
  mkdirSync(join(out, 'main', 'plugins'), { recursive: true });
  cpSync(pluginHost, join(out, 'main', 'plugins', 'plugin-host.mjs'));
}

// The plugin API (`cloudtoken/plugin-api`): its one value as JavaScript, its types as a declaration file.
const pluginApi = join(root, 'main', 'plugins', 'api.ts');
if (existsSync(pluginApi)) {
  await build({ ...shared, bundle: false, entryPoints: [pluginApi], outfile: join(out, 'plugin-api.js'), platform: 'neutral', format: 'esm' });
  const { default: ts } = await import('typescript');
  const declaration = ts.transpileDeclaration(readFileSync(pluginApi, 'utf8'), { fileName: 'api.ts', compilerOptions: { isolatedDeclarations: true } });
  if (declaration.diagnostics?.length) throw new Error(`plugin API declarations: ${declaration.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ')}`);
  writeFileSync(join(out, 'plugin-api.d.ts'), declaration.outputText);
}

if (existsSync(join(root, 'preload/index.ts'))) await build({
  ...shared,
  entryPoints: ['preload/index.ts'],
  outfile: join(out, 'preload', 'index.cjs'),
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['electron'],
});

const rendererRoot = join(root, 'renderer');
const pages = readdirSync(rendererRoot, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(rendererRoot, entry.name, 'index.html')))
  .map((entry) => entry.name);
await build({
  ...shared,
  entryPoints: pages.map((page) => ({ in: `renderer/${page}/main.ts`, out: `${page}/main` })),
  outdir: join(out, 'renderer'),
  platform: 'browser',
  format: 'esm',
  target: 'chrome120',
});
for (const page of pages) {
  mkdirSync(join(out, 'renderer', page), { recursive: true });
  for (const file of ['index.html', 'style.css']) {
    const from = join(rendererRoot, page, file);
    if (existsSync(from)) cpSync(from, join(out, 'renderer', page, file));
  }
}
const sharedCss = join(rendererRoot, 'lib', 'base.css');
if (existsSync(sharedCss)) cpSync(sharedCss, join(out, 'renderer', 'base.css'));

const { buildExtension } = await import('./build-extension.mjs');
await buildExtension(root, out);
