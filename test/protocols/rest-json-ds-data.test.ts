/**
 * The restJson1 codec with Directory Service Data's model: every operation is a POST to a
 * fixed path with the directory in the query string (`?DirectoryId=`, the model's
 * `location: querystring`) and the rest in a JSON body; errors carry modelled members
 * (`Reason`) beside the message. No HTTP here: the codec alone.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { restJsonCodec } from '../../src/protocols/rest-json.js';
import { loadModel } from '../../src/models/index.js';
import { AwsError } from '../../src/models/errors.js';
import type { WireRequest } from '../../src/protocols/types.js';

const model = loadModel('ds-data');

const request = (path: string, query: Record<string, string>, body: object): WireRequest & { rawPath: string } => ({
  method: 'POST',
  path,
  rawPath: path,
  query: new URLSearchParams(query),
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify(body)),
});

describe('rest-json codec with the Directory Service Data model', () => {
  it('finds every operation by its path and binds DirectoryId from the query string', () => {
    for (const [operation, op] of Object.entries(model.operations)) {
      assert.equal(restJsonCodec.operationName(request(op.http.requestUri, { DirectoryId: 'd-1234567890' }, {}), model), operation);
    }
    const req = request('/Users/CreateUser', { DirectoryId: 'd-1234567890' }, { SAMAccountName: 'jdoe', ClientToken: 't-1', OtherAttributes: { title: { S: 'Engineer' }, countryCode: { N: 840 } } });
    assert.deepEqual(restJsonCodec.decode(req, model, 'CreateUser'), {
      DirectoryId: 'd-1234567890',
      SAMAccountName: 'jdoe',
      ClientToken: 't-1',
      OtherAttributes: { title: { S: 'Engineer' }, countryCode: { N: 840 } },
    });
  });

  it('a DirectoryId in the body is not the query-string member: the request lacks DirectoryId', () => {
    const req = request('/Groups/ListGroups', {}, { DirectoryId: 'd-1234567890' });
    assert.throws(
      () => restJsonCodec.decode(req, model, 'ListGroups'),
      (e: AwsError) => e.code === 'ValidationException' && e.message === "1 validation error detected: Value null at 'directoryId' failed to satisfy constraint: Member must not be null",
    );
  });

  it('outputs are JSON bodies; errors carry the modelled status, the type header and the Reason member', () => {
    const out = restJsonCodec.encodeOutput(model, 'ListUsers', { DirectoryId: 'd-1234567890', Realm: 'corp.example.com', Users: [{ SAMAccountName: 'Admin', SID: 'S-1-5-21-1-2-3-500', Enabled: true }] }, 'r-1');
    assert.equal(out.status, 200);
    assert.deepEqual(JSON.parse(out.body as string), { DirectoryId: 'd-1234567890', Realm: 'corp.example.com', Users: [{ SAMAccountName: 'Admin', SID: 'S-1-5-21-1-2-3-500', Enabled: true }] });
    const err = restJsonCodec.encodeError(model, new AwsError('ValidationException', 'bad realm', { members: { Reason: 'INVALID_REALM' } }), 'r-2');
    assert.equal(err.status, 400);
    assert.equal(err.headers['x-amzn-errortype'], 'ValidationException');
    assert.deepEqual(JSON.parse(err.body as string), { Type: 'User', Message: 'bad realm', Reason: 'INVALID_REALM' });
    const conflict = restJsonCodec.encodeError(model, new AwsError('ConflictException', 'exists'), 'r-3');
    assert.equal(conflict.status, 409);
    const denied = restJsonCodec.encodeError(model, new AwsError('AccessDeniedException', 'no', { status: 403, members: { Reason: 'DATA_DISABLED' } }), 'r-4');
    assert.deepEqual([denied.status, JSON.parse(denied.body as string).Reason], [403, 'DATA_DISABLED']);
  });
});
