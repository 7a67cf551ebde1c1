// Lint rules: type-checked TypeScript, with fences that keep platform SDKs at the edges.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * A no-restricted-imports zone: files matching `files` may not import a path with any of `folders` as a segment, nor
 * @azure/functions (only functions/ registers with the host); with `packages`, no runtime package at all.
 */
function fence(files, folders, message, { allowTypeImports = false, packages = false } = {}) {
  const hosts = files.some((f) => f.startsWith('functions/'))
    ? []
    : [{ name: '@azure/functions', message: 'Only functions/ registers with the Functions host.' }];
  return [
    {
      files,
      rules: {
        'no-restricted-imports': [
          'error',
          {
            paths: hosts,
            patterns: [
              { regex: `(^|/)(${folders.join('|')})(/|$)`, message, allowTypeImports },
              ...(packages
                ? [
                    {
                      regex: '^(?!node:|zod$)(?!\\.)',
                      message: `${message} No runtime package either (zod, for validation, aside).`,
                      allowTypeImports: true,
                    },
                  ]
                : []),
            ],
          },
        ],
      },
    },
  ];
}

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      'bin/',
      'scripts/*.js',
      '*.config.js',
      '*.config.mjs',
      'test/summary-reporter.js',
      'test/helpers/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      eqeqeq: 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  // Fences between the layers (docs/architecture.md): each zone names what it must not import.
  ...fence(
    ['shared/**/*.ts'],
    ['functions', 'cli', 'sim', 'test'],
    'The core (shared/) serves every host: it imports no host, no simulator and no test.',
  ),
  ...fence(
    ['shared/core/**/*.ts', 'shared/diagnosis/**/*.ts', 'shared/alerts/**/*.ts'],
    ['clients', 'storage', 'service', 'probes', 'functions', 'cli', 'sim', 'test'],
    'Decisions are pure: no client, storage, service or probe here (types only).',
    { allowTypeImports: true, packages: true },
  ),
  ...fence(
    ['sim/**/*.ts'],
    ['functions', 'cli', 'test'],
    'The simulator stands for Microsoft: it imports neither a host nor a test.',
  ),
  ...fence(
    ['cli/**/*.ts'],
    ['functions', 'test'],
    'The command line is a host of its own: it reaches the Functions only through shared/.',
  ),
  ...fence(
    ['functions/**/*.ts'],
    ['cli', 'sim', 'test'],
    'The Function App ships without the command line and the simulator.',
  ),
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
