import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

const ROOT = path.resolve(__dirname, '..', '..');

function run(args: string[], extraEnv: Record<string, string> = {}) {
  // Without NODE_TEST_CONTEXT the child runs its tests as a top-level run of its own.
  const env = { ...process.env, ...extraEnv };
  delete env.NODE_TEST_CONTEXT;
  const result = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe('npm run new-plugin', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sodar-scaffold-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes backend, project and site plugins that type-check and pass their own tests', () => {
    for (const type of ['backend', 'project', 'site']) {
      const made = run(['--import', 'tsx', 'scripts/new-plugin.ts', `made_${type}`, '--type', type, '--dir', dir]);
      assert.equal(made.status, 0, made.output);
    }
    assert.ok(fs.existsSync(path.join(dir, 'made_project', 'views', 'page.ejs')));
    const again = run(['--import', 'tsx', 'scripts/new-plugin.ts', 'made_site', '--type', 'site', '--dir', dir]);
    assert.equal(again.status, 2);
    assert.match(again.output, /exists already/);

    const tsconfig = path.join(dir, 'tsconfig.json');
    const compilerOptions = { typeRoots: [path.join(ROOT, 'node_modules', '@types')] };
    fs.writeFileSync(tsconfig, JSON.stringify({ extends: path.join(ROOT, 'tsconfig.json'), compilerOptions, include: [dir, path.join(ROOT, 'app', 'types.d.ts')] }));
    const typecheck = run([path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig]);
    assert.equal(typecheck.status, 0, typecheck.output);

    const tests = ['backend', 'project', 'site'].map((type) => path.join(dir, `made_${type}`, `made_${type}.test.ts`));
    const tested = run(['--import', 'tsx', '--test', ...tests]);
    assert.equal(tested.status, 0, tested.output);
    assert.match(tested.output, /# fail 0/);
    assert.match(tested.output, /# pass (\d+)/);
  });

  it('refuses, before writing anything, a name the site would refuse at start', () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'sodar-scaffold-other-'));
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
      for (const [name, message] of refusals) {
        const made = run(['--import', 'tsx', 'scripts/new-plugin.ts', name, '--type', 'site', '--dir', other], { PLUGIN_DIRS: dir });
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
