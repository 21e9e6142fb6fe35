/**
 * Elastic network interfaces. Each takes one address from its subnet and carries a set of
 * security groups. An interface created by a service acting as its own role (Client VPN's
 * `AWSServiceRoleForClientVPN` creating an endpoint's interfaces) is requester-managed:
 * it shows in DescribeNetworkInterfaces with `RequesterManaged` and the requester, and
 * users cannot delete or change it; the service removes it itself.
 */
import type {
  CreateNetworkInterfaceCommandInput,
  CreateNetworkInterfaceCommandOutput,
  DeleteNetworkInterfaceCommandInput,
  DescribeNetworkInterfacesCommandInput,
  DescribeNetworkInterfacesCommandOutput,
  ModifyNetworkInterfaceAttributeCommandInput,
  NetworkInterface,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../models/errors.js';
import { KIND, dryRun, ec2Arn, ec2Id, filterPredicate, pageOf, requestTagContext, tagsFrom } from './common.js';
import { addInterface, allocateAddress, defaultSecurityGroupOf, macAddress, removeInterface, getNetworkInterface, getSecurityGroup, getSubnet, inRegion, type NetworkInterfaceRecord, type SecurityGroupRecord } from './records.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

/** AWS's quota: 5 security groups per network interface (default). */
const GROUPS_PER_INTERFACE = 5;


/** `ip-10-0-1-5.ec2.internal` in us-east-1, `ip-10-0-1-5.<region>.compute.internal` elsewhere. */
export const privateDnsName = (ip: string, region: string): string => `ip-${ip.replaceAll('.', '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`;

/** Security groups by id, each in the interface's VPC. */
async function groupsFor(ctx: ServiceContext, ids: readonly string[], vpcId: string): Promise<SecurityGroupRecord[]> {
  if (ids.length > GROUPS_PER_INTERFACE) throw new AwsError('SecurityGroupsPerInterfaceLimitExceeded', 'The maximum number of security groups per interface has been reached.');
  const groups: SecurityGroupRecord[] = [];
  for (const id of ids) {
    const g = await getSecurityGroup(ctx, id);
    if (g.VpcId !== vpcId) throw new AwsError('InvalidParameter', `Security group ${id} and subnet belong to different networks.`);
    groups.push(g);
  }
  return groups;
}

async function interfaceOutput(ctx: ServiceContext, n: NetworkInterfaceRecord): Promise<NetworkInterface> {
  const groups: { GroupId: string; GroupName: string }[] = [];
  for (const id of n.Groups) {
    const g = await ctx.tx.get<SecurityGroupRecord>(ctx.caller.account, KIND.securityGroup, id);
    groups.push({ GroupId: id, GroupName: g?.GroupName ?? '' });
  }
  const dns = privateDnsName(n.PrivateIpAddress, n.Region);
  return {
    AvailabilityZone: n.AvailabilityZone,
    Description: n.Description,
    Groups: groups,
    InterfaceType: n.InterfaceType as NetworkInterface['InterfaceType'],
    Ipv6Addresses: [],
    MacAddress: n.MacAddress,
    NetworkInterfaceId: n.NetworkInterfaceId,
    OwnerId: ctx.caller.account,
    PrivateDnsName: dns,
    PrivateIpAddress: n.PrivateIpAddress,
    PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: n.PrivateIpAddress, PrivateDnsName: dns }],
    ...(n.RequesterId ? { RequesterId: n.RequesterId } : {}),
    RequesterManaged: n.RequesterManaged,
    SourceDestCheck: n.SourceDestCheck,
    // A requester-managed interface is attached to the service's resource from the start;
    // an instance's primary interface to its instance.
    Status: n.RequesterManaged || n.Owner ? 'in-use' : 'available',
    ...(n.Owner?.service === 'ec2-instance' ? { Attachment: { AttachmentId: `eni-attach-${n.NetworkInterfaceId.slice(4)}`, InstanceId: n.Owner.resourceId, InstanceOwnerId: ctx.caller.account, DeviceIndex: 0, Status: 'attached', DeleteOnTermination: true } } : {}),
    SubnetId: n.SubnetId,
    TagSet: [...n.Tags],
    VpcId: n.VpcId,
  };
}

/** Users cannot change what a service manages. */
function assertUserManaged(ctx: ServiceContext, n: NetworkInterfaceRecord): void {
  if ((n.RequesterManaged && !ctx.caller.serviceLinkedRole) || n.Owner?.service === 'ec2-instance') {
    throw new AwsError('InvalidNetworkInterface.InUse', `The network interface '${n.NetworkInterfaceId}' is currently in use.`);
  }
}

export const networkInterfaceHandlers: Record<string, Handler> = {
  async CreateNetworkInterface(input: CreateNetworkInterfaceCommandInput, ctx: ServiceContext): Promise<Out<CreateNetworkInterfaceCommandOutput>> {
    const resource = ec2Arn(ctx, 'network-interface', '*');
    const context = requestTagContext(input.TagSpecifications);
    await dryRun(ctx, input, 'ec2:CreateNetworkInterface', resource, context);
    await ctx.authorize('ec2:CreateNetworkInterface', resource, { context });
    await ctx.authorize('ec2:CreateNetworkInterface', ec2Arn(ctx, 'subnet', input.SubnetId!));
    const subnet = await getSubnet(ctx, input.SubnetId!);
    const groups = input.Groups?.length ? await groupsFor(ctx, input.Groups, subnet.VpcId) : [await defaultSecurityGroupOf(ctx, subnet.VpcId)];
    for (const g of groups) await ctx.authorize('ec2:CreateNetworkInterface', ec2Arn(ctx, 'security-group', g.GroupId));
    const address = await allocateAddress(ctx, subnet, input.PrivateIpAddress);
    const id = ec2Id('eni');
    const tags = await tagsFrom(ctx, input.TagSpecifications, 'network-interface', ec2Arn(ctx, 'network-interface', id), 'CreateNetworkInterface');
    const serviceManaged = ctx.caller.serviceLinkedRole === true;
    const record: NetworkInterfaceRecord = {
      NetworkInterfaceId: id,
      SubnetId: subnet.SubnetId,
      VpcId: subnet.VpcId,
      Region: ctx.region,
      AvailabilityZone: subnet.AvailabilityZone,
      PrivateIpAddress: address,
      MacAddress: macAddress(),
      Description: input.Description ?? '',
      Groups: groups.map((g) => g.GroupId),
      InterfaceType: input.InterfaceType ?? 'interface',
      RequesterManaged: serviceManaged,
      ...(serviceManaged ? { RequesterId: ctx.caller.userId } : {}),
      SourceDestCheck: true,
      Tags: tags,
    };
    await addInterface(ctx, record);
    ctx.recordResource('AWS::EC2::NetworkInterface', ec2Arn(ctx, 'network-interface', id));
    return { NetworkInterface: await interfaceOutput(ctx, record) };
  },

  async DeleteNetworkInterface(input: DeleteNetworkInterfaceCommandInput, ctx: ServiceContext): Promise<void> {
    const arn = ec2Arn(ctx, 'network-interface', input.NetworkInterfaceId!);
    await dryRun(ctx, input, 'ec2:DeleteNetworkInterface', arn);
    await ctx.authorize('ec2:DeleteNetworkInterface', arn);
    const n = await getNetworkInterface(ctx, input.NetworkInterfaceId!);
    assertUserManaged(ctx, n);
    await removeInterface(ctx, n);
    ctx.recordResource('AWS::EC2::NetworkInterface', arn);
  },

  async ModifyNetworkInterfaceAttribute(input: ModifyNetworkInterfaceAttributeCommandInput, ctx: ServiceContext): Promise<void> {
    const arn = ec2Arn(ctx, 'network-interface', input.NetworkInterfaceId!);
    await dryRun(ctx, input, 'ec2:ModifyNetworkInterfaceAttribute', arn);
    await ctx.authorize('ec2:ModifyNetworkInterfaceAttribute', arn);
    const n = await getNetworkInterface(ctx, input.NetworkInterfaceId!);
    assertUserManaged(ctx, n);
    const changes = [input.Groups, input.Description, input.SourceDestCheck].filter((x) => x !== undefined).length;
    if (changes !== 1) throw new AwsError('InvalidParameterCombination', 'Exactly one attribute must be specified');
    let next: NetworkInterfaceRecord = n;
    if (input.Groups) next = { ...n, Groups: (await groupsFor(ctx, input.Groups, n.VpcId)).map((g) => g.GroupId) };
    if (input.Description) next = { ...n, Description: input.Description.Value ?? '' };
    if (input.SourceDestCheck) next = { ...n, SourceDestCheck: input.SourceDestCheck.Value ?? true };
    await ctx.tx.update(ctx.caller.account, KIND.networkInterface, n.NetworkInterfaceId, next);
    ctx.recordResource('AWS::EC2::NetworkInterface', arn);
  },

  async DescribeNetworkInterfaces(input: DescribeNetworkInterfacesCommandInput, ctx: ServiceContext): Promise<Out<DescribeNetworkInterfacesCommandOutput>> {
    await dryRun(ctx, input, 'ec2:DescribeNetworkInterfaces', '*');
    await ctx.authorize('ec2:DescribeNetworkInterfaces', '*');
    let all = await inRegion<NetworkInterfaceRecord>(ctx, KIND.networkInterface);
    for (const id of input.NetworkInterfaceIds ?? []) {
      if (!all.some((n) => n.NetworkInterfaceId === id)) throw new AwsError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`);
    }
    if (input.NetworkInterfaceIds?.length) all = all.filter((n) => input.NetworkInterfaceIds!.includes(n.NetworkInterfaceId));
    const keep = filterPredicate<NetworkInterfaceRecord>(input.Filters, {
      'network-interface-id': (n) => [n.NetworkInterfaceId],
      'subnet-id': (n) => [n.SubnetId],
      'vpc-id': (n) => [n.VpcId],
      'availability-zone': (n) => [n.AvailabilityZone],
      'description': (n) => [n.Description],
      'group-id': (n) => n.Groups,
      'private-ip-address': (n) => [n.PrivateIpAddress],
      'addresses.private-ip-address': (n) => [n.PrivateIpAddress],
      'requester-managed': (n) => [String(n.RequesterManaged)],
      'requester-id': (n) => [n.RequesterId],
      'interface-type': (n) => [n.InterfaceType],
      'status': (n) => [n.RequesterManaged || n.Owner ? 'in-use' : 'available'],
      'attachment.instance-id': (n) => [n.Owner?.service === 'ec2-instance' ? n.Owner.resourceId : undefined],
      'owner-id': () => [ctx.caller.account],
      'mac-address': (n) => [n.MacAddress],
    });
    const page = pageOf(all.filter(keep), input);
    const items: NetworkInterface[] = [];
    for (const n of page.items) items.push(await interfaceOutput(ctx, n));
    return { NetworkInterfaces: items, ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },
};
