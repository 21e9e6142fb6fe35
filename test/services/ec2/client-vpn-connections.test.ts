/**
 * Client connections (Gatehouse's `ConnectClientVpnClient`, standing in for a VPN client
 * connecting): mutual authentication against the client root certificate and the
 * revocation list, the client connect handler really deciding (a Node.js Lambda function
 * invoked as AWSServiceRoleForClientVPNConnections), connection logs in CloudWatch Logs in
 * AWS's format, DescribeClientVpnConnections and TerminateClientVpnConnections.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloudWatchLogsClient, CreateLogGroupCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  AssociateClientVpnTargetNetworkCommand,
  CreateClientVpnEndpointCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeClientVpnConnectionsCommand,
  DescribeClientVpnEndpointsCommand,
  EC2Client,
  ImportClientVpnClientCertificateRevocationListCommand,
  TerminateClientVpnConnectionsCommand,
} from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ACCOUNT, clientConfig, startServer, type Running } from '../../helpers/server.js';
import { signedRequest } from '../../helpers/sign.js';
import { clientVpnFixtures, type Pki } from '../../helpers/certificates.js';
import { createFunction, executionRole, zip } from '../lambda/helpers.js';

interface Connected {
  Status: string;
  ConnectionId?: string;
  ClientIp?: string;
  FailureReason?: string;
  Message?: string;
  PostureComplianceStatuses?: string[];
}

/** A connect handler: refuses the platform `blocked-os`, reports a posture status. */
const HANDLER = `exports.handler = async (event) => {
  if (event.platform === 'blocked-os') return { allow: false, 'error-msg-on-denied-connection': 'Update your operating system', 'posture-compliance-statuses': ['outdated'], 'schema-version': 'v2' };
  return { allow: true, 'error-msg-on-denied-connection': '', 'posture-compliance-statuses': ['compliant:' + event['common-name']], 'schema-version': 'v2' };
};
`;

describe('Client VPN connections', () => {
  let server: Running;
  let ec2: EC2Client;
  let pki: Pki;
  let id: string;
  let stream: string;
  const connect = async (body: object): Promise<Connected> => {
    const r = await signedRequest(server.endpoint, { service: 'ec2', path: '/_gatehouse/ec2/ConnectClientVpnClient', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ClientVpnEndpointId: id, ...body }) });
    assert.equal(r.status, 200, r.body);
    return JSON.parse(r.body) as Connected;
  };
  const logLines = async (): Promise<Record<string, unknown>[]> => {
    const events = (await new CloudWatchLogsClient(clientConfig(server.endpoint)).send(new GetLogEventsCommand({ logGroupName: 'cvpn-connections', logStreamName: stream, startFromHead: true }))).events!;
    return events.map((e) => JSON.parse(e.message!) as Record<string, unknown>);
  };

  before(async () => {
    server = await startServer();
    ec2 = new EC2Client(clientConfig(server.endpoint));
    let cert: string;
    ({ serverCertificateArn: cert, pki } = await clientVpnFixtures(server.endpoint));
    await new CloudWatchLogsClient(clientConfig(server.endpoint)).send(new CreateLogGroupCommand({ logGroupName: 'cvpn-connections' }));
    const role = await executionRole(new IAMClient(clientConfig(server.endpoint)), 'connect-handler');
    await createFunction(new LambdaClient(clientConfig(server.endpoint)), role, 'AWSClientVPN-gate', zip({ 'index.js': HANDLER }));
    id = (
      await ec2.send(
        new CreateClientVpnEndpointCommand({
          ClientCidrBlock: '10.100.0.0/22',
          ServerCertificateArn: cert,
          AuthenticationOptions: [{ Type: 'certificate-authentication', MutualAuthentication: { ClientRootCertificateChainArn: cert } }],
          ConnectionLogOptions: { Enabled: true, CloudwatchLogGroup: 'cvpn-connections' },
          ClientConnectOptions: { Enabled: true, LambdaFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:AWSClientVPN-gate` },
        }),
      )
    ).ClientVpnEndpointId!;
    stream = (await ec2.send(new DescribeClientVpnEndpointsCommand({ ClientVpnEndpointIds: [id] }))).ClientVpnEndpoints![0]!.ConnectionLogOptions!.CloudwatchLogStream!;
  });
  after(async () => server.close());

  it('before any target network is associated, clients cannot connect', async () => {
    assert.deepEqual((await connect({ ClientCertificate: pki.clientCert })).FailureReason, 'endpoint-unavailable');
  });

  it('a client certificate from the client root CA connects: an address from the client CIDR, the handler\'s posture status, listed, logged', async () => {
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.1.0/24' }))).Subnet!.SubnetId!;
    await ec2.send(new AssociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: id, SubnetId: subnet }));
    await new Promise((r) => setTimeout(r, 250));
    const c = await connect({ ClientCertificate: pki.clientCert, Platform: 'mac', PublicIp: '203.0.113.7' });
    assert.deepEqual([c.Status, c.ClientIp, c.PostureComplianceStatuses], ['active', '10.100.0.2', ['compliant:client.vpn.example']]);
    assert.match(c.ConnectionId!, /^cvpn-connection-[0-9a-f]{17}$/);
    const second = await connect({ ClientCertificate: pki.clientCert });
    assert.equal(second.ClientIp, '10.100.0.3');
    const listed = (await ec2.send(new DescribeClientVpnConnectionsCommand({ ClientVpnEndpointId: id, Filters: [{ Name: 'connection-id', Values: [c.ConnectionId!] }] }))).Connections!;
    assert.deepEqual(
      listed.map((x) => [x.ConnectionId, x.ClientIp, x.CommonName, x.Status!.Code, x.PostureComplianceStatuses]),
      [[c.ConnectionId, '10.100.0.2', 'client.vpn.example', 'active', ['compliant:client.vpn.example']]],
    );
    const [first] = await logLines();
    assert.deepEqual(
      [first!['connection-log-type'], first!['connection-attempt-status'], first!['connection-id'], first!['client-vpn-endpoint-id'], first!['client-ip'], first!['common-name'], first!['device-ip'], first!['device-type'], first!['connection-end-time'], first!['username']],
      ['connection-attempt', 'successful', c.ConnectionId, id, '10.100.0.2', 'client.vpn.example', '203.0.113.7', 'mac', 'NA', 'NA'],
    );
  });

  it('the connect handler decides: a refused platform fails with its message, and the attempt is logged as failed', async () => {
    const c = await connect({ ClientCertificate: pki.clientCert, Platform: 'blocked-os' });
    assert.deepEqual([c.Status, c.FailureReason, c.Message, c.PostureComplianceStatuses], ['failed', 'client-connect-failed', 'Update your operating system', ['outdated']]);
    const lines = await logLines();
    const failed = lines.find((l) => l['connection-attempt-status'] === 'failed');
    assert.equal(failed!['connection-attempt-failure-reason'], 'client-connect-failed');
  });

  it('mutual authentication: another CA\'s certificate and a revoked one are refused, and not logged', async () => {
    const before = (await logLines()).length;
    const stranger = await connect({ ClientCertificate: pki.strangerCert });
    assert.deepEqual([stranger.Status, stranger.FailureReason], ['failed', 'authentication-failed']);
    await ec2.send(new ImportClientVpnClientCertificateRevocationListCommand({ ClientVpnEndpointId: id, CertificateRevocationList: pki.revokingCrl }));
    const revoked = await connect({ ClientCertificate: pki.clientCert });
    assert.deepEqual([revoked.Status, revoked.FailureReason, revoked.Message], ['failed', 'authentication-failed', 'the client certificate is revoked']);
    assert.equal((await logLines()).length, before);
    await ec2.send(new ImportClientVpnClientCertificateRevocationListCommand({ ClientVpnEndpointId: id, CertificateRevocationList: pki.crl }));
  });

  it('TerminateClientVpnConnections ends a connection: listed as terminated with its end time, and logged', async () => {
    const [active] = (await ec2.send(new DescribeClientVpnConnectionsCommand({ ClientVpnEndpointId: id }))).Connections!.filter((x) => x.Status!.Code === 'active');
    const out = await ec2.send(new TerminateClientVpnConnectionsCommand({ ClientVpnEndpointId: id, ConnectionId: active!.ConnectionId! }));
    assert.deepEqual(out.ConnectionStatuses, [{ ConnectionId: active!.ConnectionId, PreviousStatus: { Code: 'active' }, CurrentStatus: { Code: 'terminating' } }]);
    const [after] = (await ec2.send(new DescribeClientVpnConnectionsCommand({ ClientVpnEndpointId: id, Filters: [{ Name: 'connection-id', Values: [active!.ConnectionId!] }] }))).Connections!;
    assert.equal(after!.Status!.Code, 'terminated');
    assert.match(after!.ConnectionEndTime!, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const ended = (await logLines()).filter((l) => l['connection-id'] === active!.ConnectionId && l['connection-end-time'] !== 'NA');
    assert.equal(ended.length, 1);
    await assert.rejects(ec2.send(new TerminateClientVpnConnectionsCommand({ ClientVpnEndpointId: id, ConnectionId: 'cvpn-connection-0123456789abcdef0' })), { name: 'InvalidClientVpnConnection.IdNotFound' });
  });

  it('a Gatehouse operation still needs a valid signature', async () => {
    const r = await signedRequest(server.endpoint, { service: 'ec2', path: '/_gatehouse/ec2/ConnectClientVpnClient', credentials: { accessKeyId: 'test', secretAccessKey: 'wrong' }, headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(r.status, 403);
    assert.equal((JSON.parse(r.body) as { __type: string }).__type, 'SignatureDoesNotMatch');
  });
});
