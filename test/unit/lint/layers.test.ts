import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const eslint = new ESLint({ cwd: root });
const { LAYERS } = (await import(new URL('../../../eslint.config.js', import.meta.url).href)) as { LAYERS: string[][] };

async function restrictedImportErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const probe = (specifier: string) => `import type { X } from '${specifier}';\nexport type Y = X;\n`;

describe('the layers of main/', () => {
  it.each([
    ['main/saml/probe.ts', '../session/session.js'],
    ['main/settings/probe.ts', '../outputs/credentials-file.js'],
    ['main/support/probe.ts', '../settings/schema.js'],
    ['main/security/probe.ts', '../sts/endpoints.js'],
    ['main/login/probe.ts', '../runtime/profile-runtime.js'],
    ['main/login/probe.ts', '../../preload/contract.js'],
    ['main/session/probe.ts', '../runtime/serving.js'],
    ['main/runtime/probe.ts', '../cli/context.js'],
    ['main/runtime/probe.ts', '../shell/app.js'],
    ['main/login/deeper/probe.ts', '../../tray/menu.js'],
    ['preload/contract.ts', '../main/runtime/tray-controller.js'],
  ])('fails lint when %s imports %s', async (file, specifier) => {
    const errors = await restrictedImportErrors(file, probe(specifier));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/see LAYERS in eslint\.config\.js/);
  });

  it.each([
    ['main/session/probe.ts', '../sts/assume-role.js'],
    ['main/network/probe.ts', '../outputs/shell-env.js'],
    ['main/runtime/probe.ts', '../../preload/contract.js'],
    ['main/cli/commands/probe.ts', '../../runtime/profile-runtime.js'],
    ['main/shell/probe.ts', '../cli/context.js'],
    ['preload/contract.ts', '../main/session/types.js'],
  ])('allows %s to import %s', async (file, specifier) => {
    expect(await restrictedImportErrors(file, probe(specifier))).toEqual([]);
  });

  it('still keeps electron out of a layered folder', async () => {
    const errors = await restrictedImportErrors('main/runtime/probe.ts', "import { app } from 'electron';\nexport const n = app.getName();\n");
    expect(errors).toEqual([expect.stringMatching(/Only main\/shell\//)]);
  });

  it('names every folder of main/ in exactly one layer', () => {
    const folders = readdirSync(join(root, 'main')).filter((entry) => statSync(join(root, 'main', entry)).isDirectory());
    expect(LAYERS.flat().sort()).toEqual(folders.sort());
  });

  it('has no cycle between folders (main/ and preload/)', () => {
    const folderOf = (file: string) => {
      const parts = relative(root, file).split('/');
      return parts[0] === 'main' && parts.length > 2 ? parts[1]! : parts[0]!;
    };
    const edges = new Map<string, Set<string>>();
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((entry) => (statSync(join(dir, entry)).isDirectory() ? walk(join(dir, entry)) : entry.endsWith('.ts') ? [join(dir, entry)] : []));
    for (const file of [...walk(join(root, 'main')), ...walk(join(root, 'preload'))]) {
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const from = folderOf(file);
        const to = folderOf(normalize(join(dirname(file), specifier!)));
        if (from !== to) edges.set(from, (edges.get(from) ?? new Set()).add(to));
      }
    }
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      for (const next of edges.get(node) ?? []) {
        if (path.includes(next)) cycles.push([...path.slice(path.indexOf(next)), next].join(' → '));
        else visit(next, [...path, next]);
      }
    };
    for (const node of edges.keys()) visit(node, [node]);
    expect(cycles).toEqual([]);
  });
});
