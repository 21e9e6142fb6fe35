/**
 * AWS Client VPN's control plane through the SDK, the AWS CLI and boto3: endpoint
 * lifecycle, target network association (the automatic route, the default security
 * group, the endpoint's status following its associations, the service's requester-
 * managed network interface), authorization rules, routes, security groups, ClientToken
 * idempotency, DryRun, the validation rules with AWS's codes, and the service-linked roles
 * created with the first endpoint.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApplySecurityGroupsToClientVpnTargetNetworkCommand,
  AssociateClientVpnTargetNetworkCommand,
  CreateClientVpnEndpointCommand,
  CreateClientVpnRouteCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteClientVpnEndpointCommand,
  DeleteClientVpnRouteCommand,
  DescribeClientVpnAuthorizationRulesCommand,
  DescribeClientVpnEndpointsCommand,
  DescribeClientVpnRoutesCommand,
  DescribeClientVpnTargetNetworksCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DisassociateClientVpnTargetNetworkCommand,
  EC2Client,
  ModifyClientVpnEndpointCommand,
  RevokeClientVpnIngressCommand,
  type CreateClientVpnEndpointCommandInput,
} from '@aws-sdk/client-ec2';
import { GetPolicyCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { ACCOUNT, awsCli, boto3, clientConfig, startServer, type Running } from '../../helpers/server.js';
import { clientVpnFixtures } from '../../helpers/certificates.js';
import { FAST_TIMING, setClientVpnTiming } from '../../../src/services/ec2/client-vpn/timing.js';

const code = (e: unknown): string => (e as { name?: string }).name ?? String(e);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Settle delays for this file: long enough to see transitional states (the first association
 * loads the managed policy catalog), short enough to wait for. */
const SETTLE = 1000;

describe('Client VPN endpoints, target networks, rules and routes', () => {
  let server: Running;
  let ec2: EC2Client;
  let vpcId: string;
  let subnetA: string;
  let subnetB: string;
  let subnetA2: string;
  /** The server certificate (imported into ACM), also the client root chain. */
  let CERT: string;
  const mutual = (extra: Partial<CreateClientVpnEndpointCommandInput> = {}): CreateClientVpnEndpointCommandInput => ({
    ClientCidrBlock: '10.100.0.0/22',
    ServerCertificateArn: CERT,
    AuthenticationOptions: [{ Type: 'certificate-authentication', MutualAuthentication: { ClientRootCertificateChainArn: CERT } }],
    ConnectionLogOptions: { Enabled: false },
    ...extra,
  });
  const rejects = async (p: Promise<unknown>, expected: string, message?: RegExp): Promise<void> => {
    await assert.rejects(p, (e: Error) => {
      assert.equal(code(e), expected, e.message);
      if (message) assert.match(e.message, message);
      return true;
    });
  };
  const settle = (): Promise<void> => sleep(SETTLE + 60);
  before(async () => {
    setClientVpnTiming(Object.fromEntries(Object.keys(FAST_TIMING).map((k) => [k, SETTLE])));
    server = await startServer();
    ec2 = new EC2Client(clientConfig(server.endpoint));
    // Load the AWS managed policy catalog now (the service role's policy comes from it), so
    // that the timed transitional states below are not eaten by that one-off load.
    await new IAMClient(clientConfig(server.endpoint)).send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/aws-service-role/ClientVPNServiceRolePolicy' }));
    CERT = (await clientVpnFixtures(server.endpoint)).serverCertificateArn;
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
    subnetA = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    subnetB = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.2.0/24', AvailabilityZone: 'us-east-1b' }))).Subnet!.SubnetId!;
    subnetA2 = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.3.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
  });
  after(async () => {
    setClientVpnTiming(FAST_TIMING);
    await server.close();
  });
  beforeEach(() => undefined);

  it('the first endpoint creates both service-linked roles; the endpoint starts pending-associate with AWS\'s fields', async () => {
    const iam = new IAMClient(clientConfig(server.endpoint));
    await rejects(iam.send(new GetRoleCommand({ RoleName: 'AWSServiceRoleForClientVPN' })), 'NoSuchEntityException');
    const created = await ec2.send(new CreateClientVpnEndpointCommand(mutual({ Description: 'corp', SplitTunnel: true, DnsServers: ['10.0.0.2'], TagSpecifications: [{ ResourceType: 'client-vpn-endpoint', Tags: [{ Key: 'env', Value: 'test' }] }] })));
    const id = created.ClientVpnEndpointId!;
    assert.match(id, /^cvpn-endpoint-[0-9a-f]{17}$/);
    assert.equal(created.Status!.Code, 'pending-associate');
    assert.equal(created.DnsName, `${id}.prod.clientvpn.us-east-1.amazonaws.com`);
    for (const [name, path] of [['AWSServiceRoleForClientVPN', '/aws-service-role/clientvpn.amazonaws.com/'], ['AWSServiceRoleForClientVPNConnections', '/aws-service-role/clientvpn-connections.amazonaws.com/']] as const) {
      const role = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role!;
      assert.equal(role.Path, path);
    }
    const [e] = (await ec2.send(new DescribeClientVpnEndpointsCommand({ ClientVpnEndpointIds: [id] }))).ClientVpnEndpoints!;
    assert.equal(e!.DnsName, `*.${id}.prod.clientvpn.us-east-1.amazonaws.com`);
    assert.deepEqual(
      [e!.Status!.Code, e!.ClientCidrBlock, e!.SplitTunnel, e!.VpnProtocol, e!.TransportProtocol, e!.VpnPort, e!.SessionTimeoutHours, e!.SelfServicePortalUrl, e!.DnsServers, e!.Description],
      ['pending-associate', '10.100.0.0/22', true, 'openvpn', 'udp', 443, 24, undefined, ['10.0.0.2'], 'corp'],
    );
    assert.deepEqual(e!.AuthenticationOptions, [{ Type: 'certificate-authentication', MutualAuthentication: { ClientRootCertificateChain: CERT } }]);
    assert.deepEqual(e!.Tags, [{ Key: 'env', Value: 'test' }]);
    await ec2.send(new DeleteClientVpnEndpointCommand({ ClientVpnEndpointId: id }));
  });

  it('association: associating → associated, the endpoint becomes available, the automatic route and the default group appear, and a requester-managed interface is in the subnet', async () => {
    const id = (await ec2.send(new CreateClientVpnEndpointCommand(mutual()))).ClientVpnEndpointId!;
    const assoc = await ec2.send(new AssociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: id, SubnetId: subnetA }));
    assert.equal(assoc.Status!.Code, 'associating');
    assert.match(assoc.AssociationId!, /^cvpn-assoc-[0-9a-f]{17}$/);
    let [e] = (await ec2.send(new DescribeClientVpnEndpointsCommand({ ClientVpnEndpointIds: [id] }))).ClientVpnEndpoints!;
    assert.equal(e!.Status!.Code, 'pending-associate', 'while associating');
    await settle();
    [e] = (await ec2.send(new DescribeClientVpnEndpointsCommand({ ClientVpnEndpointIds: [id] }))).ClientVpnEndpoints!;
    assert.equal(e!.Status!.Code, 'available');
    assert.equal(e!.VpcId, vpcId);
    const defaultGroup = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'group-name', Values: ['default'] }] }))).SecurityGroups![0]!.GroupId!;
    assert.deepEqual(e!.SecurityGroupIds, [defaultGroup]);
    const nets = (await ec2.send(new DescribeClientVpnTargetNetworksCommand({ ClientVpnEndpointId: id }))).ClientVpnTargetNetworks!;
    assert.deepEqual(nets.map((n) => [n.AssociationId, n.TargetNetworkId, n.VpcId, n.Status!.Code, n.SecurityGroups]), [[assoc.AssociationId, subnetA, vpcId, 'associated', [defaultGroup]]]);
    const routes = (await ec2.send(new DescribeClientVpnRoutesCommand({ ClientVpnEndpointId: id }))).Routes!;
    assert.deepEqual(routes.map((r) => [r.DestinationCidr, r.TargetSubnet, r.Origin, r.Type, r.Description, r.Status!.Code]), [['10.0.0.0/16', subnetA, 'associate', 'Nat', 'Default Route', 'active']]);
    const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'subnet-id', Values: [subnetA] }, { Name: 'requester-managed', Values: ['true'] }] }))).NetworkInterfaces!;
    assert.equal(enis.length, 1);
    assert.match(enis[0]!.Description!, new RegExp(`ClientVPN Endpoint resource ${id}`));
    assert.deepEqual(enis[0]!.Groups!.map((g) => g.GroupId), [defaultGroup]);
    assert.match(enis[0]!.RequesterId!, /^AROA[A-Z0-9]+:ClientVPN$/);

    // The same AZ twice, the same subnet twice, and a manual duplicate of the automatic route.
    await rejects(ec2.send(new AssociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: id, SubnetId: subnetA2 })), 'InvalidClientVpnSubnetId.DuplicateAz');
    await rejects(ec2.send(new AssociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: id, SubnetId: subnetA })), 'InvalidClientVpnDuplicateAssociationException');
    await rejects(ec2.send(new CreateClientVpnRouteCommand({ ClientVpnEndpointId: id, DestinationCidrBlock: '10.0.0.0/16', TargetVpcSubnetId: subnetA })), 'InvalidClientVpnDuplicateRoute', /Route already exists/);
    // The automatic route cannot be deleted; deleting the endpoint is refused while associated.
    await rejects(ec2.send(new DeleteClientVpnRouteCommand({ ClientVpnEndpointId: id, DestinationCidrBlock: '10.0.0.0/16', TargetVpcSubnetId: subnetA })), 'InvalidParameterValue');
    await rejects(ec2.send(new DeleteClientVpnEndpointCommand({ ClientVpnEndpointId: id })), 'InvalidClientVpnEndpointAssociationExists');

    // Security groups are replaced as a set, on the endpoint and its interface.
    const vpnSg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'cvpn', Description: 'client vpn', VpcId: vpcId }))).GroupId!;
    const applied = await ec2.send(new ApplySecurityGroupsToClientVpnTargetNetworkCommand({ ClientVpnEndpointId: id, VpcId: vpcId, SecurityGroupIds: [vpnSg] }));
    assert.deepEqual(applied.SecurityGroupIds, [vpnSg]);
    const eni = (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [enis[0]!.NetworkInterfaceId!] }))).NetworkInterfaces![0]!;
    assert.deepEqual(eni.Groups!.map((g) => g.GroupId), [vpnSg]);

    // Disassociation: the interface and the automatic route go; the endpoint returns to pending-associate.
    const dis = await ec2.send(new DisassociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: id, AssociationId: assoc.AssociationId! }));
    assert.equal(dis.Status!.Code, 'disassociating');
    await settle();
    [e] = (await ec2.send(new DescribeClientVpnEndpointsCommand({ ClientVpnEndpointIds: [id] }))).ClientVpnEndpoints!;
    assert.equal(e!.Status!.Code, 'pending-associate', 'after the last disassociation');
    assert.deepEqual((await ec2.send(new DescribeClientVpnRoutesCommand({ ClientVpnEndpointId: id }))).Routes, []);
    assert.deepEqual((await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'subnet-id', Values: [subnetA] }] }))).NetworkInterfaces, []);
    const del = await ec2.send(new DeleteClientVpnEndpointCommand({ ClientVpnEndpointId: id }));
    assert.equal(del.Status!.Code, 'deleting');
  });

  it('authorization rules and routes through the AWS CLI: states settle, filters find them, duplicates and missing ones get AWS\'s codes', async () => {
    const id = (await ec2.send(new CreateClientVpnEndpointCommand(mutual()))).ClientVpnEndpointId!;
    await rejects(ec2.send(new CreateClientVpnRouteCommand({ ClientVpnEndpointId: id, DestinationCidrBlock: '0.0.0.0/0', TargetVpcSubnetId: subnetB })), 'InvalidClientVpnActiveAssociationNotFound');
    await ec2.send(new AssociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: id, SubnetId: subnetB }));
    const cli = async (args: string[]): Promise<Record<string, unknown>> => {
      const r = await awsCli(server.endpoint, ['ec2', ...args]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout || '{}') as Record<string, unknown>;
    };
    assert.deepEqual(await cli(['authorize-client-vpn-ingress', '--client-vpn-endpoint-id', id, '--target-network-cidr', '10.0.0.0/16', '--authorize-all-groups']), { Status: { Code: 'authorizing' } });
    await cli(['authorize-client-vpn-ingress', '--client-vpn-endpoint-id', id, '--target-network-cidr', '0.0.0.0/0', '--access-group-id', 'S-1-5-21-1-2-3-1105', '--description', 'engineers']);
    assert.deepEqual(await cli(['create-client-vpn-route', '--client-vpn-endpoint-id', id, '--destination-cidr-block', '0.0.0.0/0', '--target-vpc-subnet-id', subnetB]), { Status: { Code: 'creating' } });
    await cli(['create-client-vpn-route', '--client-vpn-endpoint-id', id, '--destination-cidr-block', '10.100.0.0/22', '--target-vpc-subnet-id', 'local']);
    const dup = await awsCli(server.endpoint, ['ec2', 'authorize-client-vpn-ingress', '--client-vpn-endpoint-id', id, '--target-network-cidr', '10.0.0.0/16', '--authorize-all-groups']);
    assert.match(dup.stderr, /\(InvalidClientVpnDuplicateAuthorizationRule\)/);
    const both = await awsCli(server.endpoint, ['ec2', 'authorize-client-vpn-ingress', '--client-vpn-endpoint-id', id, '--target-network-cidr', '10.1.0.0/16', '--authorize-all-groups', '--access-group-id', 'x']);
    assert.match(both.stderr, /\(InvalidParameterValue\)/);
    await settle();
    const rules = (await cli(['describe-client-vpn-authorization-rules', '--client-vpn-endpoint-id', id, '--filters', 'Name=destination-cidr,Values=0.0.0.0/0'])) as { AuthorizationRules: Record<string, unknown>[] };
    assert.deepEqual(rules.AuthorizationRules, [{ ClientVpnEndpointId: id, Description: 'engineers', GroupId: 'S-1-5-21-1-2-3-1105', AccessAll: false, DestinationCidr: '0.0.0.0/0', Status: { Code: 'active' } }]);
    const out = await boto3(
      server.endpoint,
      `
ec2 = client('ec2')
r = ec2.describe_client_vpn_routes(ClientVpnEndpointId='${id}', Filters=[{'Name': 'origin', 'Values': ['add-route']}])['Routes']
print(json.dumps(sorted([[x['DestinationCidr'], x['TargetSubnet'], x['Type'], x['Status']['Code']] for x in r])))
`,
    );
    assert.deepEqual(JSON.parse(out), [['0.0.0.0/0', subnetB, 'Nat', 'active'], ['10.100.0.0/22', 'local', 'local', 'active']]);
    await ec2.send(new RevokeClientVpnIngressCommand({ ClientVpnEndpointId: id, TargetNetworkCidr: '0.0.0.0/0', AccessGroupId: 'S-1-5-21-1-2-3-1105' }));
    await rejects(ec2.send(new RevokeClientVpnIngressCommand({ ClientVpnEndpointId: id, TargetNetworkCidr: '0.0.0.0/0', RevokeAllGroups: true })), 'InvalidClientVpnEndpointAuthorizationRuleNotFound');
    await ec2.send(new DeleteClientVpnRouteCommand({ ClientVpnEndpointId: id, DestinationCidrBlock: '0.0.0.0/0', TargetVpcSubnetId: subnetB }));
    await settle();
    const left = (await ec2.send(new DescribeClientVpnAuthorizationRulesCommand({ ClientVpnEndpointId: id }))).AuthorizationRules!;
    assert.deepEqual(left.map((r) => r.DestinationCidr), ['10.0.0.0/16']);
    await rejects(ec2.send(new DeleteClientVpnRouteCommand({ ClientVpnEndpointId: id, DestinationCidrBlock: '0.0.0.0/0', TargetVpcSubnetId: subnetB })), 'InvalidClientVpnRouteNotFound');
  });

  it('validation: client CIDR size, port, session timeout, DNS servers, authentication combinations, connect handler name, immutable fields; a refused call creates nothing', async () => {
    const before = (await ec2.send(new DescribeClientVpnEndpointsCommand({}))).ClientVpnEndpoints!.length;
    await rejects(ec2.send(new CreateClientVpnEndpointCommand(mutual({ ClientCidrBlock: '10.100.0.0/23' }))), 'InvalidParameterValue', /between \/12 and \/22/);
    await rejects(ec2.send(new CreateClientVpnEndpointCommand(mutual({ ClientCidrBlock: '10.0.0.0/11' }))), 'InvalidParameterValue');
    await rejects(ec2.send(new CreateClientVpnEndpointCommand(mutual({ VpnPort: 8443 }))), 'InvalidParameterValue');
    await rejects(ec2.send(new CreateClientVpnEndpointCommand(mutual({ SessionTimeoutHours: 9 }))), 'InvalidParameterValue');
    await rejects(ec2.send(new CreateClientVpnEndpointCommand(mutual({ DnsServers: ['1.1.1.1', '8.8.8.8', '9.9.9.9'] }))), 'InvalidParameterValue');
    await rejects(
      ec2.send(new CreateClientVpnEndpointCommand(mutual({ AuthenticationOptions: [{ Type: 'directory-service-authentication', ActiveDirectory: { DirectoryId: 'd-1234567890' } }, { Type: 'federated-authentication', FederatedAuthentication: { SAMLProviderArn: `arn:aws:iam::${ACCOUNT}:saml-provider/x` } }] }))),
      'InvalidParameterCombination',
    );
    await rejects(ec2.send(new CreateClientVpnEndpointCommand(mutual({ ClientConnectOptions: { Enabled: true, LambdaFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:connect-handler` } }))), 'InvalidParameterValue', /AWSClientVPN-/);
    await rejects(ec2.send(new CreateClientVpnEndpointCommand(mutual({ SecurityGroupIds: ['sg-0123456789abcdef0'] }))), 'MissingParameter');
    await rejects(ec2.send(new CreateClientVpnEndpointCommand(mutual({ AuthenticationOptions: [{ Type: 'federated-authentication', FederatedAuthentication: { SAMLProviderArn: `arn:aws:iam::${ACCOUNT}:saml-provider/missing` } }] }))), 'InvalidParameterValue', /SAML provider/);
    assert.equal((await ec2.send(new DescribeClientVpnEndpointsCommand({}))).ClientVpnEndpoints!.length, before);
    // The client CIDR must not overlap the VPC of a subnet being associated.
    const overlapping = (await ec2.send(new CreateClientVpnEndpointCommand(mutual({ ClientCidrBlock: '10.0.0.0/22' })))).ClientVpnEndpointId!;
    await rejects(ec2.send(new AssociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: overlapping, SubnetId: subnetB })), 'InvalidClientVpnSubnetId.OverlappingCidr');
    // Modify: mutable fields change; there is no way to send an immutable one (the model has none).
    assert.deepEqual((await ec2.send(new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: overlapping, VpnPort: 1194, SessionTimeoutHours: 12, DnsServers: { Enabled: false } }))).Return, true);
    const [e] = (await ec2.send(new DescribeClientVpnEndpointsCommand({ ClientVpnEndpointIds: [overlapping] }))).ClientVpnEndpoints!;
    assert.deepEqual([e!.VpnPort, e!.SessionTimeoutHours], [1194, 12]);
    await ec2.send(new DeleteClientVpnEndpointCommand({ ClientVpnEndpointId: overlapping }));
    await rejects(ec2.send(new DescribeClientVpnEndpointsCommand({ ClientVpnEndpointIds: ['cvpn-endpoint-0123456789abcdef0'] })), 'InvalidClientVpnEndpointId.NotFound', /Endpoint cvpn-endpoint-0123456789abcdef0 does not exist/);
  });

  it('ten changes in flight on one endpoint: the eleventh is ConcurrentMutationLimitExceeded', async () => {
    const id = (await ec2.send(new CreateClientVpnEndpointCommand(mutual({ ClientCidrBlock: '10.120.0.0/22' })))).ClientVpnEndpointId!;
    await ec2.send(new AssociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: id, SubnetId: subnetB }));
    // The association and nine routes settle over the next second (this file's delay).
    for (let i = 0; i < 9; i++) await ec2.send(new CreateClientVpnRouteCommand({ ClientVpnEndpointId: id, DestinationCidrBlock: `192.168.${i}.0/24`, TargetVpcSubnetId: subnetB }));
    await rejects(
      ec2.send(new CreateClientVpnRouteCommand({ ClientVpnEndpointId: id, DestinationCidrBlock: '192.168.100.0/24', TargetVpcSubnetId: subnetB })),
      'ConcurrentMutationLimitExceeded',
      /Cannot initiate another change for this endpoint at this time\. Please try again later\./,
    );
    await settle();
    await ec2.send(new CreateClientVpnRouteCommand({ ClientVpnEndpointId: id, DestinationCidrBlock: '192.168.100.0/24', TargetVpcSubnetId: subnetB }));
  });

  it('ClientToken: a replay returns the first endpoint; other parameters with the same token are IdempotentParameterMismatch; DryRun answers 412', async () => {
    const first = await ec2.send(new CreateClientVpnEndpointCommand(mutual({ ClientToken: 'token-1', Description: 'idem' })));
    const again = await ec2.send(new CreateClientVpnEndpointCommand(mutual({ ClientToken: 'token-1', Description: 'idem' })));
    assert.equal(again.ClientVpnEndpointId, first.ClientVpnEndpointId);
    await rejects(ec2.send(new CreateClientVpnEndpointCommand(mutual({ ClientToken: 'token-1', Description: 'other' }))), 'IdempotentParameterMismatch');
    await rejects(ec2.send(new CreateClientVpnEndpointCommand(mutual({ DryRun: true }))), 'DryRunOperation', /Request would have succeeded, but DryRun flag is set\./);
    await ec2.send(new DeleteClientVpnEndpointCommand({ ClientVpnEndpointId: first.ClientVpnEndpointId! }));
  });
});
