// The house rules, checked: no import cycle, the lint fences between layers hold, and the Function App's package
// ships the Functions and the core only, never the command line, the simulator or the tests.
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import ignore from 'ignore';
import madge from 'madge';

const ROOT = join(__dirname, '../..');

test('no module imports itself through others', async () => {
  const graph = await madge(
    ['shared', 'functions', 'cli', 'sim'].map((d) => join(ROOT, d)),
    { fileExtensions: ['ts'], tsConfig: join(ROOT, 'tsconfig.json') },
  );
  expect(graph.circular()).toEqual([]);
}, 60_000);

describe('the lint fences', () => {
  // The project's own config with only the fence rule and no type information, so that virtual files can be linted;
  // in a child process, because ESLint loads its config as an ES module.
  const LINTER = `
    const { ESLint } = require('eslint');
    const eslint = new ESLint({ cwd: process.cwd(), overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } }, ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports' });
    const [file, imports] = JSON.parse(process.argv[1]);
    eslint.lintText(imports + '\\nexport const used = 1;\\n', { filePath: require('node:path').join(process.cwd(), file) })
      .then(([result]) => console.log(JSON.stringify(result.messages.map((m) => m.ruleId))));
  `;
  const lint = async (file: string, imports: string): Promise<unknown> => {
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', LINTER, JSON.stringify([file, imports])], {
      cwd: ROOT,
    });
    return JSON.parse(stdout);
  };

  test.each([
    [
      'shared/service/x.ts',
      "import { runAndPrint } from '../../cli/run-cycle';",
      'the core importing the command line',
    ],
    [
      'shared/storage/x.ts',
      "import { runtime } from '../../functions/lib/runtime';",
      'the core importing the Function App',
    ],
    [
      'shared/probes/x.ts',
      "import { startSimulatedCloud } from '../../sim/server';",
      'the core importing the simulator',
    ],
    ['shared/core/x.ts', "import { send } from '../clients/http';", 'a pure decision calling a client'],
    ['shared/diagnosis/x.ts', "import { request } from 'undici';", 'a pure decision importing a runtime package'],
    [
      'shared/alerts/x.ts',
      "import { TableResultStore } from '../storage/result-store';",
      'a pure decision touching storage',
    ],
    ['sim/x.ts', "import { runtime } from '../functions/lib/runtime';", 'the simulator importing a host'],
    [
      'functions/x.ts',
      "import { startSimulatedCloud } from '../sim/server';",
      'the Function App importing the simulator',
    ],
    ['cli/x.ts', "import { handler } from '../functions/check-tenant';", 'the command line importing the Function App'],
  ])('%s: %s is refused (%s)', async (file, imports) => {
    expect(await lint(file, imports)).toEqual(['no-restricted-imports']);
  });

  test.each([
    ['shared/core/x.ts', "import type { HttpLimits } from '../clients/http';\nimport { z } from 'zod';"],
    ['shared/service/x.ts', "import { send } from '../clients/http';\nimport { RULES } from '../diagnosis/rules';"],
    [
      'cli/x.ts',
      "import { startSimulatedCloud } from '../sim/server';\nimport { createServices } from '../shared/service/services';",
    ],
  ])('%s may import what its layer uses', async (file, imports) => {
    expect(await lint(file, imports)).toEqual([]);
  });
});

test('the Function App package holds the Functions and the core, and neither the command line, the simulator nor the tests', () => {
  const rules = ignore().add(readFileSync(join(ROOT, '.funcignore'), 'utf8'));
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const rel = relative(ROOT, path);
      if (['node_modules', '.git'].includes(rel)) continue;
      if (statSync(path).isDirectory()) walk(path);
      else files.push(rel);
    }
  };
  walk(ROOT);
  const shipped = files.filter((f) => !rules.ignores(f));
  expect(shipped).toEqual(
    expect.arrayContaining([
      'host.json',
      'package.json',
      'dist/functions/check-tenant.js',
      'dist/shared/service/pipeline.js',
    ]),
  );
  expect(
    shipped.filter(
      (f) => /^(dist\/)?(cli|sim|test|bench|scripts|bin)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')),
    ),
  ).toEqual([]);
  expect(shipped.filter((f) => !/^(dist\/(functions|shared)\/|host\.json$|package(-lock)?\.json$)/.test(f))).toEqual(
    [],
  );
});

test.each(['status-summary', 'status-detail', 'status-badge', 'status-page', 'fleet'])(
  'importing functions/%s loads none of the checking half (MSAL, Key Vault, the storage SDKs, undici, zod)',
  (name) => {
    // What the host pays to index a status route is what its file loads; the clients load on the first request.
    const script = `require(${JSON.stringify(join(ROOT, 'dist/functions', `${name}.js`))}); process.stdout.write(JSON.stringify(Object.keys(require.cache)))`;
    const loaded = JSON.parse(
      execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    ) as string[];
    const packageOf = (path: string) => {
      const [scope, name] = path.split('node_modules/').pop()!.split('/');
      return scope!.startsWith('@') ? `${scope}/${name}` : scope!;
    };
    const packages = new Set(loaded.filter((path) => path.includes('node_modules')).map(packageOf));
    for (const heavy of [
      '@azure/msal-node',
      '@azure/keyvault-secrets',
      '@azure/data-tables',
      '@azure/storage-queue',
      '@azure/identity',
      'undici',
      'zod',
      'fast-xml-parser',
    ])
      expect([...packages]).not.toContain(heavy);
  },
);
