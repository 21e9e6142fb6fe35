/**
 * EC2 networking through the AWS CLI v2, boto3 and the SDK: each VPC's default security
 * group and main route table, security group rules and their errors, network interfaces
 * taking subnet addresses, route tables and internet gateways, and the dependency rules
 * that keep a VPC from being deleted while something is in it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AllocateAddressCommand,
  CreateNatGatewayCommand,
  CreateNetworkAclEntryCommand,
  DeleteNatGatewayCommand,
  DeleteNetworkAclCommand,
  ReleaseAddressCommand,
  DescribeNetworkInterfacesCommand,
  AcceptVpcPeeringConnectionCommand,
  CreateVpcPeeringConnectionCommand,
  DescribeVpcPeeringConnectionsCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNetworkInterfaceCommand,
  CreateRouteCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteRouteCommand,
  DeleteSecurityGroupCommand,
  DeleteVpcCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { ACCOUNT, awsCli, boto3, clientConfig, startServer, type Running } from '../../helpers/server.js';

const code = (e: unknown): string => (e as { name?: string }).name ?? String(e);

describe('EC2 networking: security groups, interfaces, route tables, gateways', () => {
  let server: Running;
  let ec2: EC2Client;
  let vpcId: string;
  let subnetId: string;
  const rejects = async (p: Promise<unknown>, expected: string, message?: RegExp): Promise<void> => {
    await assert.rejects(p, (e: Error) => {
      assert.equal(code(e), expected);
      if (message) assert.match(e.message, message);
      return true;
    });
  };
  before(async () => {
    server = await startServer();
    ec2 = new EC2Client(clientConfig(server.endpoint));
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
    subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/28', AvailabilityZone: 'us-east-1b' }))).Subnet!.SubnetId!;
  });
  after(async () => server.close());

  it('a new VPC has a default security group (self-referencing ingress, all egress) and a main route table with the local route', async () => {
    const r = await awsCli(server.endpoint, ['ec2', 'describe-security-groups', '--filters', `Name=vpc-id,Values=${vpcId}`]);
    assert.equal(r.code, 0, r.stderr);
    const groups = (JSON.parse(r.stdout) as { SecurityGroups: { GroupName: string; GroupId: string; Description: string; IpPermissions: unknown[]; IpPermissionsEgress: unknown[] }[] }).SecurityGroups;
    assert.equal(groups.length, 1);
    const g = groups[0]!;
    assert.deepEqual([g.GroupName, g.Description], ['default', 'default VPC security group']);
    assert.deepEqual(g.IpPermissions, [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: g.GroupId, UserId: ACCOUNT }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] }]);
    assert.deepEqual(g.IpPermissionsEgress, [{ IpProtocol: '-1', UserIdGroupPairs: [], IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [] }]);
    const tables = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'association.main', Values: ['true'] }] }));
    assert.equal(tables.RouteTables!.length, 1);
    assert.deepEqual(tables.RouteTables![0]!.Routes!.map((x) => [x.DestinationCidrBlock, x.GatewayId, x.State]), [['10.0.0.0/16', 'local', 'active']]);
  });

  it('the default VPC comes with an attached internet gateway and a 0.0.0.0/0 route to it', async () => {
    const out = await boto3(
      server.endpoint,
      `
ec2 = client('ec2')
vpc = ec2.describe_vpcs(Filters=[{'Name': 'is-default', 'Values': ['true']}])['Vpcs'][0]['VpcId']
igw = ec2.describe_internet_gateways(Filters=[{'Name': 'attachment.vpc-id', 'Values': [vpc]}])['InternetGateways'][0]
rt = ec2.describe_route_tables(Filters=[{'Name': 'vpc-id', 'Values': [vpc]}])['RouteTables'][0]
print(json.dumps({'igw': igw['InternetGatewayId'], 'state': igw['Attachments'][0]['State'], 'routes': [[r['DestinationCidrBlock'], r['GatewayId']] for r in rt['Routes']]}))
`,
    );
    const r = JSON.parse(out) as { igw: string; state: string; routes: string[][] };
    assert.equal(r.state, 'available');
    assert.deepEqual(r.routes, [['172.31.0.0/16', 'local'], ['0.0.0.0/0', r.igw]]);
  });

  it('security group rules: legacy and IpPermissions forms, duplicates refused, group references, the default group undeletable', async () => {
    const web = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web', VpcId: vpcId }))).GroupId!;
    const vpn = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'vpn', Description: 'client vpn', VpcId: vpcId }))).GroupId!;
    const r = await awsCli(server.endpoint, ['ec2', 'authorize-security-group-ingress', '--group-id', web, '--protocol', 'tcp', '--port', '22', '--cidr', '10.100.0.0/22']);
    assert.equal(r.code, 0, r.stderr);
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: web, IpPermissions: [{ IpProtocol: '6', FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: vpn }] }] }));
    const dup = await awsCli(server.endpoint, ['ec2', 'authorize-security-group-ingress', '--group-id', web, '--protocol', 'tcp', '--port', '22', '--cidr', '10.100.0.0/22']);
    assert.notEqual(dup.code, 0);
    assert.match(dup.stderr, /\(InvalidPermission\.Duplicate\).*the specified rule "peer: 10\.100\.0\.0\/22, TCP, from port: 22, to port: 22, ALLOW" already exists/);
    await rejects(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: web, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 70, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }] })), 'InvalidParameterValue');
    await rejects(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: web, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, UserIdGroupPairs: [{ GroupId: 'sg-0123456789abcdef0' }] }] })), 'InvalidGroup.NotFound');
    const [g] = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [web] }))).SecurityGroups!;
    assert.deepEqual(
      g!.IpPermissions!.map((p) => [p.IpProtocol, p.FromPort, p.IpRanges!.map((x) => x.CidrIp), p.UserIdGroupPairs!.map((x) => x.GroupId)]),
      [['tcp', 22, ['10.100.0.0/22'], []], ['tcp', 443, [], [vpn]]],
    );
    // The vpn group is referenced by web's rule: it cannot go.
    await rejects(ec2.send(new DeleteSecurityGroupCommand({ GroupId: vpn })), 'DependencyViolation', new RegExp(`resource ${vpn} has a dependent object`));
    await rejects(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'again', VpcId: vpcId })), 'InvalidGroup.Duplicate', new RegExp(`The security group 'web' already exists for VPC '${vpcId}'`));
    await rejects(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'default', Description: 'x', VpcId: vpcId })), 'InvalidGroup.Reserved');
    const def = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'group-name', Values: ['default'] }] }))).SecurityGroups![0]!.GroupId!;
    await rejects(ec2.send(new DeleteSecurityGroupCommand({ GroupId: def })), 'CannotDelete', /name: "default" cannot be deleted by a user/);
  });

  it('network interfaces take subnet addresses (the first four and the last are AWS\'s) until the subnet is full', async () => {
    // A /28 has 16 addresses, 11 usable.
    const ips: string[] = [];
    for (let i = 0; i < 11; i++) ips.push((await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId }))).NetworkInterface!.PrivateIpAddress!);
    assert.equal(ips[0], '10.0.1.4');
    assert.equal(ips[10], '10.0.1.14');
    const [subnet] = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets!;
    assert.equal(subnet!.AvailableIpAddressCount, 0);
    await rejects(ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId })), 'InsufficientFreeAddressesInSubnet');
  });

  it('routes: a duplicate destination, an unattached gateway and the local route are refused; a VPC with an attached gateway cannot be deleted', async () => {
    const main = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).RouteTables![0]!.RouteTableId!;
    const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    await rejects(ec2.send(new CreateRouteCommand({ RouteTableId: main, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw })), 'InvalidParameterValue', /belong to different networks/);
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
    await ec2.send(new CreateRouteCommand({ RouteTableId: main, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));
    await rejects(ec2.send(new CreateRouteCommand({ RouteTableId: main, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw })), 'RouteAlreadyExists', /The route identified by 0\.0\.0\.0\/0 already exists\./);
    await rejects(ec2.send(new DeleteRouteCommand({ RouteTableId: main, DestinationCidrBlock: '10.0.0.0/16' })), 'InvalidParameterValue', /cannot remove local route/);
    const r = await awsCli(server.endpoint, ['ec2', 'delete-vpc', '--vpc-id', vpcId]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /\(DependencyViolation\).*has dependencies and cannot be deleted/);
    // Nothing was removed by the refused call.
    const still = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [main] }));
    assert.equal(still.RouteTables!.length, 1);
    await rejects(ec2.send(new DeleteVpcCommand({ VpcId: vpcId })), 'DependencyViolation');
  });
});

describe('EC2 network ACLs and NAT gateways', () => {
  let server: Running;
  let ec2: EC2Client;
  before(async () => {
    server = await startServer();
    ec2 = new EC2Client(clientConfig(server.endpoint));
  });
  after(async () => server.close());

  it('the default ACL allows all both ways and takes every new subnet; a custom ACL starts denying; rule errors are EC2\'s', async () => {
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.9.1.0/24' }))).Subnet!.SubnetId!;
    const r = await awsCli(server.endpoint, ['ec2', 'describe-network-acls', '--filters', `Name=vpc-id,Values=${vpc}`]);
    assert.equal(r.code, 0, r.stderr);
    const [acl] = (JSON.parse(r.stdout) as { NetworkAcls: { IsDefault: boolean; NetworkAclId: string; Entries: { RuleNumber: number; RuleAction: string; Egress: boolean }[]; Associations: { SubnetId: string }[] }[] }).NetworkAcls;
    assert.equal(acl!.IsDefault, true);
    assert.deepEqual(acl!.Entries.map((e) => [e.Egress, e.RuleNumber, e.RuleAction]), [[false, 100, 'allow'], [true, 100, 'allow'], [false, 32767, 'deny'], [true, 32767, 'deny']]);
    assert.deepEqual(acl!.Associations.map((a) => a.SubnetId), [subnet]);
    await assert.rejects(ec2.send(new CreateNetworkAclEntryCommand({ NetworkAclId: acl!.NetworkAclId, RuleNumber: 100, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' })), { name: 'NetworkAclEntryAlreadyExists' });
    await assert.rejects(ec2.send(new CreateNetworkAclEntryCommand({ NetworkAclId: acl!.NetworkAclId, RuleNumber: 40000, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' })), { name: 'InvalidParameterValue' });
    await assert.rejects(ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: acl!.NetworkAclId })), { name: 'InvalidParameterValue', message: /cannot delete default network ACL/ });
  });

  it('a NAT gateway takes an Elastic IP and an address from its subnet; routes to it blackhole once it is deleted', async () => {
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.8.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.8.1.0/24' }))).Subnet!.SubnetId!;
    await assert.rejects(ec2.send(new CreateNatGatewayCommand({ SubnetId: subnet })), { name: 'MissingParameter' });
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    assert.match(eip.PublicIp!, /^203\.0\.113\.\d+$/);
    const nat = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnet, AllocationId: eip.AllocationId! }))).NatGateway!;
    assert.equal(nat.State, 'pending');
    assert.equal(nat.NatGatewayAddresses![0]!.PrivateIp, '10.8.1.4');
    const [eni] = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'subnet-id', Values: [subnet] }] }))).NetworkInterfaces!;
    assert.deepEqual([eni!.InterfaceType, eni!.RequesterManaged], ['nat_gateway', true]);
    await assert.rejects(ec2.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId! })), { name: 'InvalidIPAddress.InUse' });
    const main = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }] }))).RouteTables![0]!.RouteTableId!;
    await ec2.send(new CreateRouteCommand({ RouteTableId: main, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat.NatGatewayId! }));
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: nat.NatGatewayId! }));
    const route = (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [main] }))).RouteTables![0]!.Routes!.find((x) => x.NatGatewayId);
    assert.equal(route!.State, 'blackhole');
    await ec2.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId! }));
  });
});

describe('EC2 VPC peering across accounts', () => {
  const PEER = { accessKeyId: 'AKIAPEERACCOUNTROOT1', secretAccessKey: 'peer-secret' };
  let server: Running;
  before(async () => {
    server = await startServer({ accounts: [{ id: ACCOUNT, accessKeyId: 'test', secretAccessKey: 'test' }, { id: '111111111111', ...PEER }] });
  });
  after(async () => server.close());

  it('the requester asks, only the accepter account can accept; routes through the connection are active once it is, and overlapping CIDRs fail', async () => {
    const mine = new EC2Client(clientConfig(server.endpoint));
    const theirs = new EC2Client(clientConfig(server.endpoint, PEER));
    const vpcA = (await mine.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
    const vpcB = (await theirs.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc!.VpcId!;
    const r = await awsCli(server.endpoint, ['ec2', 'create-vpc-peering-connection', '--vpc-id', vpcA, '--peer-vpc-id', vpcB, '--peer-owner-id', '111111111111']);
    assert.equal(r.code, 0, r.stderr);
    const pcx = (JSON.parse(r.stdout) as { VpcPeeringConnection: { VpcPeeringConnectionId: string; Status: { Code: string } } }).VpcPeeringConnection;
    assert.equal(pcx.Status.Code, 'initiating-request');
    // The requester cannot accept its own request.
    await assert.rejects(mine.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx.VpcPeeringConnectionId })), { name: 'OperationNotPermitted' });
    const seen = await theirs.send(new DescribeVpcPeeringConnectionsCommand({ Filters: [{ Name: 'status-code', Values: ['pending-acceptance'] }] }));
    assert.deepEqual(seen.VpcPeeringConnections!.map((p) => [p.VpcPeeringConnectionId, p.RequesterVpcInfo!.OwnerId, p.AccepterVpcInfo!.VpcId]), [[pcx.VpcPeeringConnectionId, ACCOUNT, vpcB]]);
    const main = (await mine.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcA] }] }))).RouteTables![0]!.RouteTableId!;
    await mine.send(new CreateRouteCommand({ RouteTableId: main, DestinationCidrBlock: '10.1.0.0/16', VpcPeeringConnectionId: pcx.VpcPeeringConnectionId }));
    const before = (await mine.send(new DescribeRouteTablesCommand({ RouteTableIds: [main] }))).RouteTables![0]!.Routes!.find((x) => x.VpcPeeringConnectionId);
    assert.equal(before!.State, 'blackhole');
    await theirs.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx.VpcPeeringConnectionId }));
    const after = (await mine.send(new DescribeRouteTablesCommand({ RouteTableIds: [main] }))).RouteTables![0]!.Routes!.find((x) => x.VpcPeeringConnectionId);
    assert.equal(after!.State, 'active');
    await assert.rejects(theirs.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx.VpcPeeringConnectionId })), { name: 'InvalidStateTransition' });
    const overlapping = (await theirs.send(new CreateVpcCommand({ CidrBlock: '10.0.128.0/17' }))).Vpc!.VpcId!;
    const failed = await mine.send(new CreateVpcPeeringConnectionCommand({ VpcId: vpcA, PeerVpcId: overlapping, PeerOwnerId: '111111111111' }));
    const [f] = (await mine.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [failed.VpcPeeringConnection!.VpcPeeringConnectionId!] }))).VpcPeeringConnections!;
    assert.deepEqual([f!.Status!.Code, f!.Status!.Message], ['failed', 'Overlapping CIDR range']);
  });
});
