/**
 * Invoke runs the handler: results, thrown errors, timeouts, callback and ESM handlers,
 * environment variables (and none of the server's), Event (202) and DryRun (204),
 * LogType Tail, versions, the runtime's own errors; through the SDK, the AWS CLI v2 and
 * boto3; and CloudTrail, where Invoke is a data event that event history does not show.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IAMClient } from '@aws-sdk/client-iam';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { InvokeCommand, LambdaClient, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { ACCOUNT, awsCli, boto3, clientConfig, startServer, type Running } from '../../helpers/server.js';
import { allow, iamClient, policyDoc, rejects, userWithKey } from '../iam/helpers.js';
import { cjs, createFunction, executionRole, text, zip } from './helpers.js';

const ARN = (name: string): string => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

describe('Lambda Invoke', () => {
  let server: Running;
  let iam: IAMClient;
  let lambda: LambdaClient;
  let role: string;
  let scratch: string;
  const invoke = (FunctionName: string, payload?: unknown, extra: Partial<ConstructorParameters<typeof InvokeCommand>[0]> = {}) =>
    lambda.send(new InvokeCommand({ FunctionName, ...(payload !== undefined ? { Payload: JSON.stringify(payload) } : {}), ...extra }));

  before(async () => {
    server = await startServer();
    iam = iamClient(server.endpoint);
    lambda = new LambdaClient(clientConfig(server.endpoint));
    role = await executionRole(iam, 'fn-role');
    scratch = mkdtempSync(join(tmpdir(), 'lambda-invoke-'));
  });
  after(async () => {
    lambda.destroy();
    iam.destroy();
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('returns the handler\'s result as the payload (200, $LATEST), with the event and the context', async () => {
    await createFunction(lambda, role, 'echo', cjs('{ event, name: context.functionName, arn: context.invokedFunctionArn, id: context.awsRequestId, memory: context.memoryLimitInMB, left: context.getRemainingTimeInMillis() > 0 }'));
    const out = await invoke('echo', { a: 1, b: ['x'] });
    assert.deepEqual([out.StatusCode, out.FunctionError, out.ExecutedVersion, out.LogResult], [200, undefined, '$LATEST', undefined]);
    assert.deepEqual(JSON.parse(text(out.Payload)), { event: { a: 1, b: ['x'] }, name: 'echo', arn: ARN('echo'), id: out.$metadata.requestId, memory: '128', left: true });
    // No payload is the event {}; a handler returning nothing answers null.
    assert.deepEqual(JSON.parse(text((await invoke('echo')).Payload)).event, {});
    await createFunction(lambda, role, 'nothing', cjs('undefined'));
    assert.equal(text((await invoke('nothing', {})).Payload), 'null');
  });

  it('a thrown error is the payload {errorType, errorMessage, trace} with FunctionError Unhandled', async () => {
    await createFunction(lambda, role, 'thrower', zip({ 'index.js': 'class VpnError extends Error { constructor(m) { super(m); this.name = "VpnError"; } }\nexports.handler = async () => { throw new VpnError("no such user"); };\n' }));
    const out = await invoke('thrower', {});
    assert.deepEqual([out.StatusCode, out.FunctionError], [200, 'Unhandled']);
    const payload = JSON.parse(text(out.Payload)) as { errorType: string; errorMessage: string; trace: string[] };
    assert.deepEqual(Object.keys(payload), ['errorType', 'errorMessage', 'trace']);
    assert.deepEqual([payload.errorType, payload.errorMessage, payload.trace[0]], ['VpnError', 'no such user', 'VpnError: no such user']);
    // A non-Error value thrown: its type and text, as the Node.js runtime reports it.
    await createFunction(lambda, role, 'throw-string', zip({ 'index.js': 'exports.handler = async () => { throw "plain"; };\n' }));
    assert.deepEqual(JSON.parse(text((await invoke('throw-string', {})).Payload)), { errorType: 'string', errorMessage: 'plain', trace: [] });
  });

  it('kills a function at its Timeout: 200, Unhandled, Sandbox.Timedout "Task timed out after 1.00 seconds"', async () => {
    await createFunction(lambda, role, 'sleeper', zip({ 'index.js': 'exports.handler = async () => { await new Promise((r) => setTimeout(r, 3000)); return "woke"; };\n' }), { Timeout: 1 });
    const started = Date.now();
    const out = await invoke('sleeper', {}, { LogType: 'Tail' });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1000 && elapsed < 2500, `answered after ${elapsed} ms`);
    assert.deepEqual([out.StatusCode, out.FunctionError], [200, 'Unhandled']);
    assert.equal(text(out.Payload), JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${out.$metadata.requestId} Error: Task timed out after 1.00 seconds` }));
    assert.match(Buffer.from(out.LogResult!, 'base64').toString(), /Task timed out after 1\.00 seconds\nEND RequestId: .*\nREPORT RequestId: .*Status: timeout/);
  });

  it('runs callback-style handlers (result after the event loop empties, errors through the callback) and ESM handlers', async () => {
    await createFunction(lambda, role, 'callback', zip({ 'index.js': 'exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { cb: event.n * 2 }), 20); };\n' }));
    assert.deepEqual(JSON.parse(text((await invoke('callback', { n: 21 })).Payload)), { cb: 42 });
    await createFunction(lambda, role, 'callback-error', zip({ 'index.js': 'exports.handler = (event, context, callback) => callback(new TypeError("bad input"));\n' }));
    const failed = await invoke('callback-error', {});
    assert.equal(failed.FunctionError, 'Unhandled');
    assert.equal(JSON.parse(text(failed.Payload)).errorType, 'TypeError');
    await createFunction(lambda, role, 'esm', zip({ 'index.mjs': 'import { platform } from "node:os";\nexport const handler = async (event) => ({ esm: true, platform: platform(), got: event });\n' }));
    assert.deepEqual(JSON.parse(text((await invoke('esm', { q: 1 })).Payload)), { esm: true, platform: process.platform, got: { q: 1 } });
    // A handler in a folder, reached through a nested export; a module requiring a sibling file.
    await createFunction(lambda, role, 'nested', zip({ 'src/app.js': 'const { twice } = require("./lib");\nexports.api = { handle: async (e) => twice(e.v) };\n', 'src/lib.js': 'exports.twice = (v) => v + v;\n' }), { Handler: 'src/app.api.handle' });
    assert.equal(text((await invoke('nested', { v: 'ab' })).Payload), '"abab"');
  });

  it('gives the function its variables and Lambda\'s, and none of the server\'s environment', async () => {
    process.env.GATEHOUSE_SERVER_SECRET = 'do-not-leak';
    try {
      await createFunction(lambda, role, 'env', cjs('{ ...process.env }'), { Environment: { Variables: { GREETING: 'hello', TABLE: 'users' } }, MemorySize: 256 });
      const env = JSON.parse(text((await invoke('env', {})).Payload)) as Record<string, string>;
      assert.equal(env.GREETING, 'hello');
      assert.equal(env.TABLE, 'users');
      assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'env');
      assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
      assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '256');
      assert.equal(env.AWS_REGION, 'us-east-1');
      assert.equal(env.AWS_DEFAULT_REGION, 'us-east-1');
      assert.equal(env.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs20.x');
      assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, '/aws/lambda/env');
      assert.equal(env._HANDLER, 'index.handler');
      assert.ok(env.LAMBDA_TASK_ROOT && existsSync(join(env.LAMBDA_TASK_ROOT, 'index.js')));
      assert.equal(env.GATEHOUSE_SERVER_SECRET, undefined);
      assert.equal(env.HOME, undefined);
      assert.equal(env.AWS_ACCESS_KEY_ID, undefined);
    } finally {
      delete process.env.GATEHOUSE_SERVER_SECRET;
    }
  });

  it('Event answers 202 at once and runs the function in the background; DryRun answers 204', async () => {
    await createFunction(lambda, role, 'writer', zip({ 'index.js': 'const fs = require("node:fs");\nexports.handler = async (e) => { await new Promise((r) => setTimeout(r, 300)); fs.writeFileSync(e.file, "ran"); };\n' }));
    const file = join(scratch, 'event.txt');
    const started = Date.now();
    const out = await invoke('writer', { file }, { InvocationType: 'Event' });
    assert.ok(Date.now() - started < 300, 'answered before the function finished');
    assert.deepEqual([out.StatusCode, text(out.Payload), out.FunctionError], [202, '', undefined]);
    for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 30));
    assert.equal(readFileSync(file, 'utf8'), 'ran');
    const dry = await invoke('writer', { file: join(scratch, 'dry.txt') }, { InvocationType: 'DryRun' });
    assert.deepEqual([dry.StatusCode, text(dry.Payload)], [204, '']);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(existsSync(join(scratch, 'dry.txt')), false);
    await rejects(invoke('absent', {}, { InvocationType: 'DryRun' }), 'ResourceNotFoundException', `Function not found: ${ARN('absent')}`);
  });

  it('LogType Tail returns the log\'s last 4 KB: START, the function\'s output in Lambda\'s format, END, REPORT', async () => {
    await createFunction(lambda, role, 'logger', zip({ 'index.js': 'exports.handler = async (e) => { console.log("hello %s", e.who); console.error("careful"); return 1; };\n' }));
    const out = await invoke('logger', { who: 'vpn' }, { LogType: 'Tail' });
    const id = out.$metadata.requestId!;
    const lines = Buffer.from(out.LogResult!, 'base64').toString().split('\n');
    assert.equal(lines[0], `START RequestId: ${id} Version: $LATEST`);
    assert.match(lines[1]!, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${id}\\tINFO\\thello vpn$`));
    assert.match(lines[2]!, new RegExp(`\\t${id}\\tERROR\\tcareful$`));
    assert.equal(lines[3], `END RequestId: ${id}`);
    assert.match(lines[4]!, new RegExp(`^REPORT RequestId: ${id}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB`));
    // Only the tail of a long log.
    await createFunction(lambda, role, 'chatty', cjs('(console.log("x".repeat(10000)), 1)'));
    assert.equal(Buffer.from((await invoke('chatty', {}, { LogType: 'Tail' })).LogResult!, 'base64').length, 4096);
  });

  it('answers the runtime\'s own errors: payload not JSON, module missing, handler not exported, a runtime that does not run here', async () => {
    await rejects(lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('not json') })), 'InvalidRequestContentException', /^Could not parse request body into json/, 400);
    await createFunction(lambda, role, 'no-module', cjs('1'), { Handler: 'missing.handler' });
    const missing = await invoke('no-module', {});
    assert.equal(missing.FunctionError, 'Unhandled');
    assert.deepEqual(JSON.parse(text(missing.Payload)).errorType, 'Runtime.ImportModuleError');
    assert.match(JSON.parse(text(missing.Payload)).errorMessage as string, /^Error: Cannot find module 'missing'/);
    await createFunction(lambda, role, 'no-export', cjs('1'), { Handler: 'index.other' });
    const noExport = JSON.parse(text((await invoke('no-export', {})).Payload)) as { errorType: string; errorMessage: string; trace: string[] };
    assert.deepEqual([noExport.errorType, noExport.errorMessage, noExport.trace[0]], ['Runtime.HandlerNotFound', 'index.other is undefined or not exported', 'Runtime.HandlerNotFound: index.other is undefined or not exported']);
    await createFunction(lambda, role, 'py', zip({ 'app.py': 'def handler(e, c):\n  return e\n' }), { Runtime: 'python3.12', Handler: 'app.handler' });
    await rejects(invoke('py', {}), 'InvalidRuntimeException', /only Node\.js functions can be invoked/, 502);
  });

  it('invokes a published version with its own code: ExecutedVersion names it', async () => {
    await createFunction(lambda, role, 'versioned', cjs('"one"'), { Publish: true });
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'versioned', ZipFile: cjs('"two"') }));
    const v1 = await invoke('versioned', {}, { Qualifier: '1' });
    assert.deepEqual([text(v1.Payload), v1.ExecutedVersion], ['"one"', '1']);
    const latest = await invoke('versioned:$LATEST', {});
    assert.deepEqual([text(latest.Payload), latest.ExecutedVersion], ['"two"', '$LATEST']);
    await rejects(invoke('versioned', {}, { Qualifier: 'live' }), 'ResourceNotFoundException', `Function not found: ${ARN('versioned')}:live`);
  });

  it('costs little more than starting node: ten sequential invocations', async () => {
    const started = performance.now();
    for (let i = 0; i < 10; i++) await invoke('echo', { i });
    const each = (performance.now() - started) / 10;
    assert.ok(each < 500, `${each.toFixed(0)} ms an invocation`);
  });

  it('a running invocation holds no transaction: writes go on meanwhile', async () => {
    await createFunction(lambda, role, 'slow', zip({ 'index.js': 'exports.handler = async () => { await new Promise((r) => setTimeout(r, 1000)); return "done"; };\n' }), { Timeout: 5 });
    const running = invoke('slow', {});
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    await executionRole(iam, 'written-meanwhile');
    await createFunction(lambda, role, 'created-meanwhile', cjs('1'));
    assert.ok(performance.now() - started < 700, 'the writes did not wait for the invocation');
    assert.equal(text((await running).Payload), '"done"');
  });

  it('the AWS CLI writes the payload to its outfile; boto3 reads it', async () => {
    const outfile = join(scratch, 'out.json');
    const r = await awsCli(server.endpoint, ['lambda', 'invoke', '--function-name', 'echo', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{"from":"cli"}', outfile]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { StatusCode: 200, ExecutedVersion: '$LATEST' });
    assert.deepEqual((JSON.parse(readFileSync(outfile, 'utf8')) as { event: unknown }).event, { from: 'cli' });
    const failed = await awsCli(server.endpoint, ['lambda', 'invoke', '--function-name', 'thrower', outfile]);
    assert.deepEqual(JSON.parse(failed.stdout), { StatusCode: 200, FunctionError: 'Unhandled', ExecutedVersion: '$LATEST' });
    assert.equal((JSON.parse(readFileSync(outfile, 'utf8')) as { errorMessage: string }).errorMessage, 'no such user');
    const py = await boto3(server.endpoint, `r = client('lambda').invoke(FunctionName='echo', Payload=json.dumps({'from': 'boto3'}), LogType='Tail')\nprint(json.dumps({'status': r['StatusCode'], 'version': r['ExecutedVersion'], 'event': json.loads(r['Payload'].read())['event'], 'tail': 'START RequestId' in __import__('base64').b64decode(r['LogResult']).decode()}))`);
    assert.deepEqual(JSON.parse(py), { status: 200, version: '$LATEST', event: { from: 'boto3' }, tail: true });
  });

  it('CloudTrail: Invoke is a data event (not in event history, never for a denied call); management events carry Lambda\'s versioned names', async () => {
    const trail = new CloudTrailClient(clientConfig(server.endpoint));
    const invokes = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'Invoke' }] }));
    assert.deepEqual(invokes.Events, []);
    const created = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateFunction20150331' }] }));
    const event = created.Events!.map((e) => JSON.parse(e.CloudTrailEvent!) as Record<string, unknown>).find((e) => (e.requestParameters as { functionName: string }).functionName === 'env')!;
    assert.deepEqual([event.eventSource, event.managementEvent, event.eventCategory, event.readOnly], ['lambda.amazonaws.com', true, 'Management', false]);
    const params = event.requestParameters as Record<string, unknown>;
    assert.deepEqual(params.code, {}, 'the ZipFile is omitted');
    assert.equal(params.environment, 'HIDDEN_DUE_TO_SECURITY_REASONS');
    assert.equal((event.responseElements as { functionArn: string; environment: string }).environment, 'HIDDEN_DUE_TO_SECURITY_REASONS');
    trail.destroy();

    // Denied invocations are not recorded; allowed ones are data events.
    const outsider = await userWithKey(iam, server.endpoint, 'outsider', policyDoc(allow('lambda:GetFunction')));
    await rejects(new LambdaClient(clientConfig(server.endpoint, outsider.keys)).send(new InvokeCommand({ FunctionName: 'echo' })), 'AccessDeniedException', `User: arn:aws:iam::${ACCOUNT}:user/outsider is not authorized to perform: lambda:InvokeFunction on resource: ${ARN('echo')} because no identity-based policy allows the lambda:InvokeFunction action`, 403);
    await server.gatehouse.trail.flush();
    const data = (await server.gatehouse.store.queryEvents({ account: ACCOUNT, limit: 1000, category: 'Data' })).map((e) => e.event as Record<string, unknown>);
    assert.ok(data.length > 10);
    assert.ok(data.every((e) => e.eventName === 'Invoke' && e.managementEvent === false && e.eventCategory === 'Data' && e.readOnly === false && e.errorCode !== 'AccessDeniedException'));
    // Authorized calls that failed are recorded with their error.
    assert.ok(data.some((e) => e.errorCode === 'InvalidRequestContentException'));
    const one = data.find((e) => (e.requestParameters as { functionName?: string }).functionName === 'logger')!;
    assert.deepEqual(one.requestParameters, { functionName: 'logger', logType: 'Tail' });
    assert.equal(one.responseElements, null);
    assert.deepEqual(one.resources, [{ type: 'AWS::Lambda::Function', ARN: ARN('logger'), accountId: ACCOUNT }]);
    assert.ok(!data.some((e) => (e.userIdentity as { userName?: string }).userName === 'outsider'));
  });
});
