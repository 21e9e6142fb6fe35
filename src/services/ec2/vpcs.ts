/**
 * VPCs and subnets, with each account's default VPC per region (172.31.0.0/16, one default
 * /20 subnet per availability zone), created the first time the account uses EC2 there,
 * as AWS has one from the start.
 */
import type {
  CreateSubnetCommandInput,
  CreateSubnetCommandOutput,
  CreateVpcCommandInput,
  CreateVpcCommandOutput,
  DeleteSubnetCommandInput,
  DeleteVpcCommandInput,
  DescribeSubnetsCommandInput,
  DescribeSubnetsCommandOutput,
  DescribeVpcsCommandInput,
  DescribeVpcsCommandOutput,
  Subnet,
  Vpc,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../models/errors.js';
import { KIND, cidrSize, contains, dryRun, ec2Arn, ec2Id, filterPredicate, invalidParameterValue, overlaps, pageOf, parseCidr, requestTagContext, tagsFrom, zoneId, zonesOf } from './common.js';
import { aclOfSubnet, associateDefaultAcl, createVpcDefaults, ensureDefaultVpc, getSubnet, getVpc, regionalVpcs, type InternetGatewayRecord, type NetworkAclRecord, type RouteTableRecord, type SecurityGroupRecord, type SubnetRecord, type VpcRecord } from './records.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

/** AWS allows VPCs from /16 to /28 (page "VPC CIDR blocks"). */
const VPC_PREFIXES = { min: 16, max: 28 };
const VPCS_PER_REGION = 5;

function vpcOutput(v: VpcRecord, account: string): Vpc {
  return {
    OwnerId: account,
    InstanceTenancy: v.InstanceTenancy as Vpc['InstanceTenancy'],
    CidrBlockAssociationSet: [{ AssociationId: v.CidrAssociationId, CidrBlock: v.CidrBlock, CidrBlockState: { State: 'associated' } }],
    IsDefault: v.IsDefault,
    ...(v.Tags.length ? { Tags: [...v.Tags] } : {}),
    VpcId: v.VpcId,
    State: 'available',
    CidrBlock: v.CidrBlock,
    DhcpOptionsId: v.DhcpOptionsId,
  };
}

function subnetOutput(s: SubnetRecord, ctx: ServiceContext): Subnet {
  const size = cidrSize(parseCidr(s.CidrBlock)!);
  return {
    AvailabilityZoneId: zoneId(s.AvailabilityZone),
    OwnerId: ctx.caller.account,
    AssignIpv6AddressOnCreation: false,
    Ipv6CidrBlockAssociationSet: [],
    ...(s.Tags.length ? { Tags: [...s.Tags] } : {}),
    SubnetArn: ec2Arn(ctx, 'subnet', s.SubnetId),
    EnableDns64: false,
    Ipv6Native: false,
    PrivateDnsNameOptionsOnLaunch: { HostnameType: 'ip-name', EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false },
    SubnetId: s.SubnetId,
    State: 'available',
    VpcId: s.VpcId,
    CidrBlock: s.CidrBlock,
    AvailableIpAddressCount: size - 5 - s.UsedIps,
    AvailabilityZone: s.AvailabilityZone,
    DefaultForAz: s.DefaultForAz,
    MapPublicIpOnLaunch: s.MapPublicIpOnLaunch,
  };
}

export const vpcHandlers: Record<string, Handler> = {
  async CreateVpc(input: CreateVpcCommandInput, ctx: ServiceContext): Promise<Out<CreateVpcCommandOutput>> {
    const resource = ec2Arn(ctx, 'vpc', '*');
    const context = requestTagContext(input.TagSpecifications);
    await dryRun(ctx, input, 'ec2:CreateVpc', resource, context);
    await ctx.authorize('ec2:CreateVpc', resource, { context });
    if (!input.CidrBlock) throw new AwsError('MissingParameter', 'Either \'cidrBlock\' or \'ipv4IpamPoolId\' should be provided.');
    const cidr = parseCidr(input.CidrBlock);
    if (!cidr) throw invalidParameterValue(`Value (${input.CidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
    if (cidr.prefix < VPC_PREFIXES.min || cidr.prefix > VPC_PREFIXES.max) throw new AwsError('InvalidVpc.Range', `The CIDR '${input.CidrBlock}' is invalid.`);
    if ((await regionalVpcs(ctx)).filter((v) => !v.IsDefault).length >= VPCS_PER_REGION) {
      throw new AwsError('VpcLimitExceeded', 'The maximum number of VPCs has been reached.');
    }
    const vpcId = ec2Id('vpc');
    const tags = await tagsFrom(ctx, input.TagSpecifications, 'vpc', ec2Arn(ctx, 'vpc', vpcId), 'CreateVpc');
    const vpc: VpcRecord = {
      VpcId: vpcId,
      Region: ctx.region,
      CidrBlock: input.CidrBlock,
      IsDefault: false,
      InstanceTenancy: input.InstanceTenancy ?? 'default',
      DhcpOptionsId: ec2Id('dopt'),
      CidrAssociationId: ec2Id('vpc-cidr-assoc'),
      Tags: tags,
    };
    await ctx.tx.insert(ctx.caller.account, KIND.vpc, vpcId, vpc);
    await createVpcDefaults(ctx, vpc);
    ctx.recordResource('AWS::EC2::VPC', ec2Arn(ctx, 'vpc', vpcId));
    return { Vpc: { ...vpcOutput(vpc, ctx.caller.account), State: 'pending' } };
  },

  async DescribeVpcs(input: DescribeVpcsCommandInput, ctx: ServiceContext): Promise<Out<DescribeVpcsCommandOutput>> {
    await dryRun(ctx, input, 'ec2:DescribeVpcs', '*');
    await ctx.authorize('ec2:DescribeVpcs', '*');
    let vpcs = await regionalVpcs(ctx);
    for (const id of input.VpcIds ?? []) if (!vpcs.some((v) => v.VpcId === id)) throw new AwsError('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`);
    if (input.VpcIds?.length) vpcs = vpcs.filter((v) => input.VpcIds!.includes(v.VpcId));
    const keep = filterPredicate<VpcRecord>(input.Filters, {
      'vpc-id': (v) => [v.VpcId],
      'cidr': (v) => [v.CidrBlock],
      'cidr-block-association.cidr-block': (v) => [v.CidrBlock],
      'is-default': (v) => [String(v.IsDefault)],
      'state': () => ['available'],
      'owner-id': () => [ctx.caller.account],
      'dhcp-options-id': (v) => [v.DhcpOptionsId],
    });
    const page = pageOf(vpcs.filter(keep), input);
    return { Vpcs: page.items.map((v) => vpcOutput(v, ctx.caller.account)), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },

  async DeleteVpc(input: DeleteVpcCommandInput, ctx: ServiceContext): Promise<void> {
    const resource = ec2Arn(ctx, 'vpc', input.VpcId!);
    await dryRun(ctx, input, 'ec2:DeleteVpc', resource);
    await ctx.authorize('ec2:DeleteVpc', resource);
    const vpc = await getVpc(ctx, input.VpcId!);
    const account = ctx.caller.account;
    // What AWS deletes with the VPC: its default security group and main route table.
    // Anything else in it (subnets, other groups and tables, an attached gateway) blocks it.
    const groups = await ctx.tx.list<SecurityGroupRecord>(account, KIND.securityGroup, { parent: vpc.VpcId });
    const tables = await ctx.tx.list<RouteTableRecord>(account, KIND.routeTable, { parent: vpc.VpcId });
    const gateways = (await ctx.tx.list<InternetGatewayRecord>(account, KIND.internetGateway)).filter((g) => g.VpcId === vpc.VpcId);
    const acls = await ctx.tx.list<NetworkAclRecord>(account, KIND.networkAcl, { parent: vpc.VpcId });
    if (
      (await ctx.tx.count(account, KIND.subnet, { parent: vpc.VpcId })) > 0 ||
      groups.some((g) => g.GroupName !== 'default') ||
      tables.some((t) => !t.Associations.some((a) => a.Main)) ||
      acls.some((a) => !a.IsDefault) ||
      gateways.length > 0
    ) {
      throw new AwsError('DependencyViolation', `The vpc '${vpc.VpcId}' has dependencies and cannot be deleted.`);
    }
    for (const g of groups) await ctx.tx.delete(account, KIND.securityGroup, g.GroupId);
    for (const t of tables) await ctx.tx.delete(account, KIND.routeTable, t.RouteTableId);
    for (const a of acls) await ctx.tx.delete(account, KIND.networkAcl, a.NetworkAclId);
    await ctx.tx.delete(account, KIND.vpc, vpc.VpcId);
    if (vpc.IsDefault) await ctx.tx.update(ctx.caller.account, KIND.defaultVpc, ctx.region, { VpcId: null });
    ctx.recordResource('AWS::EC2::VPC', resource);
  },

  async CreateSubnet(input: CreateSubnetCommandInput, ctx: ServiceContext): Promise<Out<CreateSubnetCommandOutput>> {
    const resource = ec2Arn(ctx, 'subnet', '*');
    const context = requestTagContext(input.TagSpecifications);
    await dryRun(ctx, input, 'ec2:CreateSubnet', resource, context);
    await ctx.authorize('ec2:CreateSubnet', resource, { context });
    await ctx.authorize('ec2:CreateSubnet', ec2Arn(ctx, 'vpc', input.VpcId!));
    const vpc = await getVpc(ctx, input.VpcId!);
    if (!input.CidrBlock) throw new AwsError('MissingParameter', 'Either \'cidrBlock\' or \'ipv4IpamPoolId\' should be provided.');
    const cidr = parseCidr(input.CidrBlock);
    if (!cidr) throw invalidParameterValue(`Value (${input.CidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
    if (!contains(parseCidr(vpc.CidrBlock)!, cidr) || cidr.prefix > 28) throw new AwsError('InvalidSubnet.Range', `The CIDR '${input.CidrBlock}' is invalid.`);
    const siblings = await ctx.tx.list<SubnetRecord>(ctx.caller.account, KIND.subnet, { parent: vpc.VpcId });
    if (siblings.some((s) => overlaps(parseCidr(s.CidrBlock)!, cidr))) throw new AwsError('InvalidSubnet.Conflict', `The CIDR '${input.CidrBlock}' conflicts with another subnet`);
    const zones = zonesOf(ctx.region);
    const zone = input.AvailabilityZone ?? zones[0]!;
    if (!zones.includes(zone)) {
      throw invalidParameterValue(`Value (${zone}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${zones.join(', ')}.`);
    }
    const subnetId = ec2Id('subnet');
    const tags = await tagsFrom(ctx, input.TagSpecifications, 'subnet', ec2Arn(ctx, 'subnet', subnetId), 'CreateSubnet');
    const subnet: SubnetRecord = { SubnetId: subnetId, VpcId: vpc.VpcId, Region: ctx.region, CidrBlock: input.CidrBlock, AvailabilityZone: zone, DefaultForAz: false, MapPublicIpOnLaunch: false, UsedIps: 0, Tags: tags };
    await ctx.tx.insert(ctx.caller.account, KIND.subnet, subnetId, subnet, { parent: vpc.VpcId });
    await associateDefaultAcl(ctx, subnet);
    ctx.recordResource('AWS::EC2::Subnet', ec2Arn(ctx, 'subnet', subnetId));
    return { Subnet: subnetOutput(subnet, ctx) };
  },

  async DescribeSubnets(input: DescribeSubnetsCommandInput, ctx: ServiceContext): Promise<Out<DescribeSubnetsCommandOutput>> {
    await dryRun(ctx, input, 'ec2:DescribeSubnets', '*');
    await ctx.authorize('ec2:DescribeSubnets', '*');
    await ensureDefaultVpc(ctx);
    let subnets = (await ctx.tx.list<SubnetRecord>(ctx.caller.account, KIND.subnet)).filter((s) => s.Region === ctx.region);
    for (const id of input.SubnetIds ?? []) if (!subnets.some((s) => s.SubnetId === id)) throw new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`);
    if (input.SubnetIds?.length) subnets = subnets.filter((s) => input.SubnetIds!.includes(s.SubnetId));
    const keep = filterPredicate<SubnetRecord>(input.Filters, {
      'subnet-id': (s) => [s.SubnetId],
      'vpc-id': (s) => [s.VpcId],
      'cidr-block': (s) => [s.CidrBlock],
      'availability-zone': (s) => [s.AvailabilityZone],
      'availability-zone-id': (s) => [zoneId(s.AvailabilityZone)],
      'default-for-az': (s) => [String(s.DefaultForAz)],
      'state': () => ['available'],
      'owner-id': () => [ctx.caller.account],
    });
    const page = pageOf(subnets.filter(keep), input);
    return { Subnets: page.items.map((s) => subnetOutput(s, ctx)), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },

  async DeleteSubnet(input: DeleteSubnetCommandInput, ctx: ServiceContext): Promise<void> {
    const resource = ec2Arn(ctx, 'subnet', input.SubnetId!);
    await dryRun(ctx, input, 'ec2:DeleteSubnet', resource);
    await ctx.authorize('ec2:DeleteSubnet', resource);
    const subnet = await getSubnet(ctx, input.SubnetId!);
    if (subnet.UsedIps > 0) throw new AwsError('DependencyViolation', `The subnet '${subnet.SubnetId}' has dependencies and cannot be deleted.`);
    await ctx.tx.delete(ctx.caller.account, KIND.subnet, subnet.SubnetId);
    // Its network ACL association and explicit route table association go with it, as in AWS.
    const acl = await aclOfSubnet(ctx, subnet);
    if (acl) await ctx.tx.update<NetworkAclRecord>(ctx.caller.account, KIND.networkAcl, acl.NetworkAclId, { ...acl, Associations: acl.Associations.filter((x) => x.SubnetId !== subnet.SubnetId) });
    for (const t of await ctx.tx.list<RouteTableRecord>(ctx.caller.account, KIND.routeTable, { parent: subnet.VpcId })) {
      if (t.Associations.some((a) => a.SubnetId === subnet.SubnetId)) {
        await ctx.tx.update<RouteTableRecord>(ctx.caller.account, KIND.routeTable, t.RouteTableId, { ...t, Associations: t.Associations.filter((a) => a.SubnetId !== subnet.SubnetId) });
      }
    }
    ctx.recordResource('AWS::EC2::Subnet', resource);
  },
};
