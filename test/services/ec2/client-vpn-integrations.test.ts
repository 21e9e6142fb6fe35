/**
 * What a Client VPN endpoint uses in other services, each read or written as
 * AWSServiceRoleForClientVPN: connection logging (the log group must exist; the stream
 * is created with AWS's naming), the client connect handler (the Lambda function must
 * exist and be named AWSClientVPN-*), the certificates (ACM's InUseBy lists the endpoint
 * and DeleteCertificate refuses), and the exported `.ovpn` per authentication type.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ACMClient, DeleteCertificateCommand, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogStreamsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateClientVpnEndpointCommand, DeleteClientVpnEndpointCommand, DescribeClientVpnEndpointsCommand, EC2Client, ExportClientVpnClientConfigurationCommand, ModifyClientVpnEndpointCommand, type CreateClientVpnEndpointCommandInput } from '@aws-sdk/client-ec2';
import { CreateSAMLProviderCommand, IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ACCOUNT, clientConfig, startServer, type Running } from '../../helpers/server.js';
import { clientVpnFixtures, type Pki } from '../../helpers/certificates.js';
import { cjs, createFunction, executionRole } from '../lambda/helpers.js';
import { makeIdp } from '../sts/helpers.js';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';

interface TrailEvent {
  eventName: string;
  userIdentity: { type: string; arn?: string; invokedBy?: string };
}

describe('Client VPN and the services it uses', () => {
  let server: Running;
  let ec2: EC2Client;
  let cert: string;
  let pki: Pki;
  const mutual = (extra: Partial<CreateClientVpnEndpointCommandInput> = {}): CreateClientVpnEndpointCommandInput => ({
    ClientCidrBlock: '10.100.0.0/22',
    ServerCertificateArn: cert,
    AuthenticationOptions: [{ Type: 'certificate-authentication', MutualAuthentication: { ClientRootCertificateChainArn: cert } }],
    ConnectionLogOptions: { Enabled: false },
    ...extra,
  });
  before(async () => {
    server = await startServer();
    ec2 = new EC2Client(clientConfig(server.endpoint));
    ({ serverCertificateArn: cert, pki } = await clientVpnFixtures(server.endpoint));
  });
  after(async () => server.close());

  it('connection logging: a missing log group is refused; otherwise the service creates the stream, as its role', async () => {
    await assert.rejects(ec2.send(new CreateClientVpnEndpointCommand(mutual({ ConnectionLogOptions: { Enabled: true, CloudwatchLogGroup: 'vpn-connections' } }))), { name: 'InvalidParameterValue', message: /log group vpn-connections does not exist/ });
    const logs = new CloudWatchLogsClient(clientConfig(server.endpoint));
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'vpn-connections' }));
    const id = (await ec2.send(new CreateClientVpnEndpointCommand(mutual({ ConnectionLogOptions: { Enabled: true, CloudwatchLogGroup: 'vpn-connections' } })))).ClientVpnEndpointId!;
    const [e] = (await ec2.send(new DescribeClientVpnEndpointsCommand({ ClientVpnEndpointIds: [id] }))).ClientVpnEndpoints!;
    const stream = e!.ConnectionLogOptions!.CloudwatchLogStream!;
    assert.match(stream, new RegExp(`^${id}-us-east-1-\\d{4}/\\d{2}/\\d{2}-[A-Za-z0-9_-]{12}$`));
    const streams = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'vpn-connections' }))).logStreams!;
    assert.deepEqual(streams.map((s) => s.logStreamName), [stream]);
    const trail = await new CloudTrailClient(clientConfig(server.endpoint)).send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateLogStream' }] }));
    const event = JSON.parse(trail.Events![0]!.CloudTrailEvent!) as TrailEvent;
    assert.equal(event.userIdentity.type, 'AssumedRole');
    assert.match(event.userIdentity.arn!, /^arn:aws:sts::000000000000:assumed-role\/AWSServiceRoleForClientVPN\/ClientVPN$/);
    assert.equal(event.userIdentity.invokedBy, 'clientvpn.amazonaws.com');
    // Turning logging on later goes through the same checks.
    const plain = (await ec2.send(new CreateClientVpnEndpointCommand(mutual()))).ClientVpnEndpointId!;
    await assert.rejects(ec2.send(new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: plain, ConnectionLogOptions: { Enabled: true, CloudwatchLogGroup: 'missing' } })), { name: 'InvalidParameterValue' });
    for (const x of [id, plain]) await ec2.send(new DeleteClientVpnEndpointCommand({ ClientVpnEndpointId: x }));
  });

  it('the client connect handler must exist and be named AWSClientVPN-*', async () => {
    const arn = (name: string): string => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
    await assert.rejects(ec2.send(new CreateClientVpnEndpointCommand(mutual({ ClientConnectOptions: { Enabled: true, LambdaFunctionArn: arn('AWSClientVPN-posture') } }))), { name: 'InvalidParameterValue', message: /does not exist/ });
    const role = await executionRole(new IAMClient(clientConfig(server.endpoint)), 'cvpn-handler-role');
    await createFunction(new LambdaClient(clientConfig(server.endpoint)), role, 'AWSClientVPN-posture', cjs('{ allow: true }'));
    const id = (await ec2.send(new CreateClientVpnEndpointCommand(mutual({ ClientConnectOptions: { Enabled: true, LambdaFunctionArn: arn('AWSClientVPN-posture') } })))).ClientVpnEndpointId!;
    const [e] = (await ec2.send(new DescribeClientVpnEndpointsCommand({ ClientVpnEndpointIds: [id] }))).ClientVpnEndpoints!;
    assert.deepEqual([e!.ClientConnectOptions!.Enabled, e!.ClientConnectOptions!.LambdaFunctionArn], [true, arn('AWSClientVPN-posture')]);
    await ec2.send(new DeleteClientVpnEndpointCommand({ ClientVpnEndpointId: id }));
  });

  it('ACM shows the endpoint in InUseBy and refuses to delete the certificate while it is used', async () => {
    const acm = new ACMClient(clientConfig(server.endpoint));
    await new Promise((r) => setTimeout(r, 250)); // the earlier tests' endpoints finish deleting
    const id = (await ec2.send(new CreateClientVpnEndpointCommand(mutual()))).ClientVpnEndpointId!;
    const described = await acm.send(new DescribeCertificateCommand({ CertificateArn: cert }));
    assert.deepEqual(described.Certificate!.InUseBy, [`arn:aws:ec2:us-east-1:${ACCOUNT}:client-vpn-endpoint/${id}`]);
    await assert.rejects(acm.send(new DeleteCertificateCommand({ CertificateArn: cert })), { name: 'ResourceInUseException' });
    await ec2.send(new DeleteClientVpnEndpointCommand({ ClientVpnEndpointId: id }));
  });

  it('the exported .ovpn: the CA chain, the endpoint name, the port and protocol, the server CN; auth-user-pass and auth-federate only for SAML', async () => {
    const id = (await ec2.send(new CreateClientVpnEndpointCommand(mutual({ TransportProtocol: 'tcp', VpnPort: 1194 })))).ClientVpnEndpointId!;
    const text = (await ec2.send(new ExportClientVpnClientConfigurationCommand({ ClientVpnEndpointId: id }))).ClientConfiguration!;
    const lines = text.split('\n');
    assert.deepEqual(lines.slice(0, 10), ['client', 'dev tun', 'proto tcp', `remote ${id}.prod.clientvpn.us-east-1.amazonaws.com 1194`, 'remote-random-hostname', 'resolv-retry infinite', 'nobind', 'remote-cert-tls server', 'cipher AES-256-GCM', 'verb 3']);
    assert.equal(text.slice(text.indexOf('<ca>') + 5, text.indexOf('</ca>')).trim(), pki.caCert.trim());
    assert.ok(lines.includes('verify-x509-name server.vpn.example name'));
    assert.ok(!lines.includes('auth-user-pass'));
    assert.ok(!text.includes('<cert>'), 'mutual: the administrator adds the client certificate and key');
    const iam = new IAMClient(clientConfig(server.endpoint));
    const saml = (await iam.send(new CreateSAMLProviderCommand({ Name: 'okta', SAMLMetadataDocument: makeIdp('https://idp.example.com/metadata').metadata }))).SAMLProviderArn!;
    const federated = (await ec2.send(new CreateClientVpnEndpointCommand(mutual({ AuthenticationOptions: [{ Type: 'federated-authentication', FederatedAuthentication: { SAMLProviderArn: saml } }] })))).ClientVpnEndpointId!;
    const fed = (await ec2.send(new ExportClientVpnClientConfigurationCommand({ ClientVpnEndpointId: federated }))).ClientConfiguration!.split('\n');
    assert.ok(fed.includes('auth-user-pass') && fed.includes('auth-federate'));
    const [e] = (await ec2.send(new DescribeClientVpnEndpointsCommand({ ClientVpnEndpointIds: [federated] }))).ClientVpnEndpoints!;
    assert.equal(e!.SelfServicePortalUrl, `https://self-service.clientvpn.amazonaws.com/endpoints/${federated}`);
    for (const x of [id, federated]) await ec2.send(new DeleteClientVpnEndpointCommand({ ClientVpnEndpointId: x }));
  });
});
