import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../../..', import.meta.url).pathname });

async function restrictedImportErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the Electron seam', () => {
  const importElectron = "import { app } from 'electron';\nexport const name = app.getName();\n";

  it.each(['main/saml/leak.ts', 'main/session/leak.ts', 'main/cli/leak.ts', 'renderer/login/leak.ts', 'test/unit/leak.ts'])(
    'fails lint when %s imports electron',
    async (file) => {
      const errors = await restrictedImportErrors(file, importElectron);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/Only main\/shell\//);
    },
  );

  it('fails lint for deep electron imports and require() forms too', async () => {
    expect(await restrictedImportErrors('main/imds/leak.ts', "import { ipcMain } from 'electron/main';\nexport const x = ipcMain;\n")).toHaveLength(1);
  });

  it.each(['main/shell/tray-icon.ts', 'main/index.ts', 'preload/index.ts'])('allows electron in %s', async (file) => {
    expect(await restrictedImportErrors(file, importElectron)).toEqual([]);
  });
});
