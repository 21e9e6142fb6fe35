/**
 * Invoke: runs the function's handler (runtime.ts) and answers as Lambda does.
 *
 *   - `RequestResponse` (the default): 200, the handler's result as the payload, or the
 *     error document with `X-Amz-Function-Error: Unhandled` (a thrown error, a timeout);
 *     `X-Amz-Executed-Version`; `LogType: Tail` adds the log's last 4 KB (base64) in
 *     `X-Amz-Log-Result`;
 *   - `Event`: 202 at once, the function runs in the background (no retries, no
 *     destinations: its result is dropped);
 *   - `DryRun`: 204 once the caller is authorized and the function exists.
 *
 * Authorized as `lambda:InvokeFunction` on the function's ARN (qualified when the request
 * names a version), with the function's resource policy: another account can invoke
 * what AddPermission granted it. An empty payload is the event `{}`; a payload that is
 * not JSON is InvalidRequestContentException, as in Lambda.
 *
 * Only Node.js functions run (a Gatehouse choice: the server is Node.js and needs nothing
 * else installed); invoking another runtime is InvalidRuntimeException.
 */
import type { InvocationRequest, InvocationResponse } from '@aws-sdk/client-lambda';
import { AwsError } from '../../models/errors.js';
import { KIND, functionArn, parseFunctionName, requireFunction, type CodeRecord } from './common.js';
import { logTail, type FunctionRuntime } from './runtime.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

/** Lambda's payload quotas: 6 MB synchronous, 1 MB asynchronous. */
const SYNC_LIMIT = 6_291_456;
const ASYNC_LIMIT = 1_048_576;

function payloadText(payload: InvocationRequest['Payload'] | string | undefined): string {
  if (payload === undefined) return '';
  return typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
}

/** The client context header (base64 JSON), as the function's `context.clientContext`. */
function clientContext(header: string | undefined): string | undefined {
  if (!header) return undefined;
  try {
    const text = Buffer.from(header, 'base64').toString('utf8');
    JSON.parse(text);
    return text;
  } catch {
    throw new AwsError('InvalidRequestContentException', 'Client context must be a valid Base64-encoded JSON object.');
  }
}

export function invokeHandlers(runtime: FunctionRuntime): Record<string, Handler> {
  return {
    async Invoke(input: InvocationRequest, ctx: ServiceContext): Promise<Out<InvocationResponse>> {
      const ref = parseFunctionName(ctx, input.FunctionName!, input.Qualifier);
      const fn = await requireFunction(ctx, 'lambda:InvokeFunction', ref);
      const type = input.InvocationType ?? 'RequestResponse';
      const text = payloadText(input.Payload);
      const limit = type === 'Event' ? ASYNC_LIMIT : SYNC_LIMIT;
      if (Buffer.byteLength(text) > limit) throw new AwsError('RequestTooLargeException', `Request must be smaller than ${limit} bytes for the InvokeFunction operation`, { status: 413 });
      const event = text.trim() === '' ? '{}' : text;
      try {
        JSON.parse(event);
      } catch (e) {
        throw new AwsError('InvalidRequestContentException', `Could not parse request body into json: Could not parse payload into json: ${(e as Error).message}`);
      }
      const context = clientContext(input.ClientContext);
      if (type === 'DryRun') return { StatusCode: 204 };
      if (!fn.Runtime?.startsWith('nodejs')) {
        throw new AwsError('InvalidRuntimeException', `The runtime parameter of ${fn.Runtime ?? 'provided'} is not supported by Gatehouse: only Node.js functions can be invoked.`, { status: 502 });
      }
      // The code is read through this request's store handle, so unzip it before answering.
      const zip = async (): Promise<Uint8Array> => {
        const code = await ctx.tx.get<CodeRecord>(ref.account, KIND.code, fn.CodeId);
        if (!code) throw new Error(`lambda: no code ${fn.CodeId}`);
        return Buffer.from(code.ZipFile, 'base64');
      };
      await runtime.prepare(fn.CodeId, zip);
      const run = runtime.invoke({
        codeId: fn.CodeId,
        zip,
        handler: fn.Handler ?? '',
        runtime: fn.Runtime,
        timeout: fn.Timeout,
        memorySize: fn.MemorySize,
        variables: fn.Variables ?? {},
        requestId: ctx.requestId,
        functionName: fn.FunctionName,
        functionVersion: fn.Version,
        invokedFunctionArn: functionArn(ref),
        region: ref.region,
        event,
        ...(context ? { clientContext: context } : {}),
      });
      if (type === 'Event') {
        run.catch(() => undefined);
        return { StatusCode: 202 };
      }
      const result = await run;
      return {
        StatusCode: 200,
        ...(result.functionError ? { FunctionError: result.functionError } : {}),
        ...(input.LogType === 'Tail' ? { LogResult: logTail(result.log) } : {}),
        ExecutedVersion: fn.Version,
        Payload: result.payload,
      };
    },
  };
}
