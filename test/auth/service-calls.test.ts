/**
 * Calls a service makes: on the caller's behalf (forward access) and as its role. The
 * seed scenario (shared/seeds 001) end to end through the AWS CLI with the real
 * CreateClientVpnEndpoint: an administrator whose policy denies requests from outside the
 * office network (NotIpAddress on aws:SourceIp) cannot create a Client VPN endpoint,
 * because Client VPN creates its service-linked roles through iam:CreateServiceLinkedRole
 * on the caller's behalf, from the service's address; CloudTrail shows the failed call.
 * Adding "Bool": {"aws:ViaAWSService": "false"} to the Deny fixes it, and CloudTrail then
 * shows CreateServiceLinkedRole, CreateGrant (ACM → KMS, on the caller's behalf) and
 * CreateClientVpnEndpoint. With the roles already there, the same deny fails on
 * kms:DescribeKey instead (the seed author's reproduction).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand, GetRoleCommand, DeleteServiceLinkedRoleCommand, GetServiceLinkedRoleDeletionStatusCommand } from '@aws-sdk/client-iam';
import { DeleteClientVpnEndpointCommand, DescribeClientVpnEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ACCOUNT, awsCli, clientConfig, startServer, type Keys, type Running } from '../helpers/server.js';
import { clientVpnFixtures } from '../helpers/certificates.js';
import { AWS_SERVICE_ADDRESS } from '../../src/auth/service-calls.js';

const CLIENT_NETWORK = '127.0.0.0/8'; // the test client's address is 127.0.0.1

interface TrailEvent {
  eventName: string;
  eventSource: string;
  errorCode?: string;
  errorMessage?: string;
  sourceIPAddress: string;
  userIdentity: { arn?: string; invokedBy?: string; type: string };
  requestParameters?: Record<string, unknown>;
  responseElements?: Record<string, unknown>;
}

describe('Forward access: the aws:SourceIp deny and the aws:ViaAWSService fix (seed 001), with the real CreateClientVpnEndpoint', () => {
  let server: Running;
  let iam: IAMClient;
  let admin: Keys;
  let certificateArn: string;
  const createEndpoint = (): Promise<{ code: number; stdout: string; stderr: string }> =>
    awsCli(server.endpoint, [
      'ec2', 'create-client-vpn-endpoint',
      '--client-cidr-block', '10.100.0.0/22',
      '--server-certificate-arn', certificateArn,
      '--authentication-options', `Type=certificate-authentication,MutualAuthentication={ClientRootCertificateChainArn=${certificateArn}}`,
      '--connection-log-options', 'Enabled=false',
    ], admin);
  const trail = async (eventName: string): Promise<TrailEvent[]> => {
    const r = await awsCli(server.endpoint, ['cloudtrail', 'lookup-events', '--lookup-attributes', `AttributeKey=EventName,AttributeValue=${eventName}`]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { Events: { CloudTrailEvent: string }[] }).Events.map((e) => JSON.parse(e.CloudTrailEvent) as TrailEvent);
  };
  const denyOutside = (fixed: boolean): string =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: '*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': [CLIENT_NETWORK] }, ...(fixed ? { Bool: { 'aws:ViaAWSService': 'false' } } : {}) } },
      ],
    });
  const setPolicy = (fixed: boolean): Promise<unknown> => iam.send(new PutUserPolicyCommand({ UserName: 'admin', PolicyName: 'AdminFromOffice', PolicyDocument: denyOutside(fixed) }));

  before(async () => {
    server = await startServer();
    iam = new IAMClient(clientConfig(server.endpoint));
    await iam.send(new CreateUserCommand({ UserName: 'admin' }));
    await setPolicy(false);
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'admin' }));
    admin = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
    // The administrator imports the certificate (a direct call from the office network: allowed).
    certificateArn = (await clientVpnFixtures(server.endpoint, admin)).serverCertificateArn;
  });
  after(async () => server.close());

  it('the direct call is allowed, but the forward-access iam:CreateServiceLinkedRole from the service address is denied: AWS\'s message, and nothing is created', async () => {
    const r = await createEndpoint();
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /An error occurred \(UnauthorizedOperation\) when calling the CreateClientVpnEndpoint operation: Please ensure that you have the iam:CreateServiceLinkedRole permission configure for your user\/role/);
    await assert.rejects(iam.send(new GetRoleCommand({ RoleName: 'AWSServiceRoleForClientVPN' })), /cannot be found/);
    const ec2 = new EC2Client(clientConfig(server.endpoint));
    assert.deepEqual((await ec2.send(new DescribeClientVpnEndpointsCommand({}))).ClientVpnEndpoints, []);
  });

  it('CloudTrail shows the failed CreateServiceLinkedRole: the admin\'s identity, invoked by Client VPN, from the service, explicitly denied', async () => {
    const [e, ...rest] = await trail('CreateServiceLinkedRole');
    assert.equal(rest.length, 0);
    assert.equal(e!.errorCode, 'AccessDenied');
    assert.match(e!.errorMessage!, /User: arn:aws:iam::000000000000:user\/admin is not authorized to perform: iam:CreateServiceLinkedRole on resource: arn:aws:iam::000000000000:role\/aws-service-role\/clientvpn\.amazonaws\.com\/AWSServiceRoleForClientVPN with an explicit deny in an identity-based policy/);
    assert.equal(e!.eventSource, 'iam.amazonaws.com');
    assert.equal(e!.sourceIPAddress, 'clientvpn.amazonaws.com');
    assert.equal(e!.userIdentity.invokedBy, 'clientvpn.amazonaws.com');
    assert.equal(e!.userIdentity.arn, `arn:aws:iam::${ACCOUNT}:user/admin`);
    assert.deepEqual(e!.requestParameters, { aWSServiceName: 'clientvpn.amazonaws.com' });
    const [call] = await trail('CreateClientVpnEndpoint');
    assert.equal(call!.errorCode, 'UnauthorizedOperation');
    assert.equal(call!.sourceIPAddress, '127.0.0.1');
  });

  it('with "Bool": {"aws:ViaAWSService": "false"} in the Deny, the same call succeeds; CloudTrail shows CreateServiceLinkedRole, CreateGrant and CreateClientVpnEndpoint', async () => {
    await setPolicy(true);
    const r = await createEndpoint();
    assert.equal(r.code, 0, r.stderr);
    const id = (JSON.parse(r.stdout) as { ClientVpnEndpointId: string }).ClientVpnEndpointId;
    assert.match(id, /^cvpn-endpoint-[0-9a-f]{17}$/);
    for (const [name, path] of [['AWSServiceRoleForClientVPN', 'clientvpn.amazonaws.com'], ['AWSServiceRoleForClientVPNConnections', 'clientvpn-connections.amazonaws.com']] as const) {
      assert.equal((await iam.send(new GetRoleCommand({ RoleName: name }))).Role!.Path, `/aws-service-role/${path}/`);
    }
    const slr = await trail('CreateServiceLinkedRole');
    // Newest first; the two roles are created in the same second, in either order.
    assert.deepEqual(slr.map((e) => e.errorCode ?? (e.responseElements as { role: { roleName: string } }).role.roleName).sort(), ['AWSServiceRoleForClientVPN', 'AWSServiceRoleForClientVPNConnections', 'AccessDenied']);
    assert.equal(slr[2]!.errorCode, 'AccessDenied');
    const [grant, ...moreGrants] = await trail('CreateGrant');
    assert.equal(moreGrants.length, 0);
    assert.equal(grant!.eventSource, 'kms.amazonaws.com');
    assert.equal(grant!.errorCode, undefined);
    assert.equal(grant!.userIdentity.invokedBy, 'acm.amazonaws.com');
    assert.equal(grant!.userIdentity.arn, `arn:aws:iam::${ACCOUNT}:user/admin`);
    assert.equal(grant!.sourceIPAddress, 'acm.amazonaws.com');
    assert.equal(grant!.requestParameters!.granteePrincipal, 'acm.us-east-1.amazonaws.com');
    const [describeKey] = await trail('DescribeKey');
    assert.equal(describeKey!.userIdentity.invokedBy, 'acm.amazonaws.com');
    const calls = await trail('CreateClientVpnEndpoint');
    assert.deepEqual(calls.map((c) => [c.errorCode, c.sourceIPAddress]), [[undefined, '127.0.0.1'], ['UnauthorizedOperation', '127.0.0.1']]);
  });

  it('with the roles already there, the unfixed deny fails on kms:DescribeKey (the seed author\'s reproduction)', async () => {
    await setPolicy(false);
    const r = await createEndpoint();
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /An error occurred \(AccessDeniedException\) when calling the CreateClientVpnEndpoint operation: There was an error creating your client VPN endpoint User: arn:aws:iam::000000000000:user\/admin is not authorized to perform kms:DescribeKey on resource arn:aws:kms:us-east-1:000000000000:alias\/aws\/acm\. Grant arn:aws:iam::000000000000:user\/admin permission to perform action kms:DescribeKey by modifying the IAM policy and try again\./,
    );
    const [denied] = await trail('DescribeKey');
    assert.equal(denied!.errorCode, 'AccessDeniedException');
    await setPolicy(true);
  });

  it('the forward-access address is the service\'s, never the caller\'s network', () => {
    assert.ok(!AWS_SERVICE_ADDRESS.startsWith('127.'));
  });

  it('DeleteServiceLinkedRole fails while an endpoint exists, naming it; after the endpoint is deleted it succeeds', async () => {
    const ec2 = new EC2Client(clientConfig(server.endpoint));
    const [endpoint] = (await ec2.send(new DescribeClientVpnEndpointsCommand({}))).ClientVpnEndpoints!;
    const waitFor = async (taskId: string): Promise<{ Status?: string; Reason?: { Reason?: string; RoleUsageList?: { Region?: string; Resources?: string[] }[] } }> => {
      for (let i = 0; i < 100; i++) {
        const s = await iam.send(new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId: taskId }));
        if (s.Status === 'SUCCEEDED' || s.Status === 'FAILED') return s;
        await new Promise((res) => setTimeout(res, 50));
      }
      throw new Error('deletion task did not finish');
    };
    const failed = await waitFor((await iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: 'AWSServiceRoleForClientVPN' }))).DeletionTaskId!);
    assert.equal(failed.Status, 'FAILED');
    assert.deepEqual(failed.Reason!.RoleUsageList, [{ Region: 'us-east-1', Resources: [`arn:aws:ec2:us-east-1:${ACCOUNT}:client-vpn-endpoint/${endpoint!.ClientVpnEndpointId}`] }]);
    await ec2.send(new DeleteClientVpnEndpointCommand({ ClientVpnEndpointId: endpoint!.ClientVpnEndpointId! }));
    await new Promise((res) => setTimeout(res, 400)); // deleting → deleted
    const ok = await waitFor((await iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: 'AWSServiceRoleForClientVPN' }))).DeletionTaskId!);
    assert.equal(ok.Status, 'SUCCEEDED');
  });
});
