/**
 * Configuration, parsed once from the environment and validated.
 * Nothing else in the code base reads `process.env`.
 */
import path from 'node:path';

export interface Config {
  /** Port the HTTP server listens on. */
  port: number;
  /** Address the HTTP server binds to. */
  host: string;
  /** PostgreSQL URL; null means the embedded database under `dataDir`. */
  databaseUrl: string | null;
  /** Folder of the embedded database and other local state. */
  dataDir: string;
  /** How long to wait for a PostgreSQL connection, new or from the pool, in seconds. */
  databaseConnectTimeoutSeconds: number;
  /** Longest a PostgreSQL statement may run (and wait for an answer), in seconds; 0: no limit. */
  databaseStatementTimeoutSeconds: number;
  /** Password of the superuser `admin` created on first start; null means a random one. */
  adminPassword: string | null;
  /** pino log level. */
  logLevel: string;
  /** Trust X-Forwarded-* headers from a reverse proxy (and mark cookies Secure on https). */
  trustProxy: boolean;
  /** Title shown in the navigation bar and page titles. */
  siteTitle: string;
  /** Largest accepted request body, in bytes. */
  bodyLimitBytes: number;
  /** Session lifetime in seconds since the last request. */
  sessionMaxAgeSeconds: number;
  /** Failed logins allowed per username within the window. */
  loginThrottleMax: number;
  /** Failed logins allowed per client IP address within the window (higher: offices share IPs). */
  loginThrottleIpMax: number;
  /** Length of the login throttle window, in seconds. */
  loginThrottleWindowSeconds: number;
  /**
   * How long processes may serve state another process changed (sessions, users, plugin
   * switches): each keeps what it read for this long. 0 reads the database every time.
   */
  crossProcessDelaySeconds: number;
  /** Local delegates allowed per project (PROJECTROLES_DELEGATE_LIMIT); 0 means no limit. */
  delegateLimit: number;
  /** Anonymous visitors may see public projects (PROJECTROLES_ALLOW_ANONYMOUS). */
  allowAnonymous: boolean;
  /** Send each response's SQL statement count as X-Query-Count (for tests and benchmarks). */
  queryCountHeader: boolean;
  /** Backend plugins that may be used (ENABLED_BACKEND_PLUGINS); null means all registered ones. */
  enabledBackendPlugins: string[] | null;
  /** Folders whose subfolders are drop-in plugins. */
  pluginDirs: string[];
  /** What a plugin failing to load or start does: stop start-up, or mark it failed and go on. */
  pluginBootFailure: 'abort' | 'continue';
  /** Each plugin's configuration section, by plugin name (PLUGIN_CONFIG, JSON). */
  pluginConfig: Record<string, Record<string, unknown>>;
}

type Env = Record<string, string | undefined>;

/** A configuration value that stops start-up; the message names the key. */
export class ConfigError extends Error {
  constructor(key: string, problem: string, value: string) {
    super(`Configuration error: ${key} ${problem} (got ${JSON.stringify(value)})`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function readString(env: Env, key: string, fallback: string): string {
  const value = env[key];
  return value === undefined || value === '' ? fallback : value;
}

function readOptional(env: Env, key: string): string | null {
  const value = env[key];
  return value === undefined || value === '' ? null : value;
}

function readInteger(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new ConfigError(key, `must be an integer from ${min} to ${max}`, raw);
  }
  return value;
}

function readBoolean(env: Env, key: string, fallback: boolean): boolean {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(key, 'must be true or false', raw);
}

function readChoice(env: Env, key: string, fallback: string, choices: string[]): string {
  const value = readString(env, key, fallback);
  if (!choices.includes(value)) {
    throw new ConfigError(key, `must be one of ${choices.join(', ')}`, value);
  }
  return value;
}

function readDatabaseUrl(env: Env, key: string): string | null {
  const value = readOptional(env, key);
  if (value !== null && !/^postgres(ql)?:\/\//.test(value)) {
    throw new ConfigError(key, 'must be a postgres:// or postgresql:// URL', value);
  }
  return value;
}

function readList(env: Env, key: string): string[] | null {
  const value = env[key];
  if (value === undefined) return null;
  return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

function readPluginConfig(env: Env, key: string): Record<string, Record<string, unknown>> {
  const raw = readOptional(env, key);
  if (raw === null) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(key, 'must be JSON', raw);
  }
  const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject(parsed) || !Object.values(parsed as object).every(isObject)) {
    throw new ConfigError(key, 'must be a JSON object of plugin name to an object of settings', raw);
  }
  return parsed as Record<string, Record<string, unknown>>;
}

/** Reads the whole configuration; throws ConfigError naming the first bad key. */
export function loadConfig(env: Env, cwd: string = process.cwd()): Config {
  return {
    port: readInteger(env, 'PORT', 8000, 0, 65535),
    host: readString(env, 'HOST', '127.0.0.1'),
    databaseUrl: readDatabaseUrl(env, 'DATABASE_URL'),
    dataDir: path.resolve(cwd, readString(env, 'DATA_DIR', './data')),
    databaseConnectTimeoutSeconds: readInteger(env, 'DATABASE_CONNECT_TIMEOUT_SECONDS', 5, 1, 600),
    databaseStatementTimeoutSeconds: readInteger(env, 'DATABASE_STATEMENT_TIMEOUT_SECONDS', 5, 0, 3600),
    adminPassword: readOptional(env, 'ADMIN_PASSWORD'),
    logLevel: readChoice(env, 'LOG_LEVEL', 'info', LOG_LEVELS),
    trustProxy: readBoolean(env, 'TRUST_PROXY', false),
    siteTitle: readString(env, 'SITE_TITLE', 'SODAR Core TS'),
    bodyLimitBytes: readInteger(env, 'BODY_LIMIT_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    sessionMaxAgeSeconds: readInteger(env, 'SESSION_MAX_AGE_SECONDS', 14 * 24 * 3600, 60, 365 * 24 * 3600),
    loginThrottleMax: readInteger(env, 'LOGIN_THROTTLE_MAX', 10, 1, 1000000),
    loginThrottleIpMax: readInteger(env, 'LOGIN_THROTTLE_IP_MAX', 50, 1, 1000000),
    loginThrottleWindowSeconds: readInteger(env, 'LOGIN_THROTTLE_WINDOW_SECONDS', 900, 1, 86400),
    queryCountHeader: readBoolean(env, 'QUERY_COUNT_HEADER', false),
    allowAnonymous: readBoolean(env, 'ALLOW_ANONYMOUS', false),
    delegateLimit: readInteger(env, 'DELEGATE_LIMIT', 1, 0, 1000),
    crossProcessDelaySeconds: readInteger(env, 'CROSS_PROCESS_DELAY_SECONDS', 2, 0, 60),
    enabledBackendPlugins: readList(env, 'ENABLED_BACKEND_PLUGINS'),
    pluginDirs: (readList(env, 'PLUGIN_DIRS') ?? ['./plugins']).map((dir) => path.resolve(cwd, dir)),
    pluginBootFailure: readChoice(env, 'PLUGIN_BOOT_FAILURE', 'abort', ['abort', 'continue']) as 'abort' | 'continue',
    pluginConfig: readPluginConfig(env, 'PLUGIN_CONFIG'),
  };
}
