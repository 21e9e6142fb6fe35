/**
 * Lambda functions through the SDK and the AWS CLI v2: create with iam:PassRole and the
 * role's trust policy, read in every FunctionName form, list with paging, update code and
 * configuration, versions, tags, delete, and Lambda's errors (code, message, status).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IAMClient } from '@aws-sdk/client-iam';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListFunctionsCommand,
  ListTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { ACCOUNT, awsCli, clientConfig, startServer, type Keys, type Running } from '../../helpers/server.js';
import { allow, iamClient, policyDoc, rejects, userWithKey } from '../iam/helpers.js';
import { cjs, createFunction, executionRole, zip } from './helpers.js';

const ARN = (name: string): string => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

describe('Lambda functions', () => {
  let server: Running;
  let iam: IAMClient;
  let lambda: LambdaClient;
  let role: string;
  let ec2Role: string;
  const code = cjs('{ ok: true }');

  before(async () => {
    server = await startServer();
    iam = iamClient(server.endpoint);
    lambda = new LambdaClient(clientConfig(server.endpoint));
    role = await executionRole(iam, 'fn-role');
    ec2Role = await executionRole(iam, 'ec2-role', 'ec2.amazonaws.com');
  });
  after(async () => {
    lambda.destroy();
    iam.destroy();
    await server.close();
  });

  it('CreateFunction answers Pending with the configuration; reads then see it Active, in every FunctionName form', async () => {
    const created = await createFunction(lambda, role, 'hello', code, { Environment: { Variables: { STAGE: 'test' } }, Tags: { team: 'net' }, Description: 'greets' });
    assert.equal(created.$metadata.httpStatusCode, 201);
    assert.deepEqual(
      [created.FunctionName, created.FunctionArn, created.Runtime, created.Role, created.Handler, created.Timeout, created.MemorySize, created.Version, created.Description, created.PackageType],
      ['hello', ARN('hello'), 'nodejs20.x', role, 'index.handler', 3, 128, '$LATEST', 'greets', 'Zip'],
    );
    assert.deepEqual([created.State, created.StateReason, created.StateReasonCode], ['Pending', 'The function is being created.', 'Creating']);
    assert.equal(created.CodeSize, code.length);
    assert.equal(created.CodeSha256, createHash('sha256').update(code).digest('base64'));
    assert.deepEqual(created.Environment, { Variables: { STAGE: 'test' } });
    assert.deepEqual(created.Architectures, ['x86_64']);
    assert.deepEqual(created.EphemeralStorage, { Size: 512 });
    assert.match(created.LastModified!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    assert.match(created.RevisionId!, /^[0-9a-f-]{36}$/);

    for (const name of ['hello', ARN('hello'), `${ACCOUNT}:function:hello`]) {
      const got = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
      assert.equal(got.Configuration!.FunctionArn, ARN('hello'), name);
      assert.deepEqual([got.Configuration!.State, got.Configuration!.LastUpdateStatus], ['Active', 'Successful']);
      assert.deepEqual(got.Tags, { team: 'net' });
      assert.equal(got.Code!.RepositoryType, 'S3');
      assert.match(got.Code!.Location!, /^https:\/\//);
    }
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'hello' }));
    assert.equal(config.RevisionId, created.RevisionId);
    assert.equal(config.CodeSha256, created.CodeSha256);
    const latest = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'hello', Qualifier: '$LATEST' }));
    assert.equal(latest.FunctionArn, `${ARN('hello')}:$LATEST`);
  });

  it('refuses a second function of the same name, and answers unknown functions with Lambda\'s 404', async () => {
    await rejects(createFunction(lambda, role, 'hello', code), 'ResourceConflictException', 'Function already exist: hello', 409);
    await rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'nope' })), 'ResourceNotFoundException', `Function not found: ${ARN('nope')}`, 404);
    await rejects(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'hello', Qualifier: '7' })), 'ResourceNotFoundException', `Function not found: ${ARN('hello')}:7`, 404);
    await rejects(lambda.send(new DeleteFunctionCommand({ FunctionName: 'nope' })), 'ResourceNotFoundException', `Function not found: ${ARN('nope')}`, 404);
    await rejects(
      lambda.send(new GetFunctionCommand({ FunctionName: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:hello` })),
      'InvalidParameterValueException',
      "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')",
      400,
    );
    await rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'hello:1', Qualifier: '2' })), 'InvalidParameterValueException', 'The derived qualifier from the function name does not match the specified qualifier.');
  });

  it('checks iam:PassRole for the execution role (iam:PassedToService lambda.amazonaws.com) and the role\'s trust policy', async () => {
    const noPass = await userWithKey(iam, server.endpoint, 'no-pass', policyDoc(allow('lambda:*')));
    const noPassLambda = new LambdaClient(clientConfig(server.endpoint, noPass.keys));
    await rejects(
      createFunction(noPassLambda, role, 'denied', code),
      'AccessDeniedException',
      `User: arn:aws:iam::${ACCOUNT}:user/no-pass is not authorized to perform: iam:PassRole on resource: ${role} because no identity-based policy allows the iam:PassRole action`,
      403,
    );
    const toEc2 = await userWithKey(iam, server.endpoint, 'pass-to-ec2', policyDoc(allow('lambda:*'), allow('iam:PassRole', '*', { Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } })));
    await rejects(createFunction(new LambdaClient(clientConfig(server.endpoint, toEc2.keys)), role, 'denied', code), 'AccessDeniedException', /iam:PassRole on resource/);
    const toLambda = await userWithKey(iam, server.endpoint, 'pass-to-lambda', policyDoc(allow('lambda:*'), allow('iam:PassRole', role, { Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } })));
    const ok = await createFunction(new LambdaClient(clientConfig(server.endpoint, toLambda.keys)), role, 'passed', code);
    assert.equal(ok.Role, role);
    // The role must exist and trust lambda.amazonaws.com: Lambda's one message for both.
    const untrusted = 'The role defined for the function cannot be assumed by Lambda.';
    await rejects(createFunction(lambda, ec2Role, 'untrusted', code), 'InvalidParameterValueException', untrusted, 400);
    await rejects(createFunction(lambda, `arn:aws:iam::${ACCOUNT}:role/missing`, 'untrusted', code), 'InvalidParameterValueException', untrusted, 400);
    await rejects(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'passed', Role: ec2Role })), 'InvalidParameterValueException', untrusted);
    await rejects(
      new LambdaClient(clientConfig(server.endpoint, noPass.keys)).send(new UpdateFunctionConfigurationCommand({ FunctionName: 'passed', Role: role })),
      'AccessDeniedException',
      /iam:PassRole/,
    );
    // Without lambda:GetFunction, Lambda's AccessDeniedException.
    const reader = await userWithKey(iam, server.endpoint, 'reader', policyDoc(allow('lambda:ListFunctions')));
    await rejects(
      new LambdaClient(clientConfig(server.endpoint, reader.keys)).send(new GetFunctionCommand({ FunctionName: 'passed' })),
      'AccessDeniedException',
      `User: arn:aws:iam::${ACCOUNT}:user/reader is not authorized to perform: lambda:GetFunction on resource: ${ARN('passed')} because no identity-based policy allows the lambda:GetFunction action`,
      403,
    );
    noPassLambda.destroy();
  });

  it('validates what Lambda validates: runtime and handler, blocked runtimes, reserved variables, timeout, the zip, the code source', async () => {
    await rejects(createFunction(lambda, role, 'v1', code, { Runtime: undefined }), 'InvalidParameterValueException', 'Runtime and Handler are mandatory parameters for functions created with deployment packages.');
    await rejects(
      createFunction(lambda, role, 'v1', code, { Runtime: 'nodejs12.x' }),
      'InvalidParameterValueException',
      'The runtime parameter of nodejs12.x is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (nodejs22.x) while creating or updating functions.',
    );
    await rejects(createFunction(lambda, role, 'v1', code, { Environment: { Variables: { AWS_REGION: 'x', OK: 'y' } } }), 'InvalidParameterValueException', /Reserved keys used in this request: AWS_REGION$/);
    await rejects(createFunction(lambda, role, 'v1', code, { Timeout: 901 }), 'ValidationException', "1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900");
    await rejects(createFunction(lambda, role, 'v1', Buffer.from('not a zip')), 'InvalidParameterValueException', 'Could not unzip uploaded file. Please check your file, then try to upload again.');
    await rejects(
      lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'hello', S3Bucket: 'my-bucket', S3Key: 'k.zip' })),
      'InvalidParameterValueException',
      'Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist',
    );
    await rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'v1' })), 'ResourceNotFoundException');
    // Python is accepted (only Node.js runs: see the invoke tests).
    const py = await createFunction(lambda, role, 'py', zip({ 'app.py': 'def handler(e, c):\n  return e\n' }), { Runtime: 'python3.12', Handler: 'app.handler' });
    assert.equal(py.Runtime, 'python3.12');
  });

  it('ListFunctions pages with Marker/MaxItems, in name order, without the state fields', async () => {
    for (const n of ['page-c', 'page-a', 'page-b']) await createFunction(lambda, role, n, code);
    const names: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const out = await lambda.send(new ListFunctionsCommand({ MaxItems: 2, ...(marker ? { Marker: marker } : {}) }));
      assert.ok(out.Functions!.length <= 2);
      for (const f of out.Functions!) {
        names.push(f.FunctionName!);
        assert.equal(f.State, undefined);
        assert.equal(f.FunctionArn, ARN(f.FunctionName!));
      }
      marker = out.NextMarker;
      pages++;
    } while (marker);
    assert.deepEqual(names, [...names].sort());
    assert.ok(['page-a', 'page-b', 'page-c', 'hello', 'py'].every((n) => names.includes(n)));
    assert.equal(pages, Math.ceil(names.length / 2));
  });

  it('updates configuration and code; RevisionId guards; Publish makes numbered versions; a version can be deleted alone', async () => {
    const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'hello' }));
    await rejects(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'hello', Timeout: 10, RevisionId: '00000000-0000-0000-0000-000000000000' })), 'PreconditionFailedException', /does not match the latest Revision Id/, 412);
    const updated = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'hello', Timeout: 10, MemorySize: 256, Environment: { Variables: { STAGE: 'prod' } }, RevisionId: before.RevisionId }));
    assert.deepEqual([updated.Timeout, updated.MemorySize, updated.Environment?.Variables, updated.LastUpdateStatus], [10, 256, { STAGE: 'prod' }, 'InProgress']);
    assert.notEqual(updated.RevisionId, before.RevisionId);
    const newCode = cjs('{ ok: 2 }');
    const published = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'hello', ZipFile: newCode, Publish: true }));
    assert.deepEqual([published.Version, published.FunctionArn, published.CodeSha256], ['1', `${ARN('hello')}:1`, createHash('sha256').update(newCode).digest('base64')]);
    const v1 = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'hello', Qualifier: '1' }));
    assert.deepEqual([v1.Version, v1.Timeout, v1.Environment?.Variables], ['1', 10, { STAGE: 'prod' }]);
    // Nothing changed since version 1: publishing again gives version 1 back.
    const again = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'hello', ZipFile: newCode, Publish: true }));
    assert.equal(again.Version, '1');
    const all = await lambda.send(new ListFunctionsCommand({ FunctionVersion: 'ALL' }));
    assert.deepEqual(all.Functions!.filter((f) => f.FunctionName === 'hello').map((f) => f.Version), ['$LATEST', '1']);
    await rejects(lambda.send(new DeleteFunctionCommand({ FunctionName: 'hello', Qualifier: '$LATEST' })), 'InvalidParameterValueException', '$LATEST version cannot be deleted without deleting the function.');
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'hello', Qualifier: '1' }));
    await rejects(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'hello', Qualifier: '1' })), 'ResourceNotFoundException', `Function not found: ${ARN('hello')}:1`);
    assert.equal((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'hello' }))).Version, '$LATEST');
    const dry = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'hello', ZipFile: cjs('{ ok: 3 }'), DryRun: true }));
    assert.notEqual(dry.CodeSha256, (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'hello' }))).CodeSha256);
  });

  it('tags: TagResource, ListTags, UntagResource; aws:ResourceTag decides for the function', async () => {
    await lambda.send(new TagResourceCommand({ Resource: ARN('hello'), Tags: { env: 'prod', owner: 'vpn' } }));
    assert.deepEqual((await lambda.send(new ListTagsCommand({ Resource: ARN('hello') }))).Tags, { team: 'net', env: 'prod', owner: 'vpn' });
    await lambda.send(new UntagResourceCommand({ Resource: ARN('hello'), TagKeys: ['team', 'absent'] }));
    assert.deepEqual((await lambda.send(new ListTagsCommand({ Resource: ARN('hello') }))).Tags, { env: 'prod', owner: 'vpn' });
    await rejects(lambda.send(new ListTagsCommand({ Resource: ARN('nope') })), 'ResourceNotFoundException', `Function not found: ${ARN('nope')}`);
    // A user allowed lambda:GetFunction only on functions tagged env=dev.
    const dev = await userWithKey(iam, server.endpoint, 'dev', policyDoc(allow('lambda:GetFunction', '*', { Condition: { StringEquals: { 'aws:ResourceTag/env': 'dev' } } })));
    const devLambda = new LambdaClient(clientConfig(server.endpoint, dev.keys));
    await rejects(devLambda.send(new GetFunctionCommand({ FunctionName: 'hello' })), 'AccessDeniedException', /lambda:GetFunction/);
    await lambda.send(new TagResourceCommand({ Resource: ARN('hello'), Tags: { env: 'dev' } }));
    assert.equal((await devLambda.send(new GetFunctionCommand({ FunctionName: 'hello' }))).Configuration!.FunctionName, 'hello');
    devLambda.destroy();
  });

  it('through the AWS CLI: create-function with fileb://, get-function-configuration, delete-function, and the error line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambda-cli-'));
    try {
      const file = join(dir, 'fn.zip');
      writeFileSync(file, code);
      const cli = async (args: string[], keys?: Keys): Promise<Record<string, unknown>> => {
        const r = await awsCli(server.endpoint, args, keys);
        assert.equal(r.code, 0, r.stderr);
        return r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : {};
      };
      const created = await cli(['lambda', 'create-function', '--function-name', 'cli-fn', '--runtime', 'nodejs22.x', '--role', role, '--handler', 'index.handler', '--zip-file', `fileb://${file}`, '--timeout', '5']);
      assert.deepEqual([created.FunctionArn, created.Runtime, created.Timeout, created.CodeSha256], [ARN('cli-fn'), 'nodejs22.x', 5, createHash('sha256').update(code).digest('base64')]);
      const config = await cli(['lambda', 'get-function-configuration', '--function-name', 'cli-fn']);
      assert.deepEqual([config.State, config.Handler, config.MemorySize], ['Active', 'index.handler', 128]);
      await cli(['lambda', 'delete-function', '--function-name', 'cli-fn']);
      const r = await awsCli(server.endpoint, ['lambda', 'get-function', '--function-name', 'cli-fn']);
      assert.equal(r.code, 254);
      assert.match(r.stderr, new RegExp(`An error occurred \\(ResourceNotFoundException\\) when calling the GetFunction operation: Function not found: ${ARN('cli-fn')}`));
      const bad = await awsCli(server.endpoint, ['lambda', 'create-function', '--function-name', 'cli-bad', '--runtime', 'nodejs22.x', '--role', ec2Role, '--handler', 'index.handler', '--zip-file', `fileb://${file}`]);
      assert.match(bad.stderr, /An error occurred \(InvalidParameterValueException\) when calling the CreateFunction operation: The role defined for the function cannot be assumed by Lambda\./);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('CloudTrail records management events under Lambda\'s versioned names; a denial as AccessDenied', async () => {
    const trail = new CloudTrailClient(clientConfig(server.endpoint));
    const out = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GetFunction20150331v2' }] }));
    const events = out.Events!.map((e) => JSON.parse(e.CloudTrailEvent!) as Record<string, unknown>);
    const denied = events.find((e) => (e.userIdentity as { userName?: string }).userName === 'reader')!;
    assert.deepEqual([denied.eventSource, denied.readOnly, denied.errorCode, denied.responseElements], ['lambda.amazonaws.com', true, 'AccessDenied', null]);
    assert.match(denied.errorMessage as string, /is not authorized to perform: lambda:GetFunction/);
    const names = new Set((await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'lambda.amazonaws.com' }], MaxResults: 50 }))).Events!.map((e) => e.EventName));
    for (const n of names) assert.match(n!, /^\w+20(15|17)0331(v2)?$/);
    trail.destroy();
  });

  it('DeleteFunction removes the function and its versions', async () => {
    await createFunction(lambda, role, 'gone', code, { Publish: true });
    const del = await lambda.send(new DeleteFunctionCommand({ FunctionName: ARN('gone') }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    await rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'gone' })), 'ResourceNotFoundException');
    await rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'gone', Qualifier: '1' })), 'ResourceNotFoundException', `Function not found: ${ARN('gone')}:1`);
  });
});
