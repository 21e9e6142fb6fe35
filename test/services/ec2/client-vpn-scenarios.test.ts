/**
 * The Client VPN guide's scenarios (shared/seeds 002; clientvpn.md §9), each built through
 * the SDK as an administrator would, with the Describe results checked field by field:
 * single VPC, peered VPC, on-premises through a virtual private gateway, internet access,
 * client-to-client, and restricting access with security groups.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AcceptVpcPeeringConnectionCommand,
  ApplySecurityGroupsToClientVpnTargetNetworkCommand,
  AssociateClientVpnTargetNetworkCommand,
  AttachInternetGatewayCommand,
  AttachVpnGatewayCommand,
  AuthorizeClientVpnIngressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateClientVpnEndpointCommand,
  CreateClientVpnRouteCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcPeeringConnectionCommand,
  CreateVpnGatewayCommand,
  DescribeClientVpnAuthorizationRulesCommand,
  DescribeClientVpnEndpointsCommand,
  DescribeClientVpnRoutesCommand,
  DescribeClientVpnTargetNetworksCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { clientConfig, startServer, type Running } from '../../helpers/server.js';
import { clientVpnFixtures } from '../../helpers/certificates.js';


/**
 * A server with a certificate in ACM, and the steps every scenario uses: a VPC with
 * subnets, a mutual-authentication endpoint, the endpoint's routes and rules as rows.
 */
function world() {
  const w = {
    server: undefined as unknown as Running,
    ec2: undefined as unknown as EC2Client,
    cert: '',
    cidr: 0,
    /** A VPC with one subnet per zone given. */
    async network(vpcCidr: string, subnets: readonly [string, string][]): Promise<{ vpcId: string; subnetIds: string[]; mainTable: string }> {
      const vpcId = (await w.ec2.send(new CreateVpcCommand({ CidrBlock: vpcCidr }))).Vpc!.VpcId!;
      const subnetIds: string[] = [];
      for (const [block, zone] of subnets) subnetIds.push((await w.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: block, AvailabilityZone: zone }))).Subnet!.SubnetId!);
      const mainTable = (await w.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).RouteTables![0]!.RouteTableId!;
      return { vpcId, subnetIds, mainTable };
    },
    async endpoint(extra: { SplitTunnel?: boolean } = {}): Promise<string> {
      const created = await w.ec2.send(
        new CreateClientVpnEndpointCommand({
          ClientCidrBlock: `10.${200 + w.cidr++}.0.0/22`,
          ServerCertificateArn: w.cert,
          AuthenticationOptions: [{ Type: 'certificate-authentication', MutualAuthentication: { ClientRootCertificateChainArn: w.cert } }],
          ConnectionLogOptions: { Enabled: false },
          ...extra,
        }),
      );
      return created.ClientVpnEndpointId!;
    },
    async routes(id: string): Promise<string[][]> {
      const routes = (await w.ec2.send(new DescribeClientVpnRoutesCommand({ ClientVpnEndpointId: id }))).Routes!;
      return routes.map((r) => [r.DestinationCidr!, r.TargetSubnet!, r.Origin!, r.Type!, r.Status!.Code!]).sort((a, b) => a.join().localeCompare(b.join()));
    },
    async rules(id: string): Promise<(string | boolean)[][]> {
      const rules = (await w.ec2.send(new DescribeClientVpnAuthorizationRulesCommand({ ClientVpnEndpointId: id }))).AuthorizationRules!;
      return rules.map((r) => [r.DestinationCidr!, r.GroupId!, r.AccessAll!, r.Status!.Code!]).sort((a, b) => a.join().localeCompare(b.join()));
    },
  };
  before(async () => {
    w.server = await startServer();
    w.ec2 = new EC2Client(clientConfig(w.server.endpoint));
    w.cert = (await clientVpnFixtures(w.server.endpoint)).serverCertificateArn;
  });
  after(async () => w.server.close());
  return w;
}

/** The world's steps as plain functions. */
const bind = (w: ReturnType<typeof world>) => ({ network: w.network.bind(w), endpoint: w.endpoint.bind(w), routes: w.routes.bind(w), rules: w.rules.bind(w) });

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 250));

describe('Client VPN scenarios (the administrator guide\'s, built through the SDK)', () => {
  const w = world();
  const { network, endpoint, routes, rules } = bind(w);
  const ec2 = (): EC2Client => w.ec2;

  it('single VPC: associate (automatic route), a rule for the VPC CIDR, the endpoint available with the default group', async () => {
    const vpc = await network('10.10.0.0/16', [['10.10.1.0/24', 'us-east-1a']]);
    const id = await endpoint();
    const assoc = await ec2().send(new AssociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: id, SubnetId: vpc.subnetIds[0] }));
    await ec2().send(new AuthorizeClientVpnIngressCommand({ ClientVpnEndpointId: id, TargetNetworkCidr: '10.10.0.0/16', AuthorizeAllGroups: true, Description: 'the VPC' }));
    await settle();
    const [e] = (await ec2().send(new DescribeClientVpnEndpointsCommand({ ClientVpnEndpointIds: [id] }))).ClientVpnEndpoints!;
    const defaultGroup = (await ec2().send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.vpcId] }] }))).SecurityGroups![0]!.GroupId!;
    assert.deepEqual([e!.Status!.Code, e!.VpcId, e!.SecurityGroupIds, e!.SplitTunnel], ['available', vpc.vpcId, [defaultGroup], false]);
    const [net] = (await ec2().send(new DescribeClientVpnTargetNetworksCommand({ ClientVpnEndpointId: id }))).ClientVpnTargetNetworks!;
    assert.deepEqual(net, { AssociationId: assoc.AssociationId, VpcId: vpc.vpcId, TargetNetworkId: vpc.subnetIds[0], ClientVpnEndpointId: id, Status: { Code: 'associated' }, SecurityGroups: [defaultGroup] });
    assert.deepEqual(await routes(id), [['10.10.0.0/16', vpc.subnetIds[0]!, 'associate', 'Nat', 'active']]);
    assert.deepEqual(await rules(id), [['10.10.0.0/16', '', true, 'active']]);
  });

  it('peered VPC: an active peering with routes both ways, a route and a rule for the peer CIDR (split tunnel)', async () => {
    const a = await network('10.20.0.0/16', [['10.20.1.0/24', 'us-east-1a']]);
    const b = await network('10.21.0.0/16', [['10.21.1.0/24', 'us-east-1a']]);
    const pcx = (await ec2().send(new CreateVpcPeeringConnectionCommand({ VpcId: a.vpcId, PeerVpcId: b.vpcId }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
    await ec2().send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
    // The peer routes back to the VPC's CIDR, not the client CIDR: client traffic is NATed to the ENI.
    await ec2().send(new CreateRouteCommand({ RouteTableId: a.mainTable, DestinationCidrBlock: '10.21.0.0/16', VpcPeeringConnectionId: pcx }));
    await ec2().send(new CreateRouteCommand({ RouteTableId: b.mainTable, DestinationCidrBlock: '10.20.0.0/16', VpcPeeringConnectionId: pcx }));
    const id = await endpoint({ SplitTunnel: true });
    await ec2().send(new AssociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: id, SubnetId: a.subnetIds[0] }));
    await ec2().send(new AuthorizeClientVpnIngressCommand({ ClientVpnEndpointId: id, TargetNetworkCidr: '10.20.0.0/16', AuthorizeAllGroups: true }));
    await ec2().send(new CreateClientVpnRouteCommand({ ClientVpnEndpointId: id, DestinationCidrBlock: '10.21.0.0/16', TargetVpcSubnetId: a.subnetIds[0], Description: 'peer' }));
    await ec2().send(new AuthorizeClientVpnIngressCommand({ ClientVpnEndpointId: id, TargetNetworkCidr: '10.21.0.0/16', AuthorizeAllGroups: true }));
    await settle();
    assert.deepEqual(await routes(id), [
      ['10.20.0.0/16', a.subnetIds[0]!, 'associate', 'Nat', 'active'],
      ['10.21.0.0/16', a.subnetIds[0]!, 'add-route', 'Nat', 'active'],
    ]);
    assert.deepEqual(await rules(id), [['10.20.0.0/16', '', true, 'active'], ['10.21.0.0/16', '', true, 'active']]);
    const peerRoute = (await ec2().send(new DescribeRouteTablesCommand({ RouteTableIds: [b.mainTable] }))).RouteTables![0]!.Routes!.find((r) => r.VpcPeeringConnectionId === pcx);
    assert.deepEqual([peerRoute!.DestinationCidrBlock, peerRoute!.State], ['10.20.0.0/16', 'active']);
  });

  it('on-premises: a virtual private gateway attached, the VPC routes the on-premises CIDR to it, the endpoint a route and a rule', async () => {
    const vpc = await network('10.30.0.0/16', [['10.30.1.0/24', 'us-east-1b']]);
    const vgw = (await ec2().send(new CreateVpnGatewayCommand({ Type: 'ipsec.1' }))).VpnGateway!.VpnGatewayId!;
    await ec2().send(new AttachVpnGatewayCommand({ VpnGatewayId: vgw, VpcId: vpc.vpcId }));
    await ec2().send(new CreateRouteCommand({ RouteTableId: vpc.mainTable, DestinationCidrBlock: '192.168.0.0/16', GatewayId: vgw }));
    const id = await endpoint();
    await ec2().send(new AssociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: id, SubnetId: vpc.subnetIds[0] }));
    await ec2().send(new CreateClientVpnRouteCommand({ ClientVpnEndpointId: id, DestinationCidrBlock: '192.168.0.0/16', TargetVpcSubnetId: vpc.subnetIds[0] }));
    await ec2().send(new AuthorizeClientVpnIngressCommand({ ClientVpnEndpointId: id, TargetNetworkCidr: '192.168.0.0/16', AuthorizeAllGroups: true }));
    await settle();
    assert.deepEqual(await routes(id), [
      ['10.30.0.0/16', vpc.subnetIds[0]!, 'associate', 'Nat', 'active'],
      ['192.168.0.0/16', vpc.subnetIds[0]!, 'add-route', 'Nat', 'active'],
    ]);
    const vpcRoutes = (await ec2().send(new DescribeRouteTablesCommand({ RouteTableIds: [vpc.mainTable] }))).RouteTables![0]!.Routes!.map((r) => [r.DestinationCidrBlock, r.GatewayId, r.State]);
    assert.deepEqual(vpcRoutes, [['10.30.0.0/16', 'local', 'active'], ['192.168.0.0/16', vgw, 'active']]);
  });

  it('internet: an internet gateway and a 0.0.0.0/0 route in the VPC, and a 0.0.0.0/0 route per associated subnet and rule on the endpoint', async () => {
    const vpc = await network('10.40.0.0/16', [['10.40.1.0/24', 'us-east-1a'], ['10.40.2.0/24', 'us-east-1b']]);
    const igw = (await ec2().send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    await ec2().send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc.vpcId }));
    await ec2().send(new CreateRouteCommand({ RouteTableId: vpc.mainTable, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));
    const id = await endpoint();
    for (const s of vpc.subnetIds) await ec2().send(new AssociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: id, SubnetId: s }));
    // AWS advises the same routes through every associated subnet: clients land on any of them.
    for (const s of vpc.subnetIds) await ec2().send(new CreateClientVpnRouteCommand({ ClientVpnEndpointId: id, DestinationCidrBlock: '0.0.0.0/0', TargetVpcSubnetId: s }));
    await ec2().send(new AuthorizeClientVpnIngressCommand({ ClientVpnEndpointId: id, TargetNetworkCidr: '10.40.0.0/16', AuthorizeAllGroups: true }));
    await ec2().send(new AuthorizeClientVpnIngressCommand({ ClientVpnEndpointId: id, TargetNetworkCidr: '0.0.0.0/0', AuthorizeAllGroups: true }));
    await settle();
    const [s1, s2] = vpc.subnetIds as [string, string];
    assert.deepEqual(await routes(id), [
      ['0.0.0.0/0', s1, 'add-route', 'Nat', 'active'],
      ['0.0.0.0/0', s2, 'add-route', 'Nat', 'active'],
      ['10.40.0.0/16', s1, 'associate', 'Nat', 'active'],
      ['10.40.0.0/16', s2, 'associate', 'Nat', 'active'],
    ].sort((a, b) => a.join().localeCompare(b.join())));
    assert.equal((await ec2().send(new DescribeClientVpnTargetNetworksCommand({ ClientVpnEndpointId: id }))).ClientVpnTargetNetworks!.length, 2);
  });

});

/** A second account-sized world: AWS's default quotas allow 5 VPCs and 5 endpoints per Region. */
describe('Client VPN scenarios, continued', () => {
  const w = world();
  const { network, endpoint, routes, rules } = bind(w);
  const ec2 = (): EC2Client => w.ec2;

  it('client-to-client: a route for the client CIDR to local, rules for the VPC and (all groups) the client CIDR', async () => {
    const vpc = await network('10.50.0.0/16', [['10.50.1.0/24', 'us-east-1c']]);
    const id = await endpoint();
    const [e] = (await ec2().send(new DescribeClientVpnEndpointsCommand({ ClientVpnEndpointIds: [id] }))).ClientVpnEndpoints!;
    const clients = e!.ClientCidrBlock!;
    await ec2().send(new AssociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: id, SubnetId: vpc.subnetIds[0] }));
    await ec2().send(new CreateClientVpnRouteCommand({ ClientVpnEndpointId: id, DestinationCidrBlock: clients, TargetVpcSubnetId: 'local' }));
    await ec2().send(new AuthorizeClientVpnIngressCommand({ ClientVpnEndpointId: id, TargetNetworkCidr: '10.50.0.0/16', AuthorizeAllGroups: true }));
    await ec2().send(new AuthorizeClientVpnIngressCommand({ ClientVpnEndpointId: id, TargetNetworkCidr: clients, AuthorizeAllGroups: true }));
    await settle();
    assert.deepEqual(await routes(id), [['10.50.0.0/16', vpc.subnetIds[0]!, 'associate', 'Nat', 'active'], [clients, 'local', 'add-route', 'local', 'active']].sort((a, b) => a.join().localeCompare(b.join())));
    assert.deepEqual(await rules(id), [['10.50.0.0/16', '', true, 'active'], [clients, '', true, 'active']].sort((a, b) => a.join().localeCompare(b.join())));
    await assert.rejects(ec2().send(new CreateClientVpnRouteCommand({ ClientVpnEndpointId: id, DestinationCidrBlock: '10.60.0.0/16', TargetVpcSubnetId: 'local' })), { name: 'InvalidParameterValue' });
  });

  it('restricting by security group: a dedicated group on the endpoint, instances allowing only that group', async () => {
    const vpc = await network('10.70.0.0/16', [['10.70.1.0/24', 'us-east-1a']]);
    const vpnGroup = (await ec2().send(new CreateSecurityGroupCommand({ GroupName: 'client-vpn', Description: 'Client VPN endpoint', VpcId: vpc.vpcId }))).GroupId!;
    const appGroup = (await ec2().send(new CreateSecurityGroupCommand({ GroupName: 'app', Description: 'reachable from the VPN', VpcId: vpc.vpcId }))).GroupId!;
    await ec2().send(new AuthorizeSecurityGroupIngressCommand({ GroupId: appGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: vpnGroup, Description: 'from Client VPN' }] }] }));
    const instance = (await ec2().send(new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', MinCount: 1, MaxCount: 1, SubnetId: vpc.subnetIds[0], SecurityGroupIds: [appGroup] }))).Instances![0]!;
    const id = await endpoint();
    await ec2().send(new AssociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: id, SubnetId: vpc.subnetIds[0] }));
    const applied = await ec2().send(new ApplySecurityGroupsToClientVpnTargetNetworkCommand({ ClientVpnEndpointId: id, VpcId: vpc.vpcId, SecurityGroupIds: [vpnGroup] }));
    assert.deepEqual(applied.SecurityGroupIds, [vpnGroup]);
    await settle();
    const [net] = (await ec2().send(new DescribeClientVpnTargetNetworksCommand({ ClientVpnEndpointId: id }))).ClientVpnTargetNetworks!;
    assert.deepEqual(net!.SecurityGroups, [vpnGroup]);
    const [app] = (await ec2().send(new DescribeSecurityGroupsCommand({ GroupIds: [appGroup] }))).SecurityGroups!;
    assert.deepEqual(app!.IpPermissions, [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: vpnGroup, UserId: '000000000000', Description: 'from Client VPN' }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] }]);
    assert.deepEqual(instance.SecurityGroups!.map((g) => g.GroupId), [appGroup]);
  });
});
