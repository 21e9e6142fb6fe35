/**
 * The Node.js runtime inside a function's child process (started by runtime.ts, never
 * imported by the server). It does what Lambda's Node.js runtime interface client does
 * for one invocation:
 *
 *   - reads the invocation (handler, event, context facts) as JSON from stdin;
 *   - imports the handler module from the task root (`file.js` as its package scope
 *     says, CommonJS by default; `file.mjs` as ESM; `file.cjs` as CommonJS), finds the
 *     export the handler string names (`index.handler`, `src/app.nested.fn`);
 *   - calls it with the event and a context object; an async handler's promise, or a
 *     callback-style handler's callback (waiting for the event loop to empty when
 *     `callbackWaitsForEmptyEventLoop` is true, as Lambda does) gives the result;
 *   - writes console output in Lambda's text log format
 *     (`<time>\t<request id>\t<LEVEL>\t<message>`) to stdout, and the outcome as one
 *     JSON line to file descriptor 3: `{"ok":true,"payload":"<JSON>"}` or
 *     `{"ok":false,"error":{"errorType","errorMessage","trace"}}`.
 *
 * Errors are reported as the runtime reports them (Runtime.ImportModuleError,
 * Runtime.HandlerNotFound, Runtime.UserCodeSyntaxError, Runtime.UnhandledPromiseRejection,
 * Runtime.MalformedHandlerName, or the thrown error's name).
 */
import { existsSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format, types } from 'node:util';

interface Invocation {
  readonly handler: string;
  readonly taskRoot: string;
  readonly event: string;
  readonly requestId: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly deadline: number;
  readonly clientContext?: string;
}

interface ErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

type Callback = (error?: unknown, result?: unknown) => void;
type HandlerFn = (event: unknown, context: object, callback: Callback) => unknown;

const invocation = JSON.parse(readFileSync(0, 'utf8')) as Invocation;
let reported = false;

/** Lambda's Node.js runtime's error shape (Errors.js, toRapidResponse). */
function toPayload(error: unknown): ErrorPayload {
  try {
    if (types.isNativeError(error) || (error instanceof Object && 'stack' in error && 'message' in error)) {
      const e = error as Error;
      return { errorType: e.name, errorMessage: e.message, trace: (e.stack ?? '').split('\n') };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return { errorType: 'handled', errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack', trace: [] };
  }
}

function log(level: string, message: string): void {
  process.stdout.write(`${new Date().toISOString()}\t${invocation.requestId}\t${level}\t${message}\n`);
}

function report(outcome: { ok: true; payload: string } | { ok: false; error: ErrorPayload }): void {
  if (reported) return;
  reported = true;
  if (!outcome.ok) log('ERROR', `Invoke Error \t${JSON.stringify({ errorType: outcome.error.errorType, errorMessage: outcome.error.errorMessage, stack: outcome.error.trace })}`);
  writeSync(3, `${JSON.stringify({ ...outcome, maxRssMb: Math.ceil(process.resourceUsage().maxRSS / 1024) })}\n`);
  process.exit(0);
}

function succeed(result: unknown): void {
  let payload: string | undefined;
  try {
    payload = JSON.stringify(result === undefined ? null : result);
  } catch {
    return report({ ok: false, error: { errorType: 'Runtime.MarshalError', errorMessage: 'Unable to stringify response body', trace: [] } });
  }
  report({ ok: true, payload: payload ?? 'null' });
}

const fail = (error: unknown): void => report({ ok: false, error: toPayload(error) });

for (const [method, level] of [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']] as const) {
  console[method] = (...args: unknown[]): void => log(level, format(...args));
}

process.on('uncaughtException', (e) => fail(e));
process.on('unhandledRejection', (reason) => {
  const error = toPayload(reason);
  report({ ok: false, error: { errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: `${error.errorType}: ${error.errorMessage}`, trace: error.trace } });
});

/** Import the module a handler string names, trying the extensions Lambda tries. */
async function loadModule(root: string, module: string): Promise<Record<string, unknown>> {
  for (const ext of ['.js', '.mjs', '.cjs']) {
    const file = join(root, module + ext);
    if (!existsSync(file)) continue;
    try {
      return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (e) {
      if (e instanceof SyntaxError) throw Object.assign(new Error(`${e.name}: ${e.message}`), { name: 'Runtime.UserCodeSyntaxError', stack: `Runtime.UserCodeSyntaxError: ${e.name}: ${e.message}` });
      throw e;
    }
  }
  throw Object.assign(new Error(`Error: Cannot find module '${module}'\nRequire stack:\n- /var/runtime/index.mjs`), { name: 'Runtime.ImportModuleError' });
}

async function main(): Promise<void> {
  const full = invocation.handler;
  const slash = full.lastIndexOf('/');
  const dir = slash >= 0 ? full.slice(0, slash) : '';
  const moduleAndPath = full.slice(slash + 1);
  const dot = moduleAndPath.indexOf('.');
  if (dot <= 0 || dot === moduleAndPath.length - 1) throw Object.assign(new Error(`Bad handler ${full}`), { name: 'Runtime.MalformedHandlerName' });
  const module = moduleAndPath.slice(0, dot);
  const exported = await loadModule(join(invocation.taskRoot, dir), module);
  let fn: unknown = exported;
  for (const key of moduleAndPath.slice(dot + 1).split('.')) {
    const here = fn as Record<string, unknown> | undefined;
    // A CommonJS module's exports may be reached only through the namespace's default.
    fn = here?.[key] ?? (here === exported ? (exported.default as Record<string, unknown> | undefined)?.[key] : undefined);
  }
  if (typeof fn !== 'function') throw Object.assign(new Error(`${moduleAndPath} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  const handler = fn as HandlerFn;

  let pending: { result: unknown } | undefined;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: invocation.functionName,
    functionVersion: invocation.functionVersion,
    invokedFunctionArn: invocation.invokedFunctionArn,
    memoryLimitInMB: invocation.memoryLimitInMB,
    awsRequestId: invocation.requestId,
    logGroupName: invocation.logGroupName,
    logStreamName: invocation.logStreamName,
    ...(invocation.clientContext ? { clientContext: JSON.parse(invocation.clientContext) as unknown } : {}),
    getRemainingTimeInMillis: (): number => Math.max(0, invocation.deadline - Date.now()),
    done: (error?: unknown, result?: unknown): void => callback(error, result),
    succeed: (result?: unknown): void => callback(null, result),
    fail: (error?: unknown): void => callback(error ?? 'handled'),
  };
  const callback: Callback = (error, result) => {
    if (pending || reported) return;
    if (error !== undefined && error !== null) return fail(error);
    if (!context.callbackWaitsForEmptyEventLoop) return succeed(result);
    pending = { result };
  };
  // Callback style: the result is sent once the event loop is empty (or null if the
  // handler never called back), as Lambda's runtime does.
  process.on('beforeExit', () => succeed(pending?.result ?? null));
  const returned = handler(JSON.parse(invocation.event) as unknown, context, callback);
  if (returned !== null && typeof returned === 'object' && typeof (returned as Promise<unknown>).then === 'function') {
    (returned as Promise<unknown>).then(succeed, fail);
  }
}

main().catch(fail);
