/**
 * A function's resource policy: AddPermission writes Lambda's statements (service
 * principals with AWS:SourceAccount, accounts as their root ARN), GetPolicy reads the
 * document, RemovePermission takes statements out; the policy decides invocations from
 * another account and from service principals, and lambda:Principal conditions
 * AddPermission itself.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IAMClient } from '@aws-sdk/client-iam';
import { AddPermissionCommand, GetFunctionCommand, GetPolicyCommand, InvokeCommand, LambdaClient, RemovePermissionCommand } from '@aws-sdk/client-lambda';
import { ACCOUNT, clientConfig, startServer, type Running } from '../../helpers/server.js';
import { allow, iamClient, policyDoc, rejects, userWithKey } from '../iam/helpers.js';
import { cjs, createFunction, executionRole, text } from './helpers.js';
import { servicePrincipalAllowed } from '../../../src/services/lambda/permissions.js';
import { KIND, type FunctionRecord } from '../../../src/services/lambda/common.js';

const OTHER = '111111111111';
const ARN = (name: string): string => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

describe('Lambda function policies', () => {
  let server: Running;
  let iam: IAMClient;
  let lambda: LambdaClient;
  let other: LambdaClient;
  let role: string;

  before(async () => {
    server = await startServer({ accounts: [{ id: ACCOUNT, accessKeyId: 'test', secretAccessKey: 'test' }, { id: OTHER, accessKeyId: 'other', secretAccessKey: 'other' }] });
    iam = iamClient(server.endpoint);
    lambda = new LambdaClient(clientConfig(server.endpoint));
    other = new LambdaClient(clientConfig(server.endpoint, { accessKeyId: 'other', secretAccessKey: 'other' }));
    role = await executionRole(iam, 'fn-role');
    await createFunction(lambda, role, 'AWSClientVPN-auth', cjs('{ allow: true }'), { Publish: true });
    await createFunction(lambda, role, 'shared', cjs('{ caller: "ok", event }'));
  });
  after(async () => {
    lambda.destroy();
    other.destroy();
    iam.destroy();
    await server.close();
  });

  it('AddPermission for a service principal writes Lambda\'s statement; GetPolicy returns the document and the revision', async () => {
    await rejects(lambda.send(new GetPolicyCommand({ FunctionName: 'AWSClientVPN-auth' })), 'ResourceNotFoundException', 'The resource you requested does not exist.', 404);
    const added = await lambda.send(
      new AddPermissionCommand({ FunctionName: 'AWSClientVPN-auth', StatementId: 'clientvpn', Action: 'lambda:InvokeFunction', Principal: 'clientvpn.amazonaws.com', SourceAccount: ACCOUNT, SourceArn: `arn:aws:ec2:us-east-1:${ACCOUNT}:client-vpn-endpoint/*` }),
    );
    assert.equal(added.$metadata.httpStatusCode, 201);
    const statement = {
      Sid: 'clientvpn',
      Effect: 'Allow',
      Principal: { Service: 'clientvpn.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: ARN('AWSClientVPN-auth'),
      Condition: { StringEquals: { 'AWS:SourceAccount': ACCOUNT }, ArnLike: { 'AWS:SourceArn': `arn:aws:ec2:us-east-1:${ACCOUNT}:client-vpn-endpoint/*` } },
    };
    assert.equal(added.Statement, JSON.stringify(statement));
    const policy = await lambda.send(new GetPolicyCommand({ FunctionName: 'AWSClientVPN-auth' }));
    assert.equal(policy.Policy, JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: [statement] }));
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: 'AWSClientVPN-auth' }));
    assert.equal(policy.RevisionId, fn.Configuration!.RevisionId);
    await rejects(
      lambda.send(new AddPermissionCommand({ FunctionName: 'AWSClientVPN-auth', StatementId: 'clientvpn', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' })),
      'ResourceConflictException',
      'The statement id (clientvpn) provided already exists. Please provide a new statement id, or remove the existing statement.',
      409,
    );
    await rejects(lambda.send(new AddPermissionCommand({ FunctionName: 'AWSClientVPN-auth', StatementId: 'bad', Action: 'lambda:InvokeFunction', Principal: 'not a principal!' })), 'ValidationException');
    await rejects(lambda.send(new AddPermissionCommand({ FunctionName: 'AWSClientVPN-auth', StatementId: 'bad', Action: 'lambda:InvokeFunction', Principal: 'someone' })), 'InvalidParameterValueException', 'The provided principal was invalid. Please check the principal and try again.');
    // Versions have their own policies.
    await rejects(lambda.send(new GetPolicyCommand({ FunctionName: 'AWSClientVPN-auth', Qualifier: '1' })), 'ResourceNotFoundException', 'The resource you requested does not exist.');
    const v1 = await lambda.send(new AddPermissionCommand({ FunctionName: 'AWSClientVPN-auth', Qualifier: '1', StatementId: 'v1', Action: 'lambda:InvokeFunction', Principal: 'clientvpn.amazonaws.com' }));
    assert.equal((JSON.parse(v1.Statement!) as { Resource: string }).Resource, `${ARN('AWSClientVPN-auth')}:1`);
  });

  it('the policy decides for service principals: the named service, from the named account and source', async () => {
    const record = (await server.gatehouse.store.get<FunctionRecord>(ACCOUNT, KIND.function, 'us-east-1:AWSClientVPN-auth'))!;
    const now = new Date();
    const endpoint = `arn:aws:ec2:us-east-1:${ACCOUNT}:client-vpn-endpoint/cvpn-endpoint-0123456789abcdef0`;
    assert.equal(servicePrincipalAllowed(record, ACCOUNT, 'clientvpn.amazonaws.com', { sourceAccount: ACCOUNT, sourceArn: endpoint, now }), true);
    assert.equal(servicePrincipalAllowed(record, ACCOUNT, 'clientvpn.amazonaws.com', { sourceAccount: OTHER, sourceArn: endpoint, now }), false);
    assert.equal(servicePrincipalAllowed(record, ACCOUNT, 'clientvpn.amazonaws.com', { sourceAccount: ACCOUNT, sourceArn: 'arn:aws:s3:::bucket', now }), false);
    assert.equal(servicePrincipalAllowed(record, ACCOUNT, 's3.amazonaws.com', { sourceAccount: ACCOUNT, sourceArn: endpoint, now }), false);
    assert.equal(servicePrincipalAllowed(record, ACCOUNT, 'clientvpn.amazonaws.com', { action: 'lambda:GetFunction', sourceAccount: ACCOUNT, sourceArn: endpoint, now }), false);
  });

  it('another account invokes by ARN only once AddPermission grants it, and only what was granted', async () => {
    const denied = `User: arn:aws:iam::${OTHER}:root is not authorized to perform: lambda:InvokeFunction on resource: ${ARN('shared')} because no resource-based policy allows the lambda:InvokeFunction action`;
    await rejects(other.send(new InvokeCommand({ FunctionName: ARN('shared'), Payload: '{}' })), 'AccessDeniedException', denied, 403);
    // A function that does not exist is denied the same way: the caller learns nothing.
    await rejects(other.send(new InvokeCommand({ FunctionName: ARN('absent') })), 'AccessDeniedException', /lambda:InvokeFunction on resource: .*function:absent because no resource-based policy/);
    const added = await lambda.send(new AddPermissionCommand({ FunctionName: 'shared', StatementId: 'other-account', Action: 'lambda:InvokeFunction', Principal: OTHER }));
    assert.deepEqual((JSON.parse(added.Statement!) as { Principal: unknown }).Principal, { AWS: `arn:aws:iam::${OTHER}:root` });
    for (const name of [ARN('shared'), `${ACCOUNT}:function:shared`]) {
      const out = await other.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify({ from: OTHER }) }));
      assert.deepEqual(JSON.parse(text(out.Payload)), { caller: 'ok', event: { from: OTHER } });
    }
    await rejects(other.send(new GetFunctionCommand({ FunctionName: ARN('shared') })), 'AccessDeniedException', /lambda:GetFunction on resource: .* because no resource-based policy allows the lambda:GetFunction action/);
    // The other account's own function of that name is a different function.
    await rejects(other.send(new InvokeCommand({ FunctionName: 'shared' })), 'ResourceNotFoundException', `Function not found: arn:aws:lambda:us-east-1:${OTHER}:function:shared`);
    await lambda.send(new RemovePermissionCommand({ FunctionName: 'shared', StatementId: 'other-account' }));
    await rejects(other.send(new InvokeCommand({ FunctionName: ARN('shared') })), 'AccessDeniedException', denied);
    await rejects(lambda.send(new RemovePermissionCommand({ FunctionName: 'shared', StatementId: 'other-account' })), 'ResourceNotFoundException', 'No policy is associated with the given resource.');
    await rejects(lambda.send(new RemovePermissionCommand({ FunctionName: 'AWSClientVPN-auth', StatementId: 'nope' })), 'ResourceNotFoundException', 'Statement nope is not found in resource policy.');
  });

  it('lambda:Principal conditions AddPermission', async () => {
    const admin = await userWithKey(iam, server.endpoint, 'vpn-admin', policyDoc(allow('lambda:AddPermission', '*', { Condition: { StringEquals: { 'lambda:Principal': 'clientvpn.amazonaws.com' } } })));
    const client = new LambdaClient(clientConfig(server.endpoint, admin.keys));
    await client.send(new AddPermissionCommand({ FunctionName: 'shared', StatementId: 'vpn', Action: 'lambda:InvokeFunction', Principal: 'clientvpn.amazonaws.com' }));
    await rejects(
      client.send(new AddPermissionCommand({ FunctionName: 'shared', StatementId: 'acct', Action: 'lambda:InvokeFunction', Principal: OTHER })),
      'AccessDeniedException',
      `User: arn:aws:iam::${ACCOUNT}:user/vpn-admin is not authorized to perform: lambda:AddPermission on resource: ${ARN('shared')} because no identity-based policy allows the lambda:AddPermission action`,
    );
    client.destroy();
  });
});
