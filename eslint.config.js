// Lint holds the layer arrows: cli -> actions -> aws/kube/policy; ui alone renders and prompts.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const uiOnly = ['chalk', 'ora', 'inquirer', '@inquirer/*'];
// The capability groups of src/actions, lowest first: engine (plan/apply model) < binding (one
// binding's planners) < lifecycle and report (commands over bindings) < fleet and migrate.
const ACTION_ORDER = ['engine', 'binding', 'lifecycle', 'report', 'fleet', 'migrate'];
const ACTION_GROUPS_ABOVE = {
  engine: ['binding', 'lifecycle', 'report', 'fleet', 'migrate'],
  binding: ['lifecycle', 'report', 'fleet', 'migrate'],
  lifecycle: ['report', 'fleet', 'migrate'],
  report: ['lifecycle', 'fleet', 'migrate'],
  fleet: ['report', 'migrate'],
  migrate: ['lifecycle', 'fleet'],
};
// Static imports, and dynamic import() too: heavy modules are loaded lazily, so most crossings
// of a layer would be dynamic.
const asRegex = (patterns) =>
  patterns
    .map((p) => p.replace(/[.]/g, '\\.').replace(/\//g, '\\/').replace(/\*/g, '.*'))
    .join('|');
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
  'no-restricted-syntax': [
    'error',
    { selector: `ImportExpression[source.value=/^(${asRegex(patterns)})$/]`, message },
  ],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/ui/**', 'src/cli/**'],
    rules: {
      ...restrict(
        [...uiOnly, 'commander'],
        'chalk/ora/inquirer live in src/ui, commander in src/cli.',
      ),
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'Only src/cli exits the process.' },
      ],
    },
  },
  {
    // src/ui implements and renders the actions' interfaces (types only); it never runs a use case.
    files: ['src/ui/**/*.ts'],
    rules: {
      ...restrict(['commander', '../cli/*'], 'src/ui renders; it does not wire commands.'),
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../actions/*'],
              allowTypeImports: true,
              message: 'src/ui may use action types only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: restrict(uiOnly, 'chalk/ora/inquirer live in src/ui.'),
  },
  {
    files: ['src/policy/**/*.ts'],
    rules: restrict(
      [
        ...uiOnly,
        'commander',
        '@aws-sdk/*',
        '@kubernetes/*',
        'node:fs',
        'node:https',
        '../aws/*',
        '../kube/*',
        '../actions/*',
        '../cli/*',
      ],
      'src/policy is pure: no I/O, no clients.',
    ),
  },
  {
    files: ['src/aws/**/*.ts', 'src/kube/**/*.ts'],
    rules: restrict(
      [...uiOnly, 'commander', '../actions/*', '../cli/*'],
      'Client modules do not depend on use cases or the CLI.',
    ),
  },
  {
    files: ['src/actions/**/*.ts'],
    rules: restrict(
      [...uiOnly, 'commander', '**/cli/*', '**/ui/*'],
      'Actions report through the Reporter interface; they never print.',
    ),
  },
  // src/actions is grouped by capability; a group imports only the groups below it.
  ...Object.entries(ACTION_GROUPS_ABOVE).map(([group, above]) => ({
    files: [`src/actions/${group}/**/*.ts`],
    rules: restrict(
      [...uiOnly, 'commander', '**/cli/*', '**/ui/*', ...above.map((g) => `**/actions/${g}/*`)],
      `src/actions/${group} may import only ${ACTION_ORDER.filter((g) => g !== group && !above.includes(g)).join(', ') || 'no other group'} of src/actions (and aws, kube, policy).`,
    ),
  })),
  {
    // No import cycle anywhere in src, type-only imports included: a cycle is two files that
    // cannot be understood (or moved) apart.
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver()],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
);
