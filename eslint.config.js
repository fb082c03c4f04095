// ESLint flat config: typescript-eslint's recommended rules over the TypeScript sources (formatting is Prettier's).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-results/', 'bench-results/', '.bench/', 'dock/public/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      // the project's size rules (STYLE.md): one concern a file, functions a reader holds in one screen
      'max-lines': ['error', { max: 300, skipBlankLines: false, skipComments: false }],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true, IIFEs: true }],
      // `_name` marks a parameter or binding that is there on purpose (a port's signature, a destructured rest)
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // plain Node scripts (npm start, the soak launcher)
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // tests: a describe() callback holds its cases and a case reads as one story, so only the file-size rule applies
    files: ['test/**/*.ts', 'test/**/*.tsx'],
    rules: { 'max-lines-per-function': 'off' },
  },
);
