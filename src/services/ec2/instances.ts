/**
 * EC2 instances as addressable resources, and virtual private gateways. An instance runs
 * nothing: it is a primary network interface in a subnet, with security groups and a
 * private address, so that Client VPN scenarios have something to reach. A virtual
 * private gateway stands for the on-premises side of a Site-to-Site VPN: routes can point
 * at it once it is attached to the VPC.
 */
import type {
  AttachVpnGatewayCommandInput,
  AttachVpnGatewayCommandOutput,
  CreateVpnGatewayCommandInput,
  CreateVpnGatewayCommandOutput,
  DescribeInstancesCommandInput,
  DescribeInstancesCommandOutput,
  DescribeVpnGatewaysCommandInput,
  DescribeVpnGatewaysCommandOutput,
  Instance,
  RunInstancesCommandInput,
  RunInstancesCommandOutput,
  TerminateInstancesCommandInput,
  TerminateInstancesCommandOutput,
  VpnGateway,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../models/errors.js';
import { KIND, dryRun, ec2Arn, ec2Id, filterPredicate, invalidParameterValue, pageOf, requestTagContext, tagsFrom, type Tag } from './common.js';
import { privateDnsName } from './network-interfaces.js';
import { addInterface, allocateAddress, defaultSecurityGroupOf, macAddress, removeInterface, defaultVpcOf, getSecurityGroup, getSubnet, getVpc, inRegion, type NetworkInterfaceRecord, type SubnetRecord } from './records.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

export const INSTANCE_KIND = { instance: 'ec2:instance', vpnGateway: 'ec2:vpn-gateway' } as const;

export interface InstanceRecord {
  readonly InstanceId: string;
  readonly ReservationId: string;
  readonly Region: string;
  readonly ImageId: string;
  readonly InstanceType: string;
  readonly SubnetId: string;
  readonly VpcId: string;
  readonly AvailabilityZone: string;
  readonly PrivateIpAddress: string;
  readonly NetworkInterfaceId: string;
  readonly Groups: readonly string[];
  readonly LaunchTime: string;
  readonly TerminatedAt?: string;
  readonly Tags: readonly Tag[];
}

/** Instance state codes (EC2 API reference, InstanceState). */
const STATE = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48 } as const;
/** A terminated instance stays listed for about an hour in AWS. */
const TERMINATED_VISIBLE_MS = 3600_000;

const stateOf = (i: InstanceRecord, now: Date): keyof typeof STATE => (i.TerminatedAt ? 'terminated' : now.getTime() - Date.parse(i.LaunchTime) < 0 ? 'pending' : 'running');

async function instanceOutput(ctx: ServiceContext, i: InstanceRecord): Promise<Instance> {
  const state = stateOf(i, ctx.now);
  const groups: { GroupId: string; GroupName: string }[] = [];
  for (const id of i.Groups) groups.push({ GroupId: id, GroupName: (await ctx.tx.get<{ GroupName: string }>(ctx.caller.account, KIND.securityGroup, id))?.GroupName ?? '' });
  const running = state !== 'terminated';
  return {
    InstanceId: i.InstanceId,
    ImageId: i.ImageId,
    InstanceType: i.InstanceType as Instance['InstanceType'],
    State: { Code: STATE[state], Name: state },
    LaunchTime: new Date(i.LaunchTime),
    Placement: { AvailabilityZone: i.AvailabilityZone, Tenancy: 'default', GroupName: '' },
    PrivateDnsName: running ? privateDnsName(i.PrivateIpAddress, i.Region) : '',
    PublicDnsName: '',
    StateTransitionReason: i.TerminatedAt ? `User initiated (${i.TerminatedAt.replace('T', ' ').replace(/\.\d{3}Z$/, ' GMT')})` : '',
    AmiLaunchIndex: 0,
    ProductCodes: [],
    Monitoring: { State: 'disabled' },
    Architecture: 'x86_64',
    RootDeviceType: 'ebs',
    RootDeviceName: '/dev/xvda',
    VirtualizationType: 'hvm',
    Hypervisor: 'xen',
    EbsOptimized: false,
    EnaSupport: true,
    SourceDestCheck: true,
    BlockDeviceMappings: [],
    SecurityGroups: running ? groups : [],
    Tags: [...i.Tags],
    ...(running
      ? {
          SubnetId: i.SubnetId,
          VpcId: i.VpcId,
          PrivateIpAddress: i.PrivateIpAddress,
          NetworkInterfaces: [
            {
              NetworkInterfaceId: i.NetworkInterfaceId,
              SubnetId: i.SubnetId,
              VpcId: i.VpcId,
              OwnerId: ctx.caller.account,
              Status: 'in-use',
              PrivateIpAddress: i.PrivateIpAddress,
              Groups: groups,
              SourceDestCheck: true,
              InterfaceType: 'interface',
              Attachment: { AttachmentId: `eni-attach-${i.NetworkInterfaceId.slice(4)}`, DeviceIndex: 0, Status: 'attached', DeleteOnTermination: true, AttachTime: new Date(i.LaunchTime) },
              PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: i.PrivateIpAddress, PrivateDnsName: privateDnsName(i.PrivateIpAddress, i.Region) }],
              Ipv6Addresses: [],
            },
          ],
        }
      : {}),
  };
}

async function subnetFor(ctx: ServiceContext, input: RunInstancesCommandInput): Promise<SubnetRecord> {
  if (input.SubnetId) return getSubnet(ctx, input.SubnetId);
  const vpc = await defaultVpcOf(ctx);
  if (!vpc) throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.');
  const subnets = (await inRegion<SubnetRecord>(ctx, KIND.subnet)).filter((s) => s.VpcId === vpc.VpcId && s.DefaultForAz);
  const zone = input.Placement?.AvailabilityZone;
  const subnet = zone ? subnets.find((s) => s.AvailabilityZone === zone) : subnets[0];
  if (!subnet) throw new AwsError('InvalidSubnetID.NotFound', `No default subnet for availability zone: '${zone ?? ''}'.`);
  return subnet;
}

export const instanceHandlers: Record<string, Handler> = {
  async RunInstances(input: RunInstancesCommandInput, ctx: ServiceContext): Promise<Out<RunInstancesCommandOutput>> {
    const resource = ec2Arn(ctx, 'instance', '*');
    const context = requestTagContext(input.TagSpecifications);
    await dryRun(ctx, input, 'ec2:RunInstances', resource, context);
    await ctx.authorize('ec2:RunInstances', resource, { context });
    if (!input.ImageId) throw new AwsError('MissingParameter', 'The request must contain the parameter ImageId');
    if (!/^ami-[0-9a-f]{8,17}$/.test(input.ImageId)) throw new AwsError('InvalidAMIID.Malformed', `Invalid id: "${input.ImageId}" (expecting "ami-...")`);
    await ctx.authorize('ec2:RunInstances', `arn:aws:ec2:${ctx.region}::image/${input.ImageId}`);
    if (input.IamInstanceProfile) throw invalidParameterValue('Instance profiles are not supported by Gatehouse\'s instances yet (they would need iam:PassRole).');
    const min = input.MinCount!;
    const max = input.MaxCount!;
    if (min < 1 || max < min) throw invalidParameterValue(`Invalid value for MinCount (${min}) or MaxCount (${max})`);
    if (input.PrivateIpAddress && max > 1) throw new AwsError('InvalidParameterCombination', 'Cannot specify a private IP address when launching more than one instance');
    const subnet = await subnetFor(ctx, input);
    await ctx.authorize('ec2:RunInstances', ec2Arn(ctx, 'subnet', subnet.SubnetId));
    const vpc = await getVpc(ctx, subnet.VpcId);
    const groups = input.SecurityGroupIds?.length ? input.SecurityGroupIds : [(await defaultSecurityGroupOf(ctx, vpc.VpcId)).GroupId];
    for (const id of groups) {
      const g = await getSecurityGroup(ctx, id);
      if (g.VpcId !== vpc.VpcId) throw new AwsError('InvalidParameter', `Security group ${id} and subnet ${subnet.SubnetId} belong to different networks.`);
      await ctx.authorize('ec2:RunInstances', ec2Arn(ctx, 'security-group', id));
    }
    const reservationId = ec2Id('r');
    const instances: InstanceRecord[] = [];
    for (let n = 0; n < max; n++) {
      const InstanceId = ec2Id('i');
      const address = await allocateAddress(ctx, (await ctx.tx.get<SubnetRecord>(ctx.caller.account, KIND.subnet, subnet.SubnetId))!, input.PrivateIpAddress);
      const tags = await tagsFrom(ctx, input.TagSpecifications?.filter((t) => t.ResourceType === 'instance'), 'instance', ec2Arn(ctx, 'instance', InstanceId), 'RunInstances');
      const eni: NetworkInterfaceRecord = {
        NetworkInterfaceId: ec2Id('eni'),
        SubnetId: subnet.SubnetId,
        VpcId: vpc.VpcId,
        Region: ctx.region,
        AvailabilityZone: subnet.AvailabilityZone,
        PrivateIpAddress: address,
        MacAddress: macAddress(),
        Description: '',
        Groups: [...groups],
        InterfaceType: 'interface',
        RequesterManaged: false,
        Owner: { service: 'ec2-instance', resourceId: InstanceId },
        SourceDestCheck: true,
        Tags: [],
      };
      await addInterface(ctx, eni);
      const record: InstanceRecord = {
        InstanceId,
        ReservationId: reservationId,
        Region: ctx.region,
        ImageId: input.ImageId,
        InstanceType: input.InstanceType ?? 'm1.small',
        SubnetId: subnet.SubnetId,
        VpcId: vpc.VpcId,
        AvailabilityZone: subnet.AvailabilityZone,
        PrivateIpAddress: address,
        NetworkInterfaceId: eni.NetworkInterfaceId,
        Groups: [...groups],
        LaunchTime: ctx.now.toISOString(),
        Tags: tags,
      };
      await ctx.tx.insert(ctx.caller.account, INSTANCE_KIND.instance, InstanceId, record);
      ctx.recordResource('AWS::EC2::Instance', ec2Arn(ctx, 'instance', InstanceId));
      instances.push(record);
    }
    const out: Instance[] = [];
    for (const i of instances) out.push({ ...(await instanceOutput(ctx, i)), State: { Code: 0, Name: 'pending' } });
    const groupInfo = out[0]?.SecurityGroups ?? [];
    return { ReservationId: reservationId, OwnerId: ctx.caller.account, Groups: groupInfo, Instances: out };
  },

  async DescribeInstances(input: DescribeInstancesCommandInput, ctx: ServiceContext): Promise<Out<DescribeInstancesCommandOutput>> {
    await dryRun(ctx, input, 'ec2:DescribeInstances', '*');
    await ctx.authorize('ec2:DescribeInstances', '*');
    let all = (await inRegion<InstanceRecord>(ctx, INSTANCE_KIND.instance)).filter((i) => !i.TerminatedAt || ctx.now.getTime() - Date.parse(i.TerminatedAt) < TERMINATED_VISIBLE_MS);
    for (const id of input.InstanceIds ?? []) if (!all.some((i) => i.InstanceId === id)) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    if (input.InstanceIds?.length) all = all.filter((i) => input.InstanceIds!.includes(i.InstanceId));
    const keep = filterPredicate<InstanceRecord>(input.Filters, {
      'instance-id': (i) => [i.InstanceId],
      'instance-state-name': (i) => [stateOf(i, ctx.now)],
      'subnet-id': (i) => [i.SubnetId],
      'vpc-id': (i) => [i.VpcId],
      'private-ip-address': (i) => [i.PrivateIpAddress],
      'instance.group-id': (i) => i.Groups,
      'availability-zone': (i) => [i.AvailabilityZone],
      'image-id': (i) => [i.ImageId],
      'instance-type': (i) => [i.InstanceType],
      'reservation-id': (i) => [i.ReservationId],
    });
    const page = pageOf(all.filter(keep), input);
    const reservations = new Map<string, Instance[]>();
    for (const i of page.items) {
      const list = reservations.get(i.ReservationId) ?? [];
      list.push(await instanceOutput(ctx, i));
      reservations.set(i.ReservationId, list);
    }
    return {
      Reservations: [...reservations].map(([ReservationId, Instances]) => ({ ReservationId, OwnerId: ctx.caller.account, Groups: [], Instances })),
      ...(page.NextToken ? { NextToken: page.NextToken } : {}),
    };
  },

  async TerminateInstances(input: TerminateInstancesCommandInput, ctx: ServiceContext): Promise<Out<TerminateInstancesCommandOutput>> {
    const changes: NonNullable<TerminateInstancesCommandOutput['TerminatingInstances']> = [];
    for (const id of input.InstanceIds ?? []) {
      const arn = ec2Arn(ctx, 'instance', id);
      await dryRun(ctx, input, 'ec2:TerminateInstances', arn);
      await ctx.authorize('ec2:TerminateInstances', arn);
      const i = await ctx.tx.get<InstanceRecord>(ctx.caller.account, INSTANCE_KIND.instance, id);
      if (!i || i.Region !== ctx.region) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
      const previous = stateOf(i, ctx.now);
      if (!i.TerminatedAt) {
        // The primary interface goes with the instance (DeleteOnTermination), freeing its address.
        await removeInterface(ctx, i);
        await ctx.tx.update<InstanceRecord>(ctx.caller.account, INSTANCE_KIND.instance, id, { ...i, TerminatedAt: ctx.now.toISOString() });
        ctx.recordResource('AWS::EC2::Instance', arn);
      }
      const current = i.TerminatedAt ? 'terminated' : 'shutting-down';
      changes.push({ InstanceId: id, PreviousState: { Code: STATE[previous], Name: previous }, CurrentState: { Code: STATE[current], Name: current } });
    }
    return { TerminatingInstances: changes };
  },
};

// -------------------------------------------------------------------------------------------
// Virtual private gateways.

interface VpnGatewayRecord {
  readonly VpnGatewayId: string;
  readonly Region: string;
  readonly AmazonSideAsn: number;
  readonly VpcId?: string;
  readonly Tags: readonly Tag[];
}

const vgwOutput = (g: VpnGatewayRecord): VpnGateway => ({
  VpnGatewayId: g.VpnGatewayId,
  State: 'available',
  Type: 'ipsec.1',
  AmazonSideAsn: g.AmazonSideAsn,
  VpcAttachments: g.VpcId ? [{ VpcId: g.VpcId, State: 'attached' }] : [],
  Tags: [...g.Tags],
});

export const vpnGatewayHandlers: Record<string, Handler> = {
  async CreateVpnGateway(input: CreateVpnGatewayCommandInput, ctx: ServiceContext): Promise<Out<CreateVpnGatewayCommandOutput>> {
    const resource = ec2Arn(ctx, 'vpn-gateway', '*');
    const context = requestTagContext(input.TagSpecifications);
    await dryRun(ctx, input, 'ec2:CreateVpnGateway', resource, context);
    await ctx.authorize('ec2:CreateVpnGateway', resource, { context });
    if (input.Type !== 'ipsec.1') throw invalidParameterValue(`Invalid value '${input.Type ?? ''}' for type`);
    const id = ec2Id('vgw');
    const tags = await tagsFrom(ctx, input.TagSpecifications, 'vpn-gateway', ec2Arn(ctx, 'vpn-gateway', id), 'CreateVpnGateway');
    // AWS's default Amazon-side ASN is 64512.
    const g: VpnGatewayRecord = { VpnGatewayId: id, Region: ctx.region, AmazonSideAsn: input.AmazonSideAsn ?? 64512, Tags: tags };
    await ctx.tx.insert(ctx.caller.account, INSTANCE_KIND.vpnGateway, id, g);
    ctx.recordResource('AWS::EC2::VPNGateway', ec2Arn(ctx, 'vpn-gateway', id));
    return { VpnGateway: { ...vgwOutput(g), State: 'pending' } };
  },

  async AttachVpnGateway(input: AttachVpnGatewayCommandInput, ctx: ServiceContext): Promise<Out<AttachVpnGatewayCommandOutput>> {
    const arn = ec2Arn(ctx, 'vpn-gateway', input.VpnGatewayId!);
    await dryRun(ctx, input, 'ec2:AttachVpnGateway', arn);
    await ctx.authorize('ec2:AttachVpnGateway', arn);
    const g = await ctx.tx.get<VpnGatewayRecord>(ctx.caller.account, INSTANCE_KIND.vpnGateway, input.VpnGatewayId!);
    if (!g || g.Region !== ctx.region) throw new AwsError('InvalidVpnGatewayID.NotFound', `The virtual private gateway ID '${input.VpnGatewayId!}' does not exist`);
    const vpc = await getVpc(ctx, input.VpcId!);
    if (g.VpcId) throw new AwsError('VpnGatewayAttachmentLimitExceeded', `The maximum number of attachments for ${g.VpnGatewayId} has been reached.`);
    await ctx.tx.update<VpnGatewayRecord>(ctx.caller.account, INSTANCE_KIND.vpnGateway, g.VpnGatewayId, { ...g, VpcId: vpc.VpcId });
    ctx.recordResource('AWS::EC2::VPNGateway', arn);
    return { VpcAttachment: { VpcId: vpc.VpcId, State: 'attaching' } };
  },

  async DescribeVpnGateways(input: DescribeVpnGatewaysCommandInput, ctx: ServiceContext): Promise<Out<DescribeVpnGatewaysCommandOutput>> {
    await dryRun(ctx, input, 'ec2:DescribeVpnGateways', '*');
    await ctx.authorize('ec2:DescribeVpnGateways', '*');
    let all = await inRegion<VpnGatewayRecord>(ctx, INSTANCE_KIND.vpnGateway);
    if (input.VpnGatewayIds?.length) all = all.filter((g) => input.VpnGatewayIds!.includes(g.VpnGatewayId));
    const keep = filterPredicate<VpnGatewayRecord>(input.Filters, {
      'vpn-gateway-id': (g) => [g.VpnGatewayId],
      'attachment.vpc-id': (g) => [g.VpcId],
      'attachment.state': (g) => (g.VpcId ? ['attached'] : []),
      'state': () => ['available'],
      'type': () => ['ipsec.1'],
    });
    return { VpnGateways: all.filter(keep).map(vgwOutput) };
  },
};
