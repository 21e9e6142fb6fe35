/**
 * Elastic IP addresses and NAT gateways. A public NAT gateway sits in a subnet with an
 * Elastic IP; it takes an address from the subnet through its own requester-managed
 * network interface (type `nat_gateway`); routes in private subnets point at it. Public
 * addresses come from 203.0.113.0/24 (TEST-NET-3, reserved for documentation: a choice, so
 * nothing Gatehouse hands out is anyone's real address).
 */
import { randomBytes } from 'node:crypto';
import type {
  Address,
  AllocateAddressCommandInput,
  AllocateAddressCommandOutput,
  CreateNatGatewayCommandInput,
  CreateNatGatewayCommandOutput,
  DeleteNatGatewayCommandInput,
  DeleteNatGatewayCommandOutput,
  DescribeAddressesCommandInput,
  DescribeAddressesCommandOutput,
  DescribeNatGatewaysCommandInput,
  DescribeNatGatewaysCommandOutput,
  NatGateway,
  ReleaseAddressCommandInput,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../models/errors.js';
import { KIND, dryRun, ec2Arn, ec2Id, filterPredicate, invalidParameterValue, pageOf, requestTagContext, tagsFrom, zoneId, type Tag } from './common.js';
import { addInterface, allocateAddress, getSubnet, macAddress, removeInterface, inRegion, type NetworkInterfaceRecord, type SubnetRecord } from './records.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

/** Quota: 5 Elastic IPs per Region (default). */
const ADDRESSES_PER_REGION = 5;
/** A deleted NAT gateway stays listed for about an hour. */
const DELETED_VISIBLE_MS = 3600_000;

export interface AddressRecord {
  readonly AllocationId: string;
  readonly PublicIp: string;
  readonly Region: string;
  readonly AssociationId?: string;
  readonly NetworkInterfaceId?: string;
  readonly PrivateIpAddress?: string;
  readonly Tags: readonly Tag[];
}

export interface NatGatewayRecord {
  readonly NatGatewayId: string;
  readonly Region: string;
  readonly SubnetId: string;
  readonly VpcId: string;
  readonly ConnectivityType: 'public' | 'private';
  readonly AllocationId?: string;
  readonly PublicIp?: string;
  readonly PrivateIp: string;
  readonly NetworkInterfaceId: string;
  readonly CreateTime: string;
  readonly DeleteTime?: string;
  readonly Tags: readonly Tag[];
}

async function getAddress(ctx: ServiceContext, allocationId: string): Promise<AddressRecord> {
  const a = (await inRegion<AddressRecord>(ctx, KIND.address)).find((x) => x.AllocationId === allocationId);
  if (!a) throw new AwsError('InvalidAllocationID.NotFound', `The allocation ID '${allocationId}' does not exist`);
  return a;
}

const addressOutput = (a: AddressRecord, account: string): Address => ({
  AllocationId: a.AllocationId,
  PublicIp: a.PublicIp,
  Domain: 'vpc',
  PublicIpv4Pool: 'amazon',
  NetworkBorderGroup: a.Region,
  ...(a.AssociationId ? { AssociationId: a.AssociationId, NetworkInterfaceId: a.NetworkInterfaceId!, NetworkInterfaceOwnerId: account, PrivateIpAddress: a.PrivateIpAddress! } : {}),
  Tags: [...a.Tags],
});

function natOutput(n: NatGatewayRecord, subnet?: SubnetRecord): NatGateway {
  const deleted = n.DeleteTime !== undefined;
  return {
    NatGatewayId: n.NatGatewayId,
    SubnetId: n.SubnetId,
    VpcId: n.VpcId,
    State: deleted ? 'deleted' : 'available',
    ConnectivityType: n.ConnectivityType,
    CreateTime: new Date(n.CreateTime),
    ...(deleted ? { DeleteTime: new Date(n.DeleteTime) } : {}),
    NatGatewayAddresses: [
      {
        ...(n.AllocationId ? { AllocationId: n.AllocationId, PublicIp: n.PublicIp! } : {}),
        NetworkInterfaceId: n.NetworkInterfaceId,
        PrivateIp: n.PrivateIp,
        IsPrimary: true,
        Status: 'succeeded',
        ...(subnet ? { AvailabilityZone: subnet.AvailabilityZone, AvailabilityZoneId: zoneId(subnet.AvailabilityZone) } : {}),
      },
    ],
    Tags: [...n.Tags],
  };
}

export const natGatewayHandlers: Record<string, Handler> = {
  async AllocateAddress(input: AllocateAddressCommandInput, ctx: ServiceContext): Promise<Out<AllocateAddressCommandOutput>> {
    const resource = ec2Arn(ctx, 'elastic-ip', '*');
    const context = requestTagContext(input.TagSpecifications);
    await dryRun(ctx, input, 'ec2:AllocateAddress', resource, context);
    await ctx.authorize('ec2:AllocateAddress', resource, { context });
    if (input.Domain && input.Domain !== 'vpc') throw invalidParameterValue(`Invalid value '${input.Domain}' for domain`);
    const all = await inRegion<AddressRecord>(ctx, KIND.address);
    if (all.length >= ADDRESSES_PER_REGION) throw new AwsError('AddressLimitExceeded', 'The maximum number of addresses has been reached.');
    const used = new Set(all.map((a) => a.PublicIp));
    let PublicIp = '';
    for (let i = 0; i < 64 && (!PublicIp || used.has(PublicIp)); i++) PublicIp = `203.0.113.${1 + (randomBytes(1)[0]! % 254)}`;
    const AllocationId = ec2Id('eipalloc');
    const tags = await tagsFrom(ctx, input.TagSpecifications, 'elastic-ip', ec2Arn(ctx, 'elastic-ip', AllocationId), 'AllocateAddress');
    await ctx.tx.insert(ctx.caller.account, KIND.address, AllocationId, { AllocationId, PublicIp, Region: ctx.region, Tags: tags } satisfies AddressRecord);
    ctx.recordResource('AWS::EC2::EIP', ec2Arn(ctx, 'elastic-ip', AllocationId));
    return { AllocationId, PublicIp, Domain: 'vpc', PublicIpv4Pool: 'amazon', NetworkBorderGroup: ctx.region };
  },

  async ReleaseAddress(input: ReleaseAddressCommandInput, ctx: ServiceContext): Promise<void> {
    const arn = ec2Arn(ctx, 'elastic-ip', input.AllocationId ?? '*');
    await dryRun(ctx, input, 'ec2:ReleaseAddress', arn);
    await ctx.authorize('ec2:ReleaseAddress', arn);
    if (!input.AllocationId) throw new AwsError('MissingParameter', 'The request must contain the parameter allocationId');
    const a = await getAddress(ctx, input.AllocationId);
    if (a.AssociationId) throw new AwsError('InvalidIPAddress.InUse', `Address ${a.PublicIp} is in use.`);
    await ctx.tx.delete(ctx.caller.account, KIND.address, a.AllocationId);
    ctx.recordResource('AWS::EC2::EIP', arn);
  },

  async DescribeAddresses(input: DescribeAddressesCommandInput, ctx: ServiceContext): Promise<Out<DescribeAddressesCommandOutput>> {
    await dryRun(ctx, input, 'ec2:DescribeAddresses', '*');
    await ctx.authorize('ec2:DescribeAddresses', '*');
    let all = await inRegion<AddressRecord>(ctx, KIND.address);
    for (const id of input.AllocationIds ?? []) if (!all.some((a) => a.AllocationId === id)) throw new AwsError('InvalidAllocationID.NotFound', `The allocation ID '${id}' does not exist`);
    if (input.AllocationIds?.length) all = all.filter((a) => input.AllocationIds!.includes(a.AllocationId));
    if (input.PublicIps?.length) all = all.filter((a) => input.PublicIps!.includes(a.PublicIp));
    const keep = filterPredicate<AddressRecord>(input.Filters, {
      'allocation-id': (a) => [a.AllocationId],
      'public-ip': (a) => [a.PublicIp],
      'association-id': (a) => [a.AssociationId],
      'network-interface-id': (a) => [a.NetworkInterfaceId],
      'domain': () => ['vpc'],
    });
    return { Addresses: all.filter(keep).map((a) => addressOutput(a, ctx.caller.account)) };
  },

  async CreateNatGateway(input: CreateNatGatewayCommandInput, ctx: ServiceContext): Promise<Out<CreateNatGatewayCommandOutput>> {
    const resource = ec2Arn(ctx, 'natgateway', '*');
    const context = requestTagContext(input.TagSpecifications);
    await dryRun(ctx, input, 'ec2:CreateNatGateway', resource, context);
    await ctx.authorize('ec2:CreateNatGateway', resource, { context });
    if (!input.SubnetId) throw new AwsError('MissingParameter', 'The request must contain the parameter SubnetId');
    const subnet = await getSubnet(ctx, input.SubnetId);
    await ctx.authorize('ec2:CreateNatGateway', ec2Arn(ctx, 'subnet', subnet.SubnetId));
    const connectivity = input.ConnectivityType ?? 'public';
    let address: AddressRecord | undefined;
    if (connectivity === 'public') {
      if (!input.AllocationId) throw new AwsError('MissingParameter', 'The request must contain the parameter AllocationId for a public NAT gateway');
      address = await getAddress(ctx, input.AllocationId);
      await ctx.authorize('ec2:CreateNatGateway', ec2Arn(ctx, 'elastic-ip', address.AllocationId));
      if (address.AssociationId) throw new AwsError('Resource.AlreadyAssociated', `Elastic IP address [${address.AllocationId}] is already associated`);
    } else if (input.AllocationId) {
      throw new AwsError('InvalidParameterCombination', 'A private NAT gateway cannot have an Elastic IP address');
    }
    const NatGatewayId = ec2Id('nat');
    const tags = await tagsFrom(ctx, input.TagSpecifications, 'natgateway', ec2Arn(ctx, 'natgateway', NatGatewayId), 'CreateNatGateway');
    // Its interface: EC2's own, requester-managed, taking an address from the subnet.
    const PrivateIp = await allocateAddress(ctx, subnet, input.PrivateIpAddress);
    const eni: NetworkInterfaceRecord = {
      NetworkInterfaceId: ec2Id('eni'),
      SubnetId: subnet.SubnetId,
      VpcId: subnet.VpcId,
      Region: ctx.region,
      AvailabilityZone: subnet.AvailabilityZone,
      PrivateIpAddress: PrivateIp,
      MacAddress: macAddress(),
      Description: `Interface for NAT Gateway ${NatGatewayId}`,
      Groups: [],
      InterfaceType: 'nat_gateway',
      RequesterManaged: true,
      Owner: { service: 'nat-gateway', resourceId: NatGatewayId },
      SourceDestCheck: false,
      Tags: [],
    };
    await addInterface(ctx, eni);
    if (address) {
      await ctx.tx.update<AddressRecord>(ctx.caller.account, KIND.address, address.AllocationId, { ...address, AssociationId: ec2Id('eipassoc'), NetworkInterfaceId: eni.NetworkInterfaceId, PrivateIpAddress: PrivateIp });
    }
    const nat: NatGatewayRecord = {
      NatGatewayId,
      Region: ctx.region,
      SubnetId: subnet.SubnetId,
      VpcId: subnet.VpcId,
      ConnectivityType: connectivity,
      ...(address ? { AllocationId: address.AllocationId, PublicIp: address.PublicIp } : {}),
      PrivateIp,
      NetworkInterfaceId: eni.NetworkInterfaceId,
      CreateTime: ctx.now.toISOString(),
      Tags: tags,
    };
    await ctx.tx.insert(ctx.caller.account, KIND.natGateway, NatGatewayId, nat);
    ctx.recordResource('AWS::EC2::NatGateway', ec2Arn(ctx, 'natgateway', NatGatewayId));
    return { NatGateway: { ...natOutput(nat, subnet), State: 'pending' }, ...(input.ClientToken ? { ClientToken: input.ClientToken } : {}) };
  },

  async DeleteNatGateway(input: DeleteNatGatewayCommandInput, ctx: ServiceContext): Promise<Out<DeleteNatGatewayCommandOutput>> {
    const arn = ec2Arn(ctx, 'natgateway', input.NatGatewayId!);
    await dryRun(ctx, input, 'ec2:DeleteNatGateway', arn);
    await ctx.authorize('ec2:DeleteNatGateway', arn);
    const nat = (await inRegion<NatGatewayRecord>(ctx, KIND.natGateway)).find((n) => n.NatGatewayId === input.NatGatewayId && !n.DeleteTime);
    if (!nat) throw new AwsError('NatGatewayNotFound', `The Nat Gateway ${input.NatGatewayId ?? ''} was not found`);
    // Its interface goes and its Elastic IP is released from it.
    await removeInterface(ctx, { NetworkInterfaceId: nat.NetworkInterfaceId, SubnetId: nat.SubnetId });
    if (nat.AllocationId) {
      const { AssociationId: _a, NetworkInterfaceId: _n, PrivateIpAddress: _p, ...address } = await getAddress(ctx, nat.AllocationId);
      await ctx.tx.update<AddressRecord>(ctx.caller.account, KIND.address, nat.AllocationId, address);
    }
    await ctx.tx.update<NatGatewayRecord>(ctx.caller.account, KIND.natGateway, nat.NatGatewayId, { ...nat, DeleteTime: ctx.now.toISOString() });
    ctx.recordResource('AWS::EC2::NatGateway', arn);
    return { NatGatewayId: nat.NatGatewayId };
  },

  async DescribeNatGateways(input: DescribeNatGatewaysCommandInput, ctx: ServiceContext): Promise<Out<DescribeNatGatewaysCommandOutput>> {
    await dryRun(ctx, input, 'ec2:DescribeNatGateways', '*');
    await ctx.authorize('ec2:DescribeNatGateways', '*');
    let all = (await inRegion<NatGatewayRecord>(ctx, KIND.natGateway)).filter((n) => !n.DeleteTime || ctx.now.getTime() - Date.parse(n.DeleteTime) < DELETED_VISIBLE_MS);
    for (const id of input.NatGatewayIds ?? []) if (!all.some((n) => n.NatGatewayId === id)) throw new AwsError('NatGatewayNotFound', `The Nat Gateway ${id} was not found`);
    if (input.NatGatewayIds?.length) all = all.filter((n) => input.NatGatewayIds!.includes(n.NatGatewayId));
    const keep = filterPredicate<NatGatewayRecord>(input.Filter, {
      'nat-gateway-id': (n) => [n.NatGatewayId],
      'subnet-id': (n) => [n.SubnetId],
      'vpc-id': (n) => [n.VpcId],
      'state': (n) => [n.DeleteTime ? 'deleted' : 'available'],
    });
    const page = pageOf(all.filter(keep), input);
    const out: NatGateway[] = [];
    for (const n of page.items) out.push(natOutput(n, await ctx.tx.get<SubnetRecord>(ctx.caller.account, KIND.subnet, n.SubnetId)));
    return { NatGateways: out, ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },
};
