/**
 * Running a function: its deployment package unzipped once per CodeSha256 into a
 * temporary folder (the task root), then one child process per invocation: `node` with
 * runner.js, which imports the handler and calls it (see runner.ts). No process pool:
 * a child costs some 50 ms to start, and every invocation is a cold start.
 *
 * The child gets a clean environment, never the server's: the function's variables and
 * the ones Lambda defines (AWS_LAMBDA_FUNCTION_NAME, AWS_REGION, LAMBDA_TASK_ROOT...;
 * Lambda Developer Guide, "Defined runtime environment variables"). The execution role's
 * credentials (AWS_ACCESS_KEY_ID...) are not provided.
 *
 * The timeout is enforced by killing the child; the result is Lambda's:
 * `{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: <id> Error: Task timed out
 * after 3.00 seconds"}` with FunctionError `Unhandled`. The log is Lambda's too: START,
 * the function's output, END and REPORT lines; `LogType: Tail` returns its last 4 KB.
 *
 * The code is not sandboxed beyond that: it runs as the server's user, on its machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';

/** Lambda's limit on a function's unzipped size (deployment package quotas). */
export const UNZIPPED_LIMIT = 262_144_000;

/** Unzip a deployment package; throws the message CreateFunction reports for a broken zip. */
export function unzip(zip: Uint8Array): Record<string, Uint8Array> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch {
    throw new ZipError('Could not unzip uploaded file. Please check your file, then try to upload again.');
  }
  const size = Object.values(files).reduce((n, f) => n + f.length, 0);
  if (size > UNZIPPED_LIMIT) throw new ZipError(`Unzipped size must be smaller than ${UNZIPPED_LIMIT} bytes`);
  return files;
}

export class ZipError extends Error {}

export interface Invocation {
  /** The function's code: its id (SHA-256 hex) and a way to read the zip when it is not unzipped yet. */
  readonly codeId: string;
  readonly zip: () => Promise<Uint8Array>;
  readonly handler: string;
  readonly runtime: string;
  readonly timeout: number;
  readonly memorySize: number;
  readonly variables: Readonly<Record<string, string>>;
  readonly requestId: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly region: string;
  /** The event, as JSON text. */
  readonly event: string;
  readonly clientContext?: string;
}

export interface InvocationResult {
  /** The response payload (the handler's result as JSON, or the error document). */
  readonly payload: Buffer;
  readonly functionError?: 'Unhandled';
  /** The invocation's log: START, output, END, REPORT. */
  readonly log: string;
}

interface Outcome {
  readonly ok: boolean;
  readonly payload?: string;
  readonly error?: { errorType: string; errorMessage: string; trace: readonly string[] };
  readonly maxRssMb?: number;
}

const RUNNER = join(dirname(fileURLToPath(import.meta.url)), 'runner.js');
/** Lambda's limit on a synchronous response payload. */
const RESPONSE_LIMIT = 6_291_556;

export class FunctionRuntime {
  private root: string | undefined;
  private readonly unzipped = new Map<string, Promise<string>>();
  private readonly running = new Set<ChildProcess>();

  /** The task root for a deployment package, unzipped on first use. */
  private taskRoot(codeId: string, zip: () => Promise<Uint8Array>): Promise<string> {
    let dir = this.unzipped.get(codeId);
    if (!dir) {
      dir = (async () => {
        this.root ??= mkdtempSync(join(tmpdir(), 'gatehouse-lambda-'));
        const target = join(this.root, codeId);
        const staging = mkdtempSync(join(this.root, 'unzip-'));
        for (const [name, data] of Object.entries(unzip(await zip()))) {
          const path = normalize(join(staging, name));
          // Entries may not leave the task root (`../`, absolute names).
          if (!path.startsWith(staging + sep)) continue;
          if (name.endsWith('/')) {
            mkdirSync(path, { recursive: true });
            continue;
          }
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, data);
        }
        renameSync(staging, target);
        return target;
      })();
      this.unzipped.set(codeId, dir);
      dir.catch(() => this.unzipped.delete(codeId));
    }
    return dir;
  }

  /** Unzip the function's code now (before a request's store handle is gone), if it is not already. */
  prepare(codeId: string, zip: () => Promise<Uint8Array>): Promise<string> {
    return this.taskRoot(codeId, zip);
  }

  async invoke(inv: Invocation): Promise<InvocationResult> {
    const taskRoot = await this.taskRoot(inv.codeId, inv.zip);
    const started = performance.now();
    const startedAt = Date.now();
    const logGroupName = `/aws/lambda/${inv.functionName}`;
    const day = new Date(startedAt).toISOString().slice(0, 10).replaceAll('-', '/');
    const logStreamName = `${day}/[${inv.functionVersion}]${inv.requestId.replaceAll('-', '')}`;
    const env: Record<string, string> = {
      PATH: '/usr/local/bin:/usr/bin/:/bin:/opt/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      LD_LIBRARY_PATH: '/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib',
      NODE_PATH: '/opt/nodejs/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task',
      ...inv.variables,
      _HANDLER: inv.handler,
      AWS_REGION: inv.region,
      AWS_DEFAULT_REGION: inv.region,
      AWS_EXECUTION_ENV: `AWS_Lambda_${inv.runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: inv.functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(inv.memorySize),
      AWS_LAMBDA_FUNCTION_VERSION: inv.functionVersion,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: logGroupName,
      AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
      LAMBDA_TASK_ROOT: taskRoot,
      LAMBDA_RUNTIME_DIR: '/var/runtime',
    };
    const request = JSON.stringify({
      handler: inv.handler,
      taskRoot,
      event: inv.event,
      requestId: inv.requestId,
      functionName: inv.functionName,
      functionVersion: inv.functionVersion,
      invokedFunctionArn: inv.invokedFunctionArn,
      memoryLimitInMB: String(inv.memorySize),
      logGroupName,
      logStreamName,
      deadline: startedAt + inv.timeout * 1000,
      ...(inv.clientContext ? { clientContext: inv.clientContext } : {}),
    });

    const child = spawn(process.execPath, [RUNNER], { cwd: taskRoot, env, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    this.running.add(child);
    const output: Buffer[] = [];
    const channel: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => output.push(c));
    child.stderr.on('data', (c: Buffer) => output.push(c));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => channel.push(c));
    child.stdin.on('error', () => undefined);
    child.stdin.end(request);

    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, inv.timeout * 1000);
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('error', () => resolve({ code: null, signal: null }));
      child.on('close', (code, signal) => resolve({ code, signal }));
      // A process the function started may hold the pipes open after the child is gone.
      child.on('exit', (code, signal) => setTimeout(() => resolve({ code, signal }), 200).unref());
    });
    clearTimeout(timer);
    this.running.delete(child);
    const duration = performance.now() - started;

    const outcome = parseOutcome(Buffer.concat(channel).toString('utf8'));
    const stamp = (): string => new Date().toISOString();
    let payload: string;
    let failed: boolean;
    let tail = '';
    if (timedOut) {
      const seconds = inv.timeout.toFixed(2);
      payload = JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${inv.requestId} Error: Task timed out after ${seconds} seconds` });
      failed = true;
      tail = `${stamp()} ${inv.requestId} Task timed out after ${seconds} seconds\n`;
    } else if (outcome?.ok && outcome.payload !== undefined) {
      payload = outcome.payload;
      failed = false;
      if (Buffer.byteLength(payload) > RESPONSE_LIMIT) {
        payload = JSON.stringify({ errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${RESPONSE_LIMIT} bytes).` });
        failed = true;
      }
    } else if (outcome?.error) {
      payload = JSON.stringify(outcome.error);
      failed = true;
    } else {
      const why = exit.signal ? `signal: ${exit.signal}` : `exit status ${exit.code ?? 1}`;
      payload = JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${inv.requestId} Error: Runtime exited with error: ${why}` });
      failed = true;
      tail = `RequestId: ${inv.requestId} Error: Runtime exited with error: ${why}\nRuntime.ExitError\n`;
    }
    const ms = duration.toFixed(2);
    const billed = Math.max(1, Math.ceil(duration));
    const log =
      `START RequestId: ${inv.requestId} Version: ${inv.functionVersion}\n` +
      Buffer.concat(output).toString('utf8') +
      tail +
      `END RequestId: ${inv.requestId}\n` +
      `REPORT RequestId: ${inv.requestId}\tDuration: ${ms} ms\tBilled Duration: ${billed} ms\tMemory Size: ${inv.memorySize} MB\tMax Memory Used: ${outcome?.maxRssMb ?? 0} MB\t${timedOut ? 'Status: timeout\t' : ''}\n`;
    return { payload: Buffer.from(payload), ...(failed ? { functionError: 'Unhandled' as const } : {}), log };
  }

  /** Stop running invocations and remove the unzipped code. */
  close(): Promise<void> {
    for (const child of this.running) child.kill('SIGKILL');
    this.running.clear();
    this.unzipped.clear();
    if (this.root) rmSync(this.root, { recursive: true, force: true });
    this.root = undefined;
    return Promise.resolve();
  }
}

function parseOutcome(text: string): Outcome | undefined {
  const line = text.split('\n').find((l) => l.trim());
  if (!line) return undefined;
  try {
    return JSON.parse(line) as Outcome;
  } catch {
    return undefined;
  }
}

/** The last 4 KB of a log, base64: Invoke's LogResult for `LogType: Tail`. */
export function logTail(log: string): string {
  const bytes = Buffer.from(log);
  return bytes.subarray(Math.max(0, bytes.length - 4096)).toString('base64');
}
