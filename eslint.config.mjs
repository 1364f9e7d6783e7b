// ESLint (flat config). `npm run lint` runs it together with `prettier --check` and `depcruise`
// (scripts/lint.sh); scripts/test.sh runs the same step before the jest tiers.
// Layout is Prettier's job (eslint-config-prettier turns off the rules that would fight it); the
// import layering is dependency-cruiser's (.dependency-cruiser.cjs).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Test code: the jest tiers' suffixes (jest.config.js), the e2e tree and the shared testing/ helpers,
// i.e. what tsconfig.build.json leaves out of the build (bench is not test code and is linted in full).
const TESTS = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'test/**', 'libs/*/src/testing/**'];

export default tseslint.config(
  // libs/client/src/schema.d.ts is generated (npm run openapi)
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'coverage/**', 'data/**', 'libs/client/src/schema.d.ts'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },

  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  // Before our own rules: it turns max-len off, which we want back (see below).
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      // What Prettier cannot wrap (strings, comments, template literals) must still fit in 140 columns.
      'max-len': ['error', { code: 140, tabWidth: 2 }],
      // Off: the in-memory and SQLite adapters implement Promise-returning ports with `async` bodies that
      // need no await; `async` is what turns their throws into rejections, as the ports' callers expect.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },

  {
    // The Developer Space console runs in the browser (apps/console/tsconfig.json: DOM, Preact's JSX).
    files: ['apps/console/**'],
    languageOptions: { globals: { ...globals.browser } },
  },

  {
    files: TESTS,
    rules: {
      // Test names and expected payloads read better on one line; Prettier still wraps the code.
      'max-len': 'off',
      // Off in tests: HTTP/gRPC response bodies and parsed payloads are `any` by design of the clients,
      // and the expect() calls on them are the type check; typing every body would only add casts.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },

  {
    // Plain CommonJS scripts (bench, scripts, jest.config.js): no type information to lint with.
    files: ['**/*.js', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['**/*.mjs'], extends: [tseslint.configs.disableTypeChecked] },
);
