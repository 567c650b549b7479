// Lint config: typescript-eslint's recommended rules over the project's TS sources.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', '.tap-bundle/**', 'node_modules/**', '.tap/**', 'tap-snapshots/**', 'bin/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
);
