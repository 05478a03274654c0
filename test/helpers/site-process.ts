/** The site and its commands as real processes, as `npm start` and `npm run ...` run them. */
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { TEST_NODE_FLAGS } from './node-flags';

export interface SiteProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Standard output so far: pino's JSON lines. */
  logLines: string[];
  /** Standard error so far. */
  stderr(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

function environment(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', PLUGIN_DIRS: '', ...env };
}

/** Starts app/main.ts and resolves once it logs "Site ready"; rejects if it ends before. */
export function startSiteProcess(env: Record<string, string>): Promise<SiteProcess> {
  const child = spawn(process.execPath, [...TEST_NODE_FLAGS, '--import', 'tsx', 'app/main.ts'], { env: environment(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const logLines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    void exited.then((code) => reject(new Error(`site exited early with ${code}: ${stderr}${logLines.join('\n')}`)));
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      logLines.push(line);
      const entry = JSON.parse(line) as { msg: string; port?: number };
      if (entry.msg.startsWith('Site ready')) resolve({ child, baseUrl: `http://127.0.0.1:${entry.port}`, logLines, stderr: () => stderr, exited });
    });
  });
}

/** Sends SIGTERM; resolves with the exit code. */
export function stopSiteProcess(site: SiteProcess): Promise<number | null> {
  site.child.kill('SIGTERM');
  return site.exited;
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from spawn to exit. */
  tookMs: number;
  /** It ran past the time allowed and was killed. */
  timedOut: boolean;
}

/** Runs a script (`scripts/seed.ts`, or `app/main.ts` that should not start) to its end, or kills it after `timeoutMs`. */
export function runScript(script: string, args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CommandResult> {
  const started = Date.now();
  const child = spawn(process.execPath, [...TEST_NODE_FLAGS, '--import', 'tsx', script, ...args], { env: environment(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, tookMs: Date.now() - started, timedOut });
    }),
  );
}
