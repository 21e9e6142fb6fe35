/**
 * Conformance, output half, for Lambda: every implemented Lambda operation called through
 * the AWS SDK v3, its output checked against the model (required members, types, enums)
 * and its values compared; a coverage test fails if an implemented operation is missed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ListTagsCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { ACCOUNT, clientConfig, startServer, type Running } from '../helpers/server.js';
import { checkOutput } from './model-check.js';

const ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:conformance`;
const code = (body: string): Uint8Array => zipSync({ 'index.js': strToU8(`exports.handler = async (event) => (${body});\n`) });

describe('Conformance: Lambda outputs match the model', () => {
  let server: Running;
  let lambda: LambdaClient;
  let role: string;
  const called = new Set<string>();
  const check = (operation: string, output: object): void => {
    called.add(operation);
    assert.deepEqual(checkOutput('lambda', operation, output as Record<string, unknown>), [], operation);
  };
  before(async () => {
    server = await startServer();
    lambda = new LambdaClient(clientConfig(server.endpoint));
    const iam = new IAMClient(clientConfig(server.endpoint));
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    role = (await iam.send(new CreateRoleCommand({ RoleName: 'conformance', AssumeRolePolicyDocument: trust }))).Role!.Arn!;
    iam.destroy();
  });
  after(async () => {
    lambda.destroy();
    await server.close();
  });

  it('function lifecycle, tags, policy and invocation', async () => {
    const created = await lambda.send(
      new CreateFunctionCommand({ FunctionName: 'conformance', Runtime: 'nodejs22.x', Role: role, Handler: 'index.handler', Code: { ZipFile: code('{ n: event.n + 1 }') }, Environment: { Variables: { STAGE: '1' } }, Tags: { env: 'test' } }),
    );
    check('CreateFunction', created);
    assert.deepEqual([created.FunctionArn, created.State, created.Environment?.Variables], [ARN, 'Pending', { STAGE: '1' }]);
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'conformance' }));
    check('GetFunction', got);
    assert.deepEqual([got.Configuration!.State, got.Configuration!.LastUpdateStatus, got.Tags], ['Active', 'Successful', { env: 'test' }]);
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: ARN }));
    check('GetFunctionConfiguration', config);
    assert.equal(config.RevisionId, got.Configuration!.RevisionId);
    const list = await lambda.send(new ListFunctionsCommand({ MaxItems: 10 }));
    check('ListFunctions', list);
    assert.deepEqual(list.Functions!.map((f) => f.FunctionName), ['conformance']);
    const updatedConfig = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'conformance', Timeout: 5, Description: 'checked' }));
    check('UpdateFunctionConfiguration', updatedConfig);
    assert.deepEqual([updatedConfig.Timeout, updatedConfig.Description, updatedConfig.LastUpdateStatus], [5, 'checked', 'InProgress']);
    const updatedCode = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'conformance', ZipFile: code('{ n: event.n + 2 }'), Publish: true }));
    check('UpdateFunctionCode', updatedCode);
    assert.equal(updatedCode.Version, '1');

    check('TagResource', await lambda.send(new TagResourceCommand({ Resource: ARN, Tags: { team: 'vpn' } })));
    check('UntagResource', await lambda.send(new UntagResourceCommand({ Resource: ARN, TagKeys: ['env'] })));
    const tags = await lambda.send(new ListTagsCommand({ Resource: ARN }));
    check('ListTags', tags);
    assert.deepEqual(tags.Tags, { team: 'vpn' });

    const added = await lambda.send(new AddPermissionCommand({ FunctionName: 'conformance', StatementId: 'vpn', Action: 'lambda:InvokeFunction', Principal: 'clientvpn.amazonaws.com', SourceAccount: ACCOUNT }));
    check('AddPermission', added);
    const policy = await lambda.send(new GetPolicyCommand({ FunctionName: 'conformance' }));
    check('GetPolicy', policy);
    assert.deepEqual((JSON.parse(policy.Policy!) as { Statement: unknown[] }).Statement, [JSON.parse(added.Statement!)]);
    check('RemovePermission', await lambda.send(new RemovePermissionCommand({ FunctionName: 'conformance', StatementId: 'vpn' })));

    const invoked = await lambda.send(new InvokeCommand({ FunctionName: 'conformance', Payload: JSON.stringify({ n: 1 }), LogType: 'Tail' }));
    check('Invoke', invoked);
    assert.deepEqual([invoked.StatusCode, invoked.ExecutedVersion, Buffer.from(invoked.Payload!).toString()], [200, '$LATEST', '{"n":3}']);
    assert.match(Buffer.from(invoked.LogResult!, 'base64').toString(), /^START RequestId: /);

    const deleted = await lambda.send(new DeleteFunctionCommand({ FunctionName: 'conformance' }));
    check('DeleteFunction', deleted);
    assert.equal(deleted.$metadata.httpStatusCode, 204);
  });

  it('covers every implemented Lambda operation', () => {
    const implemented = server.gatehouse.implementedOperations().lambda ?? [];
    assert.ok(implemented.length >= 14);
    assert.deepEqual(implemented.filter((op) => !called.has(op)), []);
  });
});
