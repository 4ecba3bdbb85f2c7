// The browser extension (extension/): one unpacked build and one store zip per target, in dist/extension/.
// Its manifests and AWS endpoint rule are generated from main/extension/browser-build.ts, which takes every AWS
// address from main/saml/acs.ts.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { zip } from './zip.mjs';

const STATIC_FILES = ['signed-in.html', 'options.html', 'page.css'];
const SCRIPTS = ['background', 'signed-in', 'options'];

/** The build-time module, bundled in memory and imported, so the manifest is computed by the same code the tests check. */
async function loadBrowserBuild(root) {
  const result = await build({ entryPoints: [join(root, 'main/extension/browser-build.ts')], bundle: true, write: false, format: 'esm', platform: 'neutral', logLevel: 'warning' });
  return import(`data:text/javascript;base64,${Buffer.from(result.outputFiles[0].text).toString('base64')}`);
}

function filesUnder(folder) {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

export async function buildExtension(root, out) {
  const { extensionManifest, blockRules } = await loadBrowserBuild(root);
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const outputs = [];
  for (const target of ['chrome', 'firefox']) {
    const folder = join(out, 'extension', target);
    mkdirSync(folder, { recursive: true });
    await build({
      entryPoints: SCRIPTS.map((name) => ({ in: join(root, 'extension', `${name}.ts`), out: name })),
      outdir: folder,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: target === 'chrome' ? 'chrome116' : 'firefox142',
      define: { __TARGET__: JSON.stringify(target) },
      logLevel: 'warning',
      absWorkingDir: root,
    });
    for (const file of STATIC_FILES) cpSync(join(root, 'extension', file), join(folder, file));
    cpSync(join(root, 'assets/icons/128x128.png'), join(folder, 'icon-128.png'));
    writeFileSync(join(folder, 'manifest.json'), `${JSON.stringify(extensionManifest(target, version), null, 2)}\n`);
    if (target === 'chrome') writeFileSync(join(folder, 'block-rules.json'), `${JSON.stringify(blockRules(), null, 2)}\n`);
    const archive = join(out, 'extension', `cloudtoken-${target}-${version}.zip`);
    writeFileSync(archive, zip(filesUnder(folder).map((name) => ({ name, data: readFileSync(join(folder, name)) }))));
    outputs.push(archive);
  }
  return outputs;
}
