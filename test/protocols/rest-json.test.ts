/**
 * The restJson1 codec against the real Lambda SDK client, in process (the SDK as an
 * oracle, models.md §7a): the client serialises a request, the codec must find the same
 * operation and decode the same input; the codec writes a response, the client must
 * deserialise the same output. No Lambda service is involved: this is the wire layer.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { HttpResponse, type HttpRequest } from '@smithy/core/protocols';
import {
  AddPermissionCommand,
  GetFunctionCommand,
  InvalidParameterValueException,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ResourceNotFoundException,
  TagResourceCommand,
} from '@aws-sdk/client-lambda';
import { restJsonCodec } from '../../src/protocols/rest-json.js';
import { loadModel } from '../../src/models/index.js';
import { AwsError } from '../../src/models/errors.js';
import type { WireRequest, WireResponse } from '../../src/protocols/types.js';

const model = loadModel('lambda');

/** A client whose transport hands each request to `serve` instead of the network. */
function client(serve: (req: WireRequest & { rawPath: string }) => WireResponse): LambdaClient {
  return new LambdaClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: {
      handle: (request: HttpRequest) => {
        const body = request.body === undefined ? Buffer.alloc(0) : Buffer.from(request.body as string | Uint8Array);
        const query = new URLSearchParams();
        for (const [k, v] of Object.entries(request.query ?? {})) for (const x of Array.isArray(v) ? v : [v]) if (x !== null) query.append(k, x);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(request.headers)) headers[k.toLowerCase()] = v;
        const out = serve({ method: request.method, path: decodeURIComponent(request.path), rawPath: request.path, query, headers, body });
        const payload = typeof out.body === 'string' ? Buffer.from(out.body) : out.body;
        return Promise.resolve({ response: new HttpResponse({ statusCode: out.status, headers: out.headers, body: Readable.from([payload]) }) });
      },
    },
  });
}

/** Decode what the client sent, then answer with `output` for that operation. */
function roundTrip(output: Record<string, unknown>, seen: { operation?: string; input?: Record<string, unknown> }) {
  return (req: WireRequest): WireResponse => {
    const operation = restJsonCodec.operationName(req, model)!;
    seen.operation = operation;
    seen.input = restJsonCodec.decode(req, model, operation);
    return restJsonCodec.encodeOutput(model, operation, output, 'req-1');
  };
}

describe('rest-json codec with the Lambda client as oracle', () => {
  it('Invoke: path label, query string, headers and a raw payload in; status code, headers and a raw payload out', async () => {
    const seen: { operation?: string; input?: Record<string, unknown> } = {};
    const c = client(roundTrip({ StatusCode: 200, ExecutedVersion: '$LATEST', FunctionError: 'Unhandled', Payload: Buffer.from('{"ok":true}') }, seen));
    const out = await c.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:AWSClientVPN-auth', Qualifier: '1', InvocationType: 'RequestResponse', LogType: 'Tail', Payload: Buffer.from('{"a":1}') }));
    assert.equal(seen.operation, 'Invoke');
    assert.equal(seen.input!.FunctionName, 'arn:aws:lambda:us-east-1:000000000000:function:AWSClientVPN-auth');
    assert.equal(seen.input!.Qualifier, '1');
    assert.equal(seen.input!.InvocationType, 'RequestResponse');
    assert.equal(seen.input!.LogType, 'Tail');
    assert.equal(Buffer.from(seen.input!.Payload as Uint8Array).toString(), '{"a":1}');
    assert.equal(out.StatusCode, 200);
    assert.equal(out.ExecutedVersion, '$LATEST');
    assert.equal(out.FunctionError, 'Unhandled');
    assert.equal(Buffer.from(out.Payload!).toString(), '{"ok":true}');
  });

  it('AddPermission: a JSON body beside a path label; 201 from the model', async () => {
    const seen: { operation?: string; input?: Record<string, unknown> } = {};
    const statement = JSON.stringify({ Sid: 's1', Effect: 'Allow' });
    const c = client(roundTrip({ Statement: statement }, seen));
    const out = await c.send(new AddPermissionCommand({ FunctionName: 'f', StatementId: 's1', Action: 'lambda:InvokeFunction', Principal: 'clientvpn.amazonaws.com', SourceAccount: '000000000000' }));
    assert.equal(seen.operation, 'AddPermission');
    assert.deepEqual(seen.input, { FunctionName: 'f', StatementId: 's1', Action: 'lambda:InvokeFunction', Principal: 'clientvpn.amazonaws.com', SourceAccount: '000000000000' });
    assert.equal(out.Statement, statement);
    assert.equal(out.$metadata.httpStatusCode, 201);
  });

  it('GET routes: ListFunctions query parameters and GetFunction, told apart by their templates', async () => {
    const seen: { operation?: string; input?: Record<string, unknown> } = {};
    const list = client(roundTrip({ Functions: [{ FunctionName: 'f', LastModified: '2026-11-23T00:00:00.000+0000', MemorySize: 128 }], NextMarker: 'm2' }, seen));
    const out = await list.send(new ListFunctionsCommand({ MaxItems: 5, Marker: 'm1' }));
    assert.equal(seen.operation, 'ListFunctions');
    assert.deepEqual(seen.input, { MaxItems: 5, Marker: 'm1' });
    assert.equal(out.Functions![0]!.FunctionName, 'f');
    assert.equal(out.Functions![0]!.MemorySize, 128);
    assert.equal(out.NextMarker, 'm2');
    const get = client(roundTrip({ Configuration: { FunctionName: 'f', Timeout: 3 }, Tags: { team: 'net' } }, seen));
    const g = await get.send(new GetFunctionCommand({ FunctionName: 'f', Qualifier: '$LATEST' }));
    assert.equal(seen.operation, 'GetFunction');
    assert.deepEqual(seen.input, { FunctionName: 'f', Qualifier: '$LATEST' });
    assert.equal(g.Configuration!.Timeout, 3);
    assert.deepEqual(g.Tags, { team: 'net' });
  });

  it('TagResource: a greedy-looking ARN label with colons, a map in the body, 204 with no body', async () => {
    const seen: { operation?: string; input?: Record<string, unknown> } = {};
    const c = client(roundTrip({}, seen));
    const out = await c.send(new TagResourceCommand({ Resource: 'arn:aws:lambda:us-east-1:000000000000:function:f', Tags: { a: '1', b: '2' } }));
    assert.equal(seen.operation, 'TagResource');
    assert.deepEqual(seen.input, { Resource: 'arn:aws:lambda:us-east-1:000000000000:function:f', Tags: { a: '1', b: '2' } });
    assert.equal(out.$metadata.httpStatusCode, 204);
  });

  it('errors: the modelled status, x-amzn-ErrorType and the message reach the client as the typed exception', async () => {
    const c = client(() => restJsonCodec.encodeError(model, new AwsError('ResourceNotFoundException', 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope'), 'req-2'));
    await assert.rejects(c.send(new GetFunctionCommand({ FunctionName: 'nope' })), (e: unknown) => {
      assert.ok(e instanceof ResourceNotFoundException);
      assert.equal(e.message, 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope');
      assert.equal(e.$metadata.httpStatusCode, 404);
      return true;
    });
  });

  it('errors: the message goes under the member name the error shape models (`message` or `Message`)', async () => {
    const invalid = restJsonCodec.encodeError(model, new AwsError('InvalidParameterValueException', 'The role defined for the function cannot be assumed by Lambda.'), 'req-3');
    assert.deepEqual(JSON.parse(invalid.body as string), { Type: 'User', message: 'The role defined for the function cannot be assumed by Lambda.' });
    const missing = restJsonCodec.encodeError(model, new AwsError('ResourceNotFoundException', 'Function not found: f'), 'req-4');
    assert.deepEqual(JSON.parse(missing.body as string), { Type: 'User', Message: 'Function not found: f' });
    // An error the model does not list (Lambda's AccessDeniedException) gets `Message`.
    const denied = restJsonCodec.encodeError(model, new AwsError('AccessDeniedException', 'User: x is not authorized', { status: 403 }), 'req-5');
    assert.deepEqual([denied.status, denied.headers['x-amzn-errortype'], JSON.parse(denied.body as string)], [403, 'AccessDeniedException', { Type: 'User', Message: 'User: x is not authorized' }]);
    const c = client(() => invalid);
    await assert.rejects(c.send(new GetFunctionCommand({ FunctionName: 'f' })), (e: unknown) => {
      assert.ok(e instanceof InvalidParameterValueException);
      assert.equal(e.message, 'The role defined for the function cannot be assumed by Lambda.');
      return true;
    });
  });

  it('validation: a missing path label or a bad value gets ValidationException with the model constraint', () => {
    const req: WireRequest & { rawPath: string } = { method: 'GET', path: '/2015-03-31/functions', rawPath: '/2015-03-31/functions', query: new URLSearchParams({ MaxItems: '100000' }), headers: {}, body: Buffer.alloc(0) };
    assert.equal(restJsonCodec.operationName(req, model), 'ListFunctions');
    assert.throws(() => restJsonCodec.decode(req, model, 'ListFunctions'), (e: unknown) => e instanceof AwsError && e.code === 'ValidationException' && /at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 10000/.test(e.message));
  });
});
