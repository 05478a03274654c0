import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { scratchDir } from '../helpers/scratch';
import { TEST_NODE_FLAGS } from '../helpers/node-flags';

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs node with `args`; independent runs go at once, since most of each is start-up. */
function run(args: string[], extraEnv: Record<string, string> = {}): Promise<{ status: number | null; output: string }> {
  // Without NODE_TEST_CONTEXT the child runs its tests as a top-level run of its own.
  const env = { ...process.env, ...extraEnv };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, [...TEST_NODE_FLAGS, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, output: `${stdout}\n${stderr}` }));
  });
}

describe('npm run new-plugin', () => {
  const dir = scratchDir('sodar-scaffold-');
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes backend, project and site plugins that type-check and pass their own tests', async () => {
    const types = ['backend', 'project', 'site'];
    for (const made of await Promise.all(types.map((type) => run(['--import', 'tsx', 'scripts/new-plugin.ts', `made_${type}`, '--type', type, '--dir', dir])))) {
      assert.equal(made.status, 0, made.output);
    }
    assert.ok(fs.existsSync(path.join(dir, 'made_project', 'views', 'page.ejs')));
    const again = await run(['--import', 'tsx', 'scripts/new-plugin.ts', 'made_site', '--type', 'site', '--dir', dir]);
    assert.equal(again.status, 2);
    assert.match(again.output, /exists already/);

    const tsconfig = path.join(dir, 'tsconfig.json');
    const compilerOptions = { typeRoots: [path.join(ROOT, 'node_modules', '@types')] };
    fs.writeFileSync(tsconfig, JSON.stringify({ extends: path.join(ROOT, 'tsconfig.json'), compilerOptions, include: [dir, path.join(ROOT, 'app', 'types.d.ts')] }));
    const tests = types.map((type) => path.join(dir, `made_${type}`, `made_${type}.test.ts`));
    const [typecheck, tested] = await Promise.all([run([path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig]), run(['--import', 'tsx', '--test', ...tests])]);
    assert.equal(typecheck.status, 0, typecheck.output);
    assert.equal(tested.status, 0, tested.output);
    assert.match(tested.output, /# fail 0/);
    assert.match(tested.output, /# pass (\d+)/);
  });

  it('refuses, before writing anything, a name the site would refuse at start', async () => {
    const other = scratchDir('sodar-scaffold-other-');
    try {
      // The folder of the first test is a plugin folder here: its made_backend is a drop-in.
      const refusals: Array<[string, RegExp]> = [
        ['timeline', /name "timeline" is already taken by the backend plugin TimelineBackendPlugin \(built in\)/],
        ['example_backend_app', /name "example_backend_app" is already taken by the backend plugin ExampleBackendPlugin \(built in\)/],
        ['plugins', /name "plugins" is reserved: the core serves the plugins page/],
        ['static', /name "static" is reserved: the core serves its files under \/static\//],
        ['api', /name "api" is reserved/],
        ['projectroles', /name "projectroles" is reserved: it is the core app/],
        ['made_backend', new RegExp(`name "made_backend" is already taken by the backend plugin MadeBackendPlugin \\(in ${path.join(dir, 'made_backend')}\\)`)],
      ];
      const runs = await Promise.all(refusals.map(([name]) => run(['--import', 'tsx', 'scripts/new-plugin.ts', name, '--type', 'site', '--dir', other], { PLUGIN_DIRS: dir })));
      for (const [index, [name, message]] of refusals.entries()) {
        const made = runs[index]!;
        assert.equal(made.status, 2, `${name}: ${made.output}`);
        assert.match(made.output, /The site would refuse this plugin: /);
        assert.match(made.output, message);
      }
      assert.deepEqual(fs.readdirSync(other), []);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});
