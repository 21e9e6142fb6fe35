/**
 * Gatehouse's `AnalyzeClientVpnReachability`: the path from a VPN client to an address,
 * step by step (clientvpn.md §18), on a world built through the SDK: routes and rules on
 * the endpoint (with shadowing), source NAT and security groups (a rule for the client
 * CIDR does not match), the VPC's route tables, peering both ways, internet access, split
 * tunnel, network ACLs, and client-to-client.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AcceptVpcPeeringConnectionCommand,
  ApplySecurityGroupsToClientVpnTargetNetworkCommand,
  AssociateClientVpnTargetNetworkCommand,
  AttachInternetGatewayCommand,
  AuthorizeClientVpnIngressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateClientVpnEndpointCommand,
  CreateClientVpnRouteCommand,
  CreateInternetGatewayCommand,
  CreateNetworkAclCommand,
  CreateRouteCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcPeeringConnectionCommand,
  DescribeNetworkAclsCommand,
  DescribeRouteTablesCommand,
  EC2Client,
  ReplaceNetworkAclAssociationCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { clientConfig, startServer, type Running } from '../../helpers/server.js';
import { signedRequest } from '../../helpers/sign.js';
import { clientVpnFixtures } from '../../helpers/certificates.js';

interface Analysis {
  Result: string;
  Reachable: boolean;
  Steps: { Step: string; Decision: string; Detail: string }[];
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 250));

describe('Client VPN reachability analysis', () => {
  let server: Running;
  let ec2: EC2Client;
  let id: string;
  let split: string;
  let vpnGroup: string;
  let appSubnet: string;
  let landing: string;
  let mainTable: string;
  let vpcB: string;
  let tableB: string;
  const web = '10.10.2.10';
  const legacy = '10.10.2.11';
  const peerHost = '10.20.1.10';
  const analyze = async (body: object, endpointId = id): Promise<Analysis> => {
    const r = await signedRequest(server.endpoint, { service: 'ec2', path: '/_gatehouse/ec2/AnalyzeClientVpnReachability', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ClientVpnEndpointId: endpointId, ...body }) });
    assert.equal(r.status, 200, r.body);
    return JSON.parse(r.body) as Analysis;
  };
  const instance = async (subnet: string, ip: string, group: string): Promise<void> => {
    await ec2.send(new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', MinCount: 1, MaxCount: 1, SubnetId: subnet, PrivateIpAddress: ip, SecurityGroupIds: [group] }));
  };

  before(async () => {
    server = await startServer();
    ec2 = new EC2Client(clientConfig(server.endpoint));
    const cert = (await clientVpnFixtures(server.endpoint)).serverCertificateArn;
    const vpcA = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.10.0.0/16' }))).Vpc!.VpcId!;
    landing = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcA, CidrBlock: '10.10.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    appSubnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcA, CidrBlock: '10.10.2.0/24', AvailabilityZone: 'us-east-1b' }))).Subnet!.SubnetId!;
    mainTable = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcA] }] }))).RouteTables![0]!.RouteTableId!;
    vpnGroup = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'cvpn', Description: 'Client VPN', VpcId: vpcA }))).GroupId!;
    const webGroup = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'from the VPN group', VpcId: vpcA }))).GroupId!;
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: webGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: vpnGroup }] }] }));
    const legacyGroup = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'legacy', Description: 'from the client CIDR', VpcId: vpcA }))).GroupId!;
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: legacyGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.100.0.0/22' }] }] }));
    await instance(appSubnet, web, webGroup);
    await instance(appSubnet, legacy, legacyGroup);
    // A peered VPC with a host allowing the VPN group (group references work across same-Region peering).
    vpcB = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
    const subnetB = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcB, CidrBlock: '10.20.1.0/24' }))).Subnet!.SubnetId!;
    tableB = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcB] }] }))).RouteTables![0]!.RouteTableId!;
    const peerGroup = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'peer', Description: 'peer host', VpcId: vpcB }))).GroupId!;
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: peerGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.10.1.0/24' }] }] }));
    await instance(subnetB, peerHost, peerGroup);
    const endpoint = async (splitTunnel: boolean, clientCidr: string): Promise<string> => {
      const e = (
        await ec2.send(
          new CreateClientVpnEndpointCommand({
            ClientCidrBlock: clientCidr,
            ServerCertificateArn: cert,
            AuthenticationOptions: [{ Type: 'certificate-authentication', MutualAuthentication: { ClientRootCertificateChainArn: cert } }],
            ConnectionLogOptions: { Enabled: false },
            SplitTunnel: splitTunnel,
          }),
        )
      ).ClientVpnEndpointId!;
      await ec2.send(new AssociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: e, SubnetId: landing }));
      await ec2.send(new ApplySecurityGroupsToClientVpnTargetNetworkCommand({ ClientVpnEndpointId: e, VpcId: vpcA, SecurityGroupIds: [vpnGroup] }));
      await ec2.send(new AuthorizeClientVpnIngressCommand({ ClientVpnEndpointId: e, TargetNetworkCidr: '10.10.0.0/16', AuthorizeAllGroups: true }));
      return e;
    };
    id = await endpoint(false, '10.100.0.0/22');
    split = await endpoint(true, '10.101.0.0/22');
    await settle();
  });
  after(async () => server.close());

  it('an instance whose group allows the endpoint\'s group is reachable; every step says why', async () => {
    const a = await analyze({ Destination: web, Port: 443 });
    assert.equal(a.Result, 'allowed');
    assert.deepEqual(a.Steps.map((s) => [s.Step, s.Decision]), [
      ['endpoint', 'pass'], ['endpoint-route', 'pass'], ['authorization', 'pass'], ['snat', 'pass'], ['sg-egress', 'pass'], ['vpc-route', 'pass'], ['nacl', 'pass'], ['sg-ingress', 'pass'],
    ]);
    assert.match(a.Steps[1]!.Detail, /10\.10\.0\.0\/16 → subnet-.* \(associate\)/);
  });

  it('another port is refused by the destination\'s group; a rule for the client CIDR does not match (source NAT)', async () => {
    assert.equal((await analyze({ Destination: web, Port: 22 })).Result, 'sg-ingress');
    const a = await analyze({ Destination: legacy, Port: 443 });
    assert.equal(a.Result, 'sg-ingress');
    assert.match(a.Steps.at(-1)!.Detail, /the source is translated/);
    assert.equal((await analyze({ Destination: '10.10.2.99' })).Result, 'no-destination');
  });

  it('a group rule for a narrower CIDR shadows the all-groups rule: users outside the group lose it', async () => {
    await ec2.send(new AuthorizeClientVpnIngressCommand({ ClientVpnEndpointId: id, TargetNetworkCidr: '10.10.2.0/24', AccessGroupId: 'S-1-5-21-1-2-3-1105' }));
    await settle();
    const outsider = await analyze({ Destination: web });
    assert.equal(outsider.Result, 'unauthorized');
    assert.match(outsider.Steps.at(-1)!.Detail, /10\.10\.2\.0\/24.*S-1-5-21-1-2-3-1105/);
    assert.equal((await analyze({ Destination: web, Groups: ['S-1-5-21-1-2-3-1105'] })).Result, 'allowed');
  });

  it('a peered VPC needs an endpoint route and rule, an active peering, and a route back to the VPC\'s CIDR', async () => {
    assert.equal((await analyze({ Destination: peerHost })).Result, 'no-route');
    await ec2.send(new CreateClientVpnRouteCommand({ ClientVpnEndpointId: id, DestinationCidrBlock: '10.20.0.0/16', TargetVpcSubnetId: landing }));
    await settle();
    assert.equal((await analyze({ Destination: peerHost })).Result, 'unauthorized');
    await ec2.send(new AuthorizeClientVpnIngressCommand({ ClientVpnEndpointId: id, TargetNetworkCidr: '10.20.0.0/16', AuthorizeAllGroups: true }));
    await settle();
    assert.equal((await analyze({ Destination: peerHost })).Result, 'no-vpc-route');
    const pcx = (await ec2.send(new CreateVpcPeeringConnectionCommand({ VpcId: (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [mainTable] }))).RouteTables![0]!.VpcId!, PeerVpcId: vpcB }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
    await ec2.send(new CreateRouteCommand({ RouteTableId: mainTable, DestinationCidrBlock: '10.20.0.0/16', VpcPeeringConnectionId: pcx }));
    assert.match((await analyze({ Destination: peerHost })).Steps.at(-1)!.Detail, /not active/);
    await ec2.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
    const oneWay = await analyze({ Destination: peerHost });
    assert.equal(oneWay.Result, 'no-vpc-route');
    assert.match(oneWay.Steps.at(-1)!.Detail, /no route back to 10\.10\.0\.0\/16/);
    await ec2.send(new CreateRouteCommand({ RouteTableId: tableB, DestinationCidrBlock: '10.10.0.0/16', VpcPeeringConnectionId: pcx }));
    assert.equal((await analyze({ Destination: peerHost })).Result, 'allowed');
  });

  it('the internet: an endpoint route and rule for 0.0.0.0/0, then the VPC\'s route to an attached internet gateway', async () => {
    assert.equal((await analyze({ Destination: '8.8.8.8', Port: 53, Protocol: 'udp' })).Result, 'no-route');
    await ec2.send(new CreateClientVpnRouteCommand({ ClientVpnEndpointId: id, DestinationCidrBlock: '0.0.0.0/0', TargetVpcSubnetId: landing }));
    await ec2.send(new AuthorizeClientVpnIngressCommand({ ClientVpnEndpointId: id, TargetNetworkCidr: '0.0.0.0/0', AuthorizeAllGroups: true }));
    await settle();
    assert.equal((await analyze({ Destination: '8.8.8.8', Port: 53, Protocol: 'udp' })).Result, 'no-vpc-route');
    const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    const vpcA = (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [mainTable] }))).RouteTables![0]!.VpcId!;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcA }));
    await ec2.send(new CreateRouteCommand({ RouteTableId: mainTable, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));
    const a = await analyze({ Destination: '8.8.8.8', Port: 53, Protocol: 'udp' });
    assert.equal(a.Result, 'allowed');
    assert.match(a.Steps.find((s) => s.Step === 'vpc-route')!.Detail, /igw-.*leaves the VPC/);
  });

  it('split tunnel: an address no endpoint route covers does not go through the VPN at all', async () => {
    const a = await analyze({ Destination: '8.8.8.8' }, split);
    assert.deepEqual([a.Result, a.Reachable], ['not-via-vpn', false]);
    assert.equal((await analyze({ Destination: web, Groups: ['S-1-5-21-1-2-3-1105'] }, split)).Result, 'allowed');
  });

  it('network ACLs are stateless: a custom ACL on the destination subnet that allows nothing stops it', async () => {
    const vpcA = (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [mainTable] }))).RouteTables![0]!.VpcId!;
    const acl = (await ec2.send(new CreateNetworkAclCommand({ VpcId: vpcA }))).NetworkAcl!.NetworkAclId!;
    const association = (await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [appSubnet] }] }))).NetworkAcls![0]!.Associations!.find((x) => x.SubnetId === appSubnet)!;
    await ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: association.NetworkAclAssociationId!, NetworkAclId: acl }));
    const a = await analyze({ Destination: web, Groups: ['S-1-5-21-1-2-3-1105'] });
    assert.equal(a.Result, 'nacl');
    assert.match(a.Steps.at(-1)!.Detail, new RegExp(`Network ACL ${acl} .* denies inbound from 10\\.10\\.1\\.\\d+:443 \\(rule \\*\\)`));
  });

  it('client to client: the local route delivers with the source kept, no security groups', async () => {
    await ec2.send(new CreateClientVpnRouteCommand({ ClientVpnEndpointId: id, DestinationCidrBlock: '10.100.0.0/22', TargetVpcSubnetId: 'local' }));
    await ec2.send(new AuthorizeClientVpnIngressCommand({ ClientVpnEndpointId: id, TargetNetworkCidr: '10.100.0.0/22', AuthorizeAllGroups: true }));
    await settle();
    const a = await analyze({ Destination: '10.100.0.9' });
    assert.equal(a.Result, 'allowed');
    assert.equal(a.Steps.at(-1)!.Step, 'local');
  });
});
