/**
 * Calls a service makes: on the caller's behalf (forward access) and as its role. The
 * seed scenario (shared/seeds 001) at the server level: a service that, like Client VPN's
 * CreateClientVpnEndpoint, creates its service-linked role through
 * iam:CreateServiceLinkedRole on the caller's behalf. A Deny on aws:SourceIp outside the
 * caller's network breaks it (the forward-access call comes from the service's address);
 * adding "Bool": {"aws:ViaAWSService": "false"} to the Deny fixes it. Driven by the AWS
 * CLI v2; CloudTrail shows the downstream call with invokedBy.
 *
 * The EC2 handler here is a test service exercising the mechanism; Client VPN itself
 * arrives with its own issue.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand, GetRoleCommand, DeleteServiceLinkedRoleCommand, GetServiceLinkedRoleDeletionStatusCommand } from '@aws-sdk/client-iam';
import { ACCOUNT, awsCli, clientConfig, startServer, type Keys, type Running } from '../helpers/server.js';
import { AWS_SERVICE_ADDRESS } from '../../src/auth/service-calls.js';
import type { ServiceContext, ServiceDefinition } from '../../src/services/types.js';

/** A stand-in EC2 operation that does what CreateClientVpnEndpoint does first. */
const ec2: ServiceDefinition = {
  model: 'ec2',
  signingNames: ['ec2'],
  eventSource: 'ec2.amazonaws.com',
  handlers: {
    async CreateClientVpnEndpoint(_input: object, ctx: ServiceContext) {
      await ctx.authorize('ec2:CreateClientVpnEndpoint', `arn:aws:ec2:${ctx.region}:${ctx.caller.account}:client-vpn-endpoint/*`);
      const iam = ctx.onBehalfOf('ec2.amazonaws.com');
      await iam.call('iam', 'CreateServiceLinkedRole', { AWSServiceName: 'clientvpn.amazonaws.com' });
      return { ClientVpnEndpointId: 'cvpn-endpoint-0123456789abcdef0', Status: { Code: 'pending-associate' }, DnsName: '*.cvpn-endpoint-0123456789abcdef0.prod.clientvpn.us-east-1.amazonaws.com' };
    },
  },
};

const CLIENT_NETWORK = '127.0.0.0/8'; // the test client's address is 127.0.0.1

describe('Forward access: the aws:SourceIp deny and the aws:ViaAWSService fix (seed 001)', () => {
  let server: Running;
  let iam: IAMClient;
  let admin: Keys;
  const createEndpoint = (): Promise<{ code: number; stdout: string; stderr: string }> =>
    awsCli(server.endpoint, [
      'ec2', 'create-client-vpn-endpoint',
      '--client-cidr-block', '10.100.0.0/22',
      '--server-certificate-arn', `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555`,
      '--authentication-options', `Type=certificate-authentication,MutualAuthentication={ClientRootCertificateChainArn=arn:aws:acm:us-east-1:${ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555}`,
      '--connection-log-options', 'Enabled=false',
    ], admin);
  const denyOutside = (fixed: boolean): string =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: '*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': [CLIENT_NETWORK] }, ...(fixed ? { Bool: { 'aws:ViaAWSService': 'false' } } : {}) } },
      ],
    });

  before(async () => {
    server = await startServer({ extraServices: [ec2] });
    iam = new IAMClient(clientConfig(server.endpoint));
    await iam.send(new CreateUserCommand({ UserName: 'admin' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'admin', PolicyName: 'AdminFromOffice', PolicyDocument: denyOutside(false) }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'admin' }));
    admin = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
  });
  after(async () => server.close());

  it('the direct call is allowed, but the forward-access iam:CreateServiceLinkedRole from the service address is denied', async () => {
    const r = await createEndpoint();
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /An error occurred \(AccessDenied\) when calling the CreateClientVpnEndpoint operation: User: arn:aws:iam::000000000000:user\/admin is not authorized to perform: iam:CreateServiceLinkedRole on resource: arn:aws:iam::000000000000:role\/aws-service-role\/clientvpn.amazonaws.com\/AWSServiceRoleForClientVPN with an explicit deny in an identity-based policy/,
    );
    await assert.rejects(iam.send(new GetRoleCommand({ RoleName: 'AWSServiceRoleForClientVPN' })), /cannot be found/);
  });

  it('CloudTrail shows the failed CreateServiceLinkedRole, invoked by the service, from its address', async () => {
    const r = await awsCli(server.endpoint, ['cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=EventName,AttributeValue=CreateServiceLinkedRole']);
    assert.equal(r.code, 0, r.stderr);
    const events = (JSON.parse(r.stdout) as { Events: { CloudTrailEvent: string }[] }).Events.map((e) => JSON.parse(e.CloudTrailEvent) as Record<string, unknown>);
    assert.equal(events.length, 1);
    const e = events[0]!;
    assert.equal(e.errorCode, 'AccessDenied');
    assert.equal(e.eventSource, 'iam.amazonaws.com');
    assert.equal(e.sourceIPAddress, 'ec2.amazonaws.com');
    assert.deepEqual((e.userIdentity as Record<string, unknown>).invokedBy, 'ec2.amazonaws.com');
    assert.equal((e.userIdentity as Record<string, unknown>).arn, 'arn:aws:iam::000000000000:user/admin');
    assert.deepEqual(e.requestParameters, { aWSServiceName: 'clientvpn.amazonaws.com' });
  });

  it('with "Bool": {"aws:ViaAWSService": "false"} in the Deny, the same call succeeds and the role exists', async () => {
    await iam.send(new PutUserPolicyCommand({ UserName: 'admin', PolicyName: 'AdminFromOffice', PolicyDocument: denyOutside(true) }));
    const r = await createEndpoint();
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { ClientVpnEndpointId: string }).ClientVpnEndpointId, 'cvpn-endpoint-0123456789abcdef0');
    const role = await iam.send(new GetRoleCommand({ RoleName: 'AWSServiceRoleForClientVPN' }));
    assert.equal(role.Role!.Path, '/aws-service-role/clientvpn.amazonaws.com/');
    const trail = await awsCli(server.endpoint, ['cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=EventName,AttributeValue=CreateServiceLinkedRole']);
    const slr = (JSON.parse(trail.stdout) as { Events: { CloudTrailEvent: string }[] }).Events.map((e) => JSON.parse(e.CloudTrailEvent) as Record<string, unknown>);
    assert.equal(slr.length, 2, 'the failed attempt and the successful one');
    assert.equal(slr[0]!.errorCode, undefined);
    assert.equal((slr[0]!.userIdentity as Record<string, unknown>).invokedBy, 'ec2.amazonaws.com');
    assert.equal((slr[0]!.responseElements as { role: { roleName: string } }).role.roleName, 'AWSServiceRoleForClientVPN');
    const direct = await awsCli(server.endpoint, ['cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=EventName,AttributeValue=CreateClientVpnEndpoint']);
    const calls = (JSON.parse(direct.stdout) as { Events: { CloudTrailEvent: string }[] }).Events.map((e) => JSON.parse(e.CloudTrailEvent) as Record<string, unknown>);
    assert.equal(calls[0]!.sourceIPAddress, '127.0.0.1');
    assert.equal(calls[0]!.errorCode, undefined);
    assert.equal(calls[1]!.errorCode, 'AccessDenied');
  });

  it('the fix still denies direct calls from outside the network: the forward-access address is the service\'s', () => {
    assert.ok(!AWS_SERVICE_ADDRESS.startsWith('127.'), 'the service address is not the client network');
  });

  it('a failed downstream step leaves nothing behind: the role is created in the same transaction as the call', async () => {
    // Remove the role, then deny the SLR creation: the endpoint call fails and no role appears.
    const del = await iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: 'AWSServiceRoleForClientVPN' }));
    for (let i = 0; i < 50; i++) {
      const s = await iam.send(new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId: del.DeletionTaskId! }));
      if (s.Status === 'SUCCEEDED') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await iam.send(new PutUserPolicyCommand({ UserName: 'admin', PolicyName: 'AdminFromOffice', PolicyDocument: denyOutside(false) }));
    const r = await createEndpoint();
    assert.notEqual(r.code, 0);
    await assert.rejects(iam.send(new GetRoleCommand({ RoleName: 'AWSServiceRoleForClientVPN' })), /cannot be found/);
  });
});
