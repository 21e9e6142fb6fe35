/**
 * Integration-test harness: a real Gatehouse server on an ephemeral port (in memory by
 * default), and clients pointed at it. Never a mock: requests go over HTTP, signed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { Gatehouse, type GatehouseOptions } from '../../src/server/app.js';

export const ROOT = { accessKeyId: 'test', secretAccessKey: 'test' } as const;
export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';

export interface Running {
  readonly gatehouse: Gatehouse;
  readonly port: number;
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startServer(options: GatehouseOptions = {}): Promise<Running> {
  const gatehouse = await Gatehouse.create({ port: 0, log: () => undefined, ...options });
  const port = await gatehouse.listen();
  return { gatehouse, port, endpoint: `http://127.0.0.1:${port}`, close: () => gatehouse.close() };
}

export interface Keys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** SDK v3 client configuration for the server and a set of credentials. */
export function clientConfig(endpoint: string, credentials: Keys = ROOT, region = REGION) {
  return { endpoint, region, credentials, maxAttempts: 1 };
}

const run = promisify(execFile);

/** The AWS CLI v2 (Debian's /usr/bin/aws; it ignores AWS_ENDPOINT_URL, so --endpoint-url). */
export async function awsCli(endpoint: string, args: readonly string[], credentials: Keys = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('/usr/bin/aws', ['--endpoint-url', endpoint, '--output', 'json', ...args], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
        AWS_DEFAULT_REGION: REGION,
        AWS_PAGER: '',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** boto3 (a second, stricter parser): runs a Python snippet with `client(name)` defined. */
export async function boto3(endpoint: string, script: string, credentials: Keys = ROOT): Promise<string> {
  const prelude = `import boto3, json, sys\nfrom datetime import datetime\ndef client(name, region='${REGION}'):\n    return boto3.client(name, endpoint_url='${endpoint}', region_name=region, aws_access_key_id='${credentials.accessKeyId}', aws_secret_access_key='${credentials.secretAccessKey}'${credentials.sessionToken ? `, aws_session_token='${credentials.sessionToken}'` : ''})\n`;
  const { stdout } = await run('python3', ['-c', prelude + script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' } });
  return stdout;
}

/** A port nothing listens on right now (for servers started as their own process). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** The server as its own process (`gatehouse serve`), for kill and restart tests. */
export function spawnServer(dataDir: string, port: number, extraArgs: readonly string[] = []): ChildProcess {
  const cli = join(import.meta.dirname, '..', '..', 'src', 'cli', 'index.js');
  return spawn(process.execPath, [cli, 'serve', '--port', String(port), '--data', dataDir, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface Started {
  readonly child: ChildProcess;
  /** Spawn to the "gatehouse listening" line, measured here. */
  readonly observedMs: number;
  /** What the server reports in that line. */
  readonly startupMs: number;
  /** What the server has written to stderr so far (its log; the first 100 kB). */
  stderr(): string;
}

/** Spawn the server and wait for its "gatehouse listening" line. */
export async function startProcess(dataDir: string, port: number, extraArgs: readonly string[] = []): Promise<Started> {
  const t0 = performance.now();
  const child = spawnServer(dataDir, port, extraArgs);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    if (stderr.length < 100_000) stderr += c.toString();
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within 10 s: ${stderr}`));
    }, 10_000);
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    };
    child.once('exit', onExit);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.includes('"gatehouse listening"'));
      if (!line) return;
      const observedMs = performance.now() - t0;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      resolve({ child, observedMs, startupMs: (JSON.parse(line) as { startupMs: number }).startupMs, stderr: () => stderr });
    });
  });
}

