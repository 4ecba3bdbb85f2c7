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
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
