// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Only the Electron shell may touch Electron: everything else must run (and be tested) under plain Node.
// Do not relax this rule; move the decision into the core instead.
export const electronSeam = {
  files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
  ignores: ['main/shell/**', 'main/index.ts', 'preload/**'],
  rules: {
    'no-restricted-imports': ['error', {
      paths: [{ name: 'electron', message: 'Only main/shell/, main/index.ts and preload/ may import electron; put the decision in a core module.' }],
      patterns: [{ group: ['electron/*'], message: 'Only main/shell/, main/index.ts and preload/ may import electron.' }],
    }],
  },
};

/**
 * The core's layers, lowest first: a folder of main/ may import its own layer and the ones below, never one
 * above, so the pure pieces stay usable (and testable) without what composes them. preload/contract.ts is
 * the IPC contract's plain types: it may take types from the layers up to session, and only the layers from
 * runtime up may import it. test/unit/lint/layers.test.ts probes this and checks that no folders form a cycle.
 * Do not relax these rules; move the code to the layer it belongs to instead.
 */
export const LAYERS = [
  ['support'],
  ['saml', 'settings', 'security'],
  ['sts', 'login', 'imds', 'network', 'outputs', 'autostart', 'channel', 'extension'],
  ['session', 'diagnosis', 'plugins'],
  ['runtime', 'tray', 'ipc'],
  ['cli', 'shell'],
];
const PRELOAD_LAYER = 4;

const electronRestriction = electronSeam.rules['no-restricted-imports'][1];
const importsOf = (folders) => ({
  regex: `^(\\.\\./)+(main/)?(${folders.join('|')})/`,
  message: `This layer may not import ${folders.join(', ')}: see LAYERS in eslint.config.js (lower layers never import higher ones).`,
});

/** One `no-restricted-imports` per folder: flat config replaces a rule's options, so the seam rides along. */
function layerConfigs() {
  const configs = [];
  LAYERS.forEach((layer, index) => {
    const above = LAYERS.slice(index + 1).flat();
    for (const folder of layer) {
      if (folder === 'shell') continue;
      const forbidden = index < PRELOAD_LAYER ? [...above, 'preload'] : above;
      if (forbidden.length === 0) continue;
      configs.push({
        files: [`main/${folder}/**/*.ts`],
        rules: { 'no-restricted-imports': ['error', { paths: electronRestriction.paths, patterns: [...electronRestriction.patterns, importsOf(forbidden)] }] },
      });
    }
  });
  configs.push({
    files: ['preload/contract.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [importsOf(LAYERS.slice(PRELOAD_LAYER).flat())] }] },
  });
  return configs;
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'release/**', 'coverage/**', 'test/**/fixtures/**', '.scratch*/**', '.scratch*', '.smoke*/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', window: 'readonly', document: 'readonly', fetch: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  electronSeam,
  ...layerConfigs(),
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
