/**
 * Conformance, output half, for EC2: every implemented EC2 operation called through the
 * AWS SDK v3, its output checked against the model (required members, types, enums)
 * and its values compared; a coverage test fails if an implemented operation is missed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AllocateAddressCommand,
  CreateNatGatewayCommand,
  CreateNetworkAclCommand,
  CreateNetworkAclEntryCommand,
  DeleteNatGatewayCommand,
  DeleteNetworkAclCommand,
  DeleteNetworkAclEntryCommand,
  DescribeAddressesCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkAclsCommand,
  ReleaseAddressCommand,
  ReplaceNetworkAclAssociationCommand,
  ReplaceNetworkAclEntryCommand,
  AcceptVpcPeeringConnectionCommand,
  AttachVpnGatewayCommand,
  CreateVpcPeeringConnectionCommand,
  CreateVpnGatewayCommand,
  DeleteVpcPeeringConnectionCommand,
  DescribeInstancesCommand,
  DescribeVpcPeeringConnectionsCommand,
  DescribeVpnGatewaysCommand,
  RejectVpcPeeringConnectionCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  ApplySecurityGroupsToClientVpnTargetNetworkCommand,
  AssociateClientVpnTargetNetworkCommand,
  AuthorizeClientVpnIngressCommand,
  CreateClientVpnEndpointCommand,
  CreateClientVpnRouteCommand,
  DeleteClientVpnEndpointCommand,
  DeleteClientVpnRouteCommand,
  DescribeClientVpnAuthorizationRulesCommand,
  DescribeClientVpnConnectionsCommand,
  DescribeClientVpnEndpointsCommand,
  DescribeClientVpnRoutesCommand,
  DescribeClientVpnTargetNetworksCommand,
  DisassociateClientVpnTargetNetworkCommand,
  ExportClientVpnClientCertificateRevocationListCommand,
  ExportClientVpnClientConfigurationCommand,
  ImportClientVpnClientCertificateRevocationListCommand,
  ModifyClientVpnEndpointCommand,
  RevokeClientVpnIngressCommand,
  TerminateClientVpnConnectionsCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNetworkInterfaceCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DeleteInternetGatewayCommand,
  DeleteNetworkInterfaceCommand,
  DeleteRouteCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteTagsCommand,
  DeleteVpcCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeTagsCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
  ReplaceRouteCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { clientConfig, startServer, type Running } from '../helpers/server.js';
import { checkOutput } from './model-check.js';
import { clientVpnFixtures } from '../helpers/certificates.js';
import { signedRequest } from '../helpers/sign.js';

describe('Conformance: EC2 outputs match the model', () => {
  let server: Running;
  let ec2: EC2Client;
  const called = new Set<string>();
  const check = (operation: string, output: object): void => {
    called.add(operation);
    // An attached internet gateway's attachment state is `available` (EC2 API reference,
    // InternetGatewayAttachment), which the model's AttachmentStatus enum does not list.
    const problems = checkOutput('ec2', operation, output as Record<string, unknown>).filter((p) => !/InternetGateways?(\[\d+\])?\.Attachments\[\d+\]\.State: 'available'/.test(p));
    assert.deepEqual(problems, [], operation);
  };
  before(async () => {
    server = await startServer();
    ec2 = new EC2Client(clientConfig(server.endpoint));
  });
  after(async () => server.close());

  it('VPC and subnet lifecycle', async () => {
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'env', Value: 'test' }] }] }));
    check('CreateVpc', vpc);
    const vpcId = vpc.Vpc!.VpcId!;
    assert.equal(vpc.Vpc!.CidrBlockAssociationSet![0]!.CidrBlock, '10.1.0.0/16');
    const vpcs = await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
    check('DescribeVpcs', vpcs);
    assert.deepEqual(vpcs.Vpcs!.map((v) => [v.VpcId, v.State, v.Tags]), [[vpcId, 'available', [{ Key: 'env', Value: 'test' }]]]);
    const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.1.2.0/24', AvailabilityZone: 'us-east-1c' }));
    check('CreateSubnet', subnet);
    const subnets = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnet.Subnet!.SubnetId!] }));
    check('DescribeSubnets', subnets);
    assert.deepEqual(subnets.Subnets!.map((s) => [s.VpcId, s.CidrBlock, s.AvailabilityZone, s.AvailableIpAddressCount]), [[vpcId, '10.1.2.0/24', 'us-east-1c', 251]]);
    const paged = await ec2.send(new DescribeSubnetsCommand({ MaxResults: 5 }));
    assert.equal(paged.Subnets!.length, 4);
    check('DeleteSubnet', await ec2.send(new DeleteSubnetCommand({ SubnetId: subnet.Subnet!.SubnetId! })));
    check('DeleteVpc', await ec2.send(new DeleteVpcCommand({ VpcId: vpcId })));
  });

  it('security groups, network interfaces, route tables, internet gateways and tags', async () => {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.2.0.0/16' }))).Vpc!.VpcId!;
    const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.2.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const sg = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web servers', VpcId: vpcId }));
    check('CreateSecurityGroup', sg);
    const groupId = sg.GroupId!;
    const ingress = await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.100.0.0/22', Description: 'vpn clients' }] }] }));
    check('AuthorizeSecurityGroupIngress', ingress);
    assert.equal(ingress.SecurityGroupRules![0]!.CidrIpv4, '10.100.0.0/22');
    check('AuthorizeSecurityGroupEgress', await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [{ IpProtocol: 'udp', FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: '10.2.0.2/32' }] }] })));
    const groups = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    check('DescribeSecurityGroups', groups);
    assert.deepEqual(groups.SecurityGroups![0]!.IpPermissions, [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.100.0.0/22', Description: 'vpn clients' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }]);
    const rules = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }));
    check('DescribeSecurityGroupRules', rules);
    assert.equal(rules.SecurityGroupRules!.length, 3);
    check('RevokeSecurityGroupEgress', await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [{ IpProtocol: 'udp', FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: '10.2.0.2/32' }] }] })));
    const eni = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [groupId], Description: 'app' }));
    check('CreateNetworkInterface', eni);
    assert.equal(eni.NetworkInterface!.PrivateIpAddress, '10.2.1.4');
    const eniId = eni.NetworkInterface!.NetworkInterfaceId!;
    check('ModifyNetworkInterfaceAttribute', await ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eniId, Description: { Value: 'app server' } })));
    const enis = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }));
    check('DescribeNetworkInterfaces', enis);
    assert.deepEqual(enis.NetworkInterfaces!.map((n) => [n.Description, n.Groups![0]!.GroupName, n.RequesterManaged, n.Status]), [['app server', 'web', false, 'available']]);
    const igw = await ec2.send(new CreateInternetGatewayCommand({}));
    check('CreateInternetGateway', igw);
    const igwId = igw.InternetGateway!.InternetGatewayId!;
    check('AttachInternetGateway', await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId })));
    const igws = await ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [igwId] }));
    check('DescribeInternetGateways', igws);
    assert.deepEqual(igws.InternetGateways![0]!.Attachments, [{ State: 'available', VpcId: vpcId }]);
    const rtb = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
    check('CreateRouteTable', rtb);
    const rtbId = rtb.RouteTable!.RouteTableId!;
    check('CreateRoute', await ec2.send(new CreateRouteCommand({ RouteTableId: rtbId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId })));
    check('ReplaceRoute', await ec2.send(new ReplaceRouteCommand({ RouteTableId: rtbId, DestinationCidrBlock: '0.0.0.0/0', NetworkInterfaceId: eniId })));
    const assoc = await ec2.send(new AssociateRouteTableCommand({ RouteTableId: rtbId, SubnetId: subnetId }));
    check('AssociateRouteTable', assoc);
    const tables = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtbId] }));
    check('DescribeRouteTables', tables);
    assert.deepEqual(tables.RouteTables![0]!.Routes!.map((r) => [r.DestinationCidrBlock, r.GatewayId ?? r.NetworkInterfaceId, r.State, r.Origin]), [
      ['10.2.0.0/16', 'local', 'active', 'CreateRouteTable'],
      ['0.0.0.0/0', eniId, 'active', 'CreateRoute'],
    ]);
    check('CreateTags', await ec2.send(new CreateTagsCommand({ Resources: [groupId, rtbId], Tags: [{ Key: 'team', Value: 'net' }] })));
    const tags = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['team'] }] }));
    check('DescribeTags', tags);
    assert.deepEqual(tags.Tags!.map((t) => [t.ResourceId, t.ResourceType, t.Value]).sort(), [[groupId, 'security-group', 'net'], [rtbId, 'route-table', 'net']].sort());
    check('DeleteTags', await ec2.send(new DeleteTagsCommand({ Resources: [groupId], Tags: [{ Key: 'team' }] })));
    const zones = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    check('DescribeAvailabilityZones', zones);
    assert.deepEqual(zones.AvailabilityZones!.map((z) => [z.ZoneName, z.ZoneId]), [['us-east-1a', 'use1-az1'], ['us-east-1b', 'use1-az2'], ['us-east-1c', 'use1-az3']]);
    check('DisassociateRouteTable', await ec2.send(new DisassociateRouteTableCommand({ AssociationId: assoc.AssociationId! })));
    check('DeleteRoute', await ec2.send(new DeleteRouteCommand({ RouteTableId: rtbId, DestinationCidrBlock: '0.0.0.0/0' })));
    check('DeleteRouteTable', await ec2.send(new DeleteRouteTableCommand({ RouteTableId: rtbId })));
    check('DetachInternetGateway', await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId })));
    check('DeleteInternetGateway', await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igwId })));
    check('DeleteNetworkInterface', await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eniId })));
    check('RevokeSecurityGroupIngress', await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.100.0.0/22' }] }] })));
    check('DeleteSecurityGroup', await ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })));
    await ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId }));
    await ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));
  });

  it('Client VPN: every operation', async () => {
    const { serverCertificateArn, crl, pki } = await clientVpnFixtures(server.endpoint);
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.3.0.0/16' }))).Vpc!.VpcId!;
    const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.3.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const created = await ec2.send(
      new CreateClientVpnEndpointCommand({
        ClientCidrBlock: '10.200.0.0/22',
        ServerCertificateArn: serverCertificateArn,
        AuthenticationOptions: [{ Type: 'certificate-authentication', MutualAuthentication: { ClientRootCertificateChainArn: serverCertificateArn } }],
        ConnectionLogOptions: { Enabled: false },
        TagSpecifications: [{ ResourceType: 'client-vpn-endpoint', Tags: [{ Key: 'env', Value: 'test' }] }],
      }),
    );
    check('CreateClientVpnEndpoint', created);
    const id = created.ClientVpnEndpointId!;
    check('ModifyClientVpnEndpoint', await ec2.send(new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: id, Description: 'conformance', SplitTunnel: true })));
    const endpoints = await ec2.send(new DescribeClientVpnEndpointsCommand({ ClientVpnEndpointIds: [id] }));
    check('DescribeClientVpnEndpoints', endpoints);
    assert.deepEqual([endpoints.ClientVpnEndpoints![0]!.Description, endpoints.ClientVpnEndpoints![0]!.SplitTunnel], ['conformance', true]);
    const assoc = await ec2.send(new AssociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: id, SubnetId: subnetId }));
    check('AssociateClientVpnTargetNetwork', assoc);
    check('DescribeClientVpnTargetNetworks', await ec2.send(new DescribeClientVpnTargetNetworksCommand({ ClientVpnEndpointId: id })));
    const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'cvpn', Description: 'client vpn', VpcId: vpcId }))).GroupId!;
    check('ApplySecurityGroupsToClientVpnTargetNetwork', await ec2.send(new ApplySecurityGroupsToClientVpnTargetNetworkCommand({ ClientVpnEndpointId: id, VpcId: vpcId, SecurityGroupIds: [sg] })));
    check('AuthorizeClientVpnIngress', await ec2.send(new AuthorizeClientVpnIngressCommand({ ClientVpnEndpointId: id, TargetNetworkCidr: '10.3.0.0/16', AuthorizeAllGroups: true })));
    check('DescribeClientVpnAuthorizationRules', await ec2.send(new DescribeClientVpnAuthorizationRulesCommand({ ClientVpnEndpointId: id })));
    check('CreateClientVpnRoute', await ec2.send(new CreateClientVpnRouteCommand({ ClientVpnEndpointId: id, DestinationCidrBlock: '0.0.0.0/0', TargetVpcSubnetId: subnetId })));
    const routes = await ec2.send(new DescribeClientVpnRoutesCommand({ ClientVpnEndpointId: id }));
    check('DescribeClientVpnRoutes', routes);
    assert.equal(routes.Routes!.length, 2);
    check('DeleteClientVpnRoute', await ec2.send(new DeleteClientVpnRouteCommand({ ClientVpnEndpointId: id, DestinationCidrBlock: '0.0.0.0/0', TargetVpcSubnetId: subnetId })));
    check('RevokeClientVpnIngress', await ec2.send(new RevokeClientVpnIngressCommand({ ClientVpnEndpointId: id, TargetNetworkCidr: '10.3.0.0/16', RevokeAllGroups: true })));
    const config = await ec2.send(new ExportClientVpnClientConfigurationCommand({ ClientVpnEndpointId: id }));
    check('ExportClientVpnClientConfiguration', config);
    assert.match(config.ClientConfiguration!, new RegExp(`remote ${id}\\.prod\\.clientvpn\\.us-east-1\\.amazonaws\\.com 443`));
    check('ImportClientVpnClientCertificateRevocationList', await ec2.send(new ImportClientVpnClientCertificateRevocationListCommand({ ClientVpnEndpointId: id, CertificateRevocationList: crl })));
    const exported = await ec2.send(new ExportClientVpnClientCertificateRevocationListCommand({ ClientVpnEndpointId: id }));
    check('ExportClientVpnClientCertificateRevocationList', exported);
    assert.equal(exported.CertificateRevocationList!.trim(), crl.trim());
    // A client connects (Gatehouse's stand-in for the VPN client), then is terminated.
    await new Promise((r) => setTimeout(r, 250));
    const connected = await signedRequest(server.endpoint, { service: 'ec2', path: '/_gatehouse/ec2/ConnectClientVpnClient', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ClientVpnEndpointId: id, ClientCertificate: pki.clientCert }) });
    const connectionId = (JSON.parse(connected.body) as { ConnectionId: string }).ConnectionId;
    const connections = await ec2.send(new DescribeClientVpnConnectionsCommand({ ClientVpnEndpointId: id }));
    check('DescribeClientVpnConnections', connections);
    assert.deepEqual(connections.Connections!.map((c) => c.ConnectionId), [connectionId]);
    check('TerminateClientVpnConnections', await ec2.send(new TerminateClientVpnConnectionsCommand({ ClientVpnEndpointId: id, ConnectionId: connectionId })));
    check('DisassociateClientVpnTargetNetwork', await ec2.send(new DisassociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: id, AssociationId: assoc.AssociationId! })));
    await new Promise((r) => setTimeout(r, 300));
    check('DeleteClientVpnEndpoint', await ec2.send(new DeleteClientVpnEndpointCommand({ ClientVpnEndpointId: id })));
  });

  it('peering, instances and virtual private gateways', async () => {
    const a = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.4.0.0/16' }))).Vpc!.VpcId!;
    const b = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.5.0.0/16' }))).Vpc!.VpcId!;
    const created = await ec2.send(new CreateVpcPeeringConnectionCommand({ VpcId: a, PeerVpcId: b }));
    check('CreateVpcPeeringConnection', created);
    const pcx = created.VpcPeeringConnection!.VpcPeeringConnectionId!;
    const accepted = await ec2.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
    check('AcceptVpcPeeringConnection', accepted);
    const described = await ec2.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [pcx] }));
    check('DescribeVpcPeeringConnections', described);
    assert.deepEqual([described.VpcPeeringConnections![0]!.Status!.Code, described.VpcPeeringConnections![0]!.AccepterVpcInfo!.CidrBlock], ['active', '10.5.0.0/16']);
    check('DeleteVpcPeeringConnection', await ec2.send(new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx })));
    const second = (await ec2.send(new CreateVpcPeeringConnectionCommand({ VpcId: a, PeerVpcId: b }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
    check('RejectVpcPeeringConnection', await ec2.send(new RejectVpcPeeringConnectionCommand({ VpcPeeringConnectionId: second })));
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: a, CidrBlock: '10.4.1.0/24' }))).Subnet!.SubnetId!;
    const run = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnet, PrivateIpAddress: '10.4.1.10' }));
    check('RunInstances', run);
    const instanceId = run.Instances![0]!.InstanceId!;
    const instances = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    check('DescribeInstances', instances);
    assert.deepEqual([instances.Reservations![0]!.Instances![0]!.PrivateIpAddress, instances.Reservations![0]!.Instances![0]!.State!.Name], ['10.4.1.10', 'running']);
    check('TerminateInstances', await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] })));
    const vgw = await ec2.send(new CreateVpnGatewayCommand({ Type: 'ipsec.1' }));
    check('CreateVpnGateway', vgw);
    check('AttachVpnGateway', await ec2.send(new AttachVpnGatewayCommand({ VpnGatewayId: vgw.VpnGateway!.VpnGatewayId!, VpcId: a })));
    const vgws = await ec2.send(new DescribeVpnGatewaysCommand({ VpnGatewayIds: [vgw.VpnGateway!.VpnGatewayId!] }));
    check('DescribeVpnGateways', vgws);
    assert.deepEqual(vgws.VpnGateways![0]!.VpcAttachments, [{ VpcId: a, State: 'attached' }]);
  });

  it('network ACLs, Elastic IPs and NAT gateways', async () => {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.6.0.0/16' }))).Vpc!.VpcId!;
    const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.6.1.0/24' }))).Subnet!.SubnetId!;
    const created = await ec2.send(new CreateNetworkAclCommand({ VpcId: vpcId }));
    check('CreateNetworkAcl', created);
    const aclId = created.NetworkAcl!.NetworkAclId!;
    check('CreateNetworkAclEntry', await ec2.send(new CreateNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 100, Protocol: '6', RuleAction: 'allow', Egress: false, CidrBlock: '10.100.0.0/22', PortRange: { From: 443, To: 443 } })));
    check('ReplaceNetworkAclEntry', await ec2.send(new ReplaceNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 100, Protocol: '6', RuleAction: 'allow', Egress: false, CidrBlock: '10.100.0.0/22', PortRange: { From: 22, To: 22 } })));
    const acls = await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
    check('DescribeNetworkAcls', acls);
    const def = acls.NetworkAcls!.find((a) => a.IsDefault)!;
    assert.deepEqual(def.Associations!.map((a) => a.SubnetId), [subnetId]);
    const assoc = await ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: def.Associations![0]!.NetworkAclAssociationId!, NetworkAclId: aclId }));
    check('ReplaceNetworkAclAssociation', assoc);
    const [mine] = (await ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [aclId] }))).NetworkAcls!;
    assert.deepEqual(mine!.Entries!.filter((e) => !e.Egress).map((e) => [e.RuleNumber, e.Protocol, e.RuleAction, e.CidrBlock, e.PortRange?.From]), [[100, '6', 'allow', '10.100.0.0/22', 22], [32767, '-1', 'deny', '0.0.0.0/0', undefined]]);
    check('DeleteNetworkAclEntry', await ec2.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 100, Egress: false })));
    await ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: assoc.NewAssociationId!, NetworkAclId: def.NetworkAclId! }));
    check('DeleteNetworkAcl', await ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: aclId })));
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    check('AllocateAddress', eip);
    const nat = await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId: eip.AllocationId! }));
    check('CreateNatGateway', nat);
    const nats = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [nat.NatGateway!.NatGatewayId!] }));
    check('DescribeNatGateways', nats);
    assert.deepEqual([nats.NatGateways![0]!.State, nats.NatGateways![0]!.NatGatewayAddresses![0]!.PublicIp], ['available', eip.PublicIp]);
    const addresses = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [eip.AllocationId!] }));
    check('DescribeAddresses', addresses);
    assert.equal(addresses.Addresses![0]!.NetworkInterfaceId, nat.NatGateway!.NatGatewayAddresses![0]!.NetworkInterfaceId);
    check('DeleteNatGateway', await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: nat.NatGateway!.NatGatewayId! })));
    check('ReleaseAddress', await ec2.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId! })));
  });

  it('covers every implemented EC2 operation', () => {
    const implemented = server.gatehouse.implementedOperations().ec2 ?? [];
    assert.deepEqual(implemented.filter((op) => !called.has(op)), []);
  });
});
