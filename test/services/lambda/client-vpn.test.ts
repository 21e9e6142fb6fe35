/**
 * The path Client VPN takes: a client connect handler (a function named `AWSClientVPN-*`)
 * read with GetFunctionConfiguration as AWSServiceRoleForClientVPN and invoked as
 * AWSServiceRoleForClientVPNConnections, in process, through
 * `ctx.asServiceRole(...).call('lambda', ...)`. The service-linked roles' AWS managed
 * policies decide (the connections role may invoke `AWSClientVPN-*` functions only); the
 * handler's answer must come back byte for byte.
 *
 * A stand-in EC2 operation plays Client VPN here; Client VPN itself comes with its own issue.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateServiceLinkedRoleCommand, GetRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { DescribeClientVpnConnectionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { LambdaClient, type FunctionConfiguration, type InvocationResponse } from '@aws-sdk/client-lambda';
import { ACCOUNT, clientConfig, startServer, type Running } from '../../helpers/server.js';
import { iamClient } from '../iam/helpers.js';
import { createFunction, executionRole, zip } from './helpers.js';
import { AwsError } from '../../../src/models/errors.js';
import type { ServiceRole } from '../../../src/auth/service-calls.js';
import type { ServiceContext, ServiceDefinition } from '../../../src/services/types.js';

/** What the client connect handler answers (Client VPN's schema v3). */
const ANSWER = { allow: true, 'error-msg-on-denied-connection': '', 'posture-compliance-statuses': [], 'schema-version': 'v3' };

describe('Client VPN\'s client connect handler, invoked in process as its service-linked role', () => {
  let server: Running;
  let iam: IAMClient;
  let lambda: LambdaClient;
  let ec2: EC2Client;
  const roles: Record<string, ServiceRole> = {};
  let target = 'AWSClientVPN-auth';
  let seen: { config?: FunctionConfiguration; invoked?: InvocationResponse; error?: AwsError } = {};

  /** Stand-in for Client VPN: on a client's connection, read the handler's configuration, then invoke it. */
  const clientVpn: ServiceDefinition = {
    model: 'ec2',
    signingNames: ['ec2'],
    eventSource: 'ec2.amazonaws.com',
    handlers: {
      async DescribeClientVpnConnections(_input: object, ctx: ServiceContext) {
        await ctx.authorize('ec2:DescribeClientVpnConnections', `arn:aws:ec2:${ctx.region}:${ctx.caller.account}:client-vpn-endpoint/*`);
        seen = {};
        try {
          const service = ctx.asServiceRole(roles.AWSServiceRoleForClientVPN!, 'clientvpn.amazonaws.com', 'ClientVPN');
          seen.config = await service.call<FunctionConfiguration>('lambda', 'GetFunctionConfiguration', { FunctionName: target });
          const connections = ctx.asServiceRole(roles.AWSServiceRoleForClientVPNConnections!, 'clientvpn.amazonaws.com', 'ClientVPNConnections');
          const event = { 'connection-id': 'cvpn-connection-0123456789abcdef0', 'endpoint-id': 'cvpn-endpoint-0123456789abcdef0', 'common-name': 'alice', username: 'alice', platform: 'linux', 'schema-version': 'v3' };
          seen.invoked = await connections.call<InvocationResponse>('lambda', 'Invoke', { FunctionName: target, Payload: JSON.stringify(event) });
        } catch (e) {
          if (!(e instanceof AwsError)) throw e;
          seen.error = e;
        }
        return { Connections: [] };
      },
    },
  };

  before(async () => {
    server = await startServer({ extraServices: [clientVpn] });
    iam = iamClient(server.endpoint);
    lambda = new LambdaClient(clientConfig(server.endpoint));
    ec2 = new EC2Client(clientConfig(server.endpoint));
    for (const service of ['clientvpn.amazonaws.com', 'clientvpn-connections.amazonaws.com']) {
      const created = await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: service }));
      const role = (await iam.send(new GetRoleCommand({ RoleName: created.Role!.RoleName! }))).Role!;
      roles[role.RoleName!] = { account: ACCOUNT, roleName: role.RoleName!, roleId: role.RoleId!, arn: role.Arn!, serviceLinked: true };
    }
    const role = await executionRole(iam, 'vpn-auth-role');
    const handler = `exports.handler = async (event) => (${JSON.stringify(ANSWER)});\n`;
    await createFunction(lambda, role, 'AWSClientVPN-auth', zip({ 'index.js': handler }));
    await createFunction(lambda, role, 'other-auth', zip({ 'index.js': handler }));
  });
  after(async () => {
    lambda.destroy();
    ec2.destroy();
    iam.destroy();
    await server.close();
  });

  it('GetFunctionConfiguration as AWSServiceRoleForClientVPN, Invoke as AWSServiceRoleForClientVPNConnections: the answer round-trips exactly', async () => {
    target = 'AWSClientVPN-auth';
    await ec2.send(new DescribeClientVpnConnectionsCommand({ ClientVpnEndpointId: 'cvpn-endpoint-0123456789abcdef0' }));
    assert.equal(seen.error, undefined, seen.error?.message);
    assert.deepEqual([seen.config!.FunctionName, seen.config!.State, seen.config!.Runtime], ['AWSClientVPN-auth', 'Active', 'nodejs20.x']);
    assert.equal(seen.invoked!.StatusCode, 200);
    assert.equal(seen.invoked!.FunctionError, undefined);
    assert.ok(seen.invoked!.Payload instanceof Uint8Array);
    assert.equal(Buffer.from(seen.invoked!.Payload).toString('utf8'), JSON.stringify(ANSWER));
    assert.deepEqual(JSON.parse(Buffer.from(seen.invoked!.Payload).toString('utf8')), ANSWER);
  });

  it('the connections role may invoke AWSClientVPN-* functions only (ClientVPNServiceConnectionsRolePolicy)', async () => {
    target = 'other-auth';
    await ec2.send(new DescribeClientVpnConnectionsCommand({ ClientVpnEndpointId: 'cvpn-endpoint-0123456789abcdef0' }));
    assert.equal(seen.config!.FunctionName, 'other-auth', 'GetFunctionConfiguration is allowed on any function');
    assert.equal(seen.error?.code, 'AccessDeniedException');
    assert.equal(
      seen.error?.message,
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/AWSServiceRoleForClientVPNConnections/ClientVPNConnections is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:${ACCOUNT}:function:other-auth because no identity-based policy allows the lambda:InvokeFunction action`,
    );
  });

  it('CloudTrail: the configuration read is a management event invoked by Client VPN; the invocation a data event', async () => {
    await server.gatehouse.trail.flush();
    const management = (await server.gatehouse.store.queryEvents({ account: ACCOUNT, limit: 100 })).map((e) => e.event as Record<string, unknown>);
    const read = management.find((e) => e.eventName === 'GetFunctionConfiguration20150331v2')!;
    assert.deepEqual((read.userIdentity as Record<string, unknown>).invokedBy, 'clientvpn.amazonaws.com');
    assert.equal((read.userIdentity as { arn: string }).arn, `arn:aws:sts::${ACCOUNT}:assumed-role/AWSServiceRoleForClientVPN/ClientVPN`);
    assert.ok(!management.some((e) => e.eventName === 'Invoke'));
    const data = (await server.gatehouse.store.queryEvents({ account: ACCOUNT, limit: 100, category: 'Data' })).map((e) => e.event as Record<string, unknown>);
    assert.equal(data.length, 1, 'the allowed invocation only');
    assert.equal((data[0]!.userIdentity as { arn: string }).arn, `arn:aws:sts::${ACCOUNT}:assumed-role/AWSServiceRoleForClientVPNConnections/ClientVPNConnections`);
    assert.deepEqual(data[0]!.requestParameters, { functionName: 'AWSClientVPN-auth' });
  });
});
