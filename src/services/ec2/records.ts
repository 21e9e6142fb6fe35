/**
 * EC2's stored records and the lookups every EC2 operation shares, with what a VPC comes
 * with: its default security group and main route table, and, for a region's default VPC,
 * its default subnets and an attached internet gateway (as AWS creates them).
 */
import { randomBytes } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { AwsError } from '../../models/errors.js';
import { KIND, cidrSize, ec2Id, parseCidr, zonesOf, type Tag } from './common.js';
import type { ServiceContext } from '../types.js';

export interface VpcRecord {
  readonly VpcId: string;
  readonly Region: string;
  readonly CidrBlock: string;
  readonly IsDefault: boolean;
  readonly InstanceTenancy: string;
  readonly DhcpOptionsId: string;
  readonly CidrAssociationId: string;
  readonly Tags: readonly Tag[];
}

export interface SubnetRecord {
  readonly SubnetId: string;
  readonly VpcId: string;
  readonly Region: string;
  readonly CidrBlock: string;
  readonly AvailabilityZone: string;
  readonly DefaultForAz: boolean;
  readonly MapPublicIpOnLaunch: boolean;
  /** Addresses in use by network interfaces; AWS reserves 5 per subnet besides. */
  readonly UsedIps: number;
  readonly Tags: readonly Tag[];
}

/** A group reference in a rule: another security group, maybe in another account or VPC. */
export interface GroupReference {
  readonly GroupId: string;
  readonly UserId: string;
  readonly VpcId?: string;
  readonly VpcPeeringConnectionId?: string;
}

/** One rule as DescribeSecurityGroupRules shows it: one peer, one protocol and port range. */
export interface SecurityGroupRuleRecord {
  readonly SecurityGroupRuleId: string;
  readonly IsEgress: boolean;
  /** `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all), or another protocol number. */
  readonly IpProtocol: string;
  /** -1 for all ports (protocol -1, or all ICMP types). */
  readonly FromPort: number;
  readonly ToPort: number;
  readonly CidrIpv4?: string;
  readonly CidrIpv6?: string;
  readonly PrefixListId?: string;
  readonly ReferencedGroup?: GroupReference;
  readonly Description?: string;
  readonly Tags: readonly Tag[];
}

export interface SecurityGroupRecord {
  readonly GroupId: string;
  readonly GroupName: string;
  readonly Description: string;
  readonly VpcId: string;
  readonly Region: string;
  readonly Rules: readonly SecurityGroupRuleRecord[];
  readonly Tags: readonly Tag[];
}

export interface RouteRecord {
  readonly DestinationCidrBlock: string;
  readonly GatewayId?: string;
  readonly NatGatewayId?: string;
  readonly VpcPeeringConnectionId?: string;
  readonly NetworkInterfaceId?: string;
  readonly TransitGatewayId?: string;
  /** `CreateRouteTable` (the local route), `CreateRoute`, or `EnableVgwRoutePropagation`. */
  readonly Origin: 'CreateRouteTable' | 'CreateRoute';
}

export interface RouteTableAssociationRecord {
  readonly RouteTableAssociationId: string;
  readonly Main: boolean;
  readonly SubnetId?: string;
  readonly GatewayId?: string;
}

export interface RouteTableRecord {
  readonly RouteTableId: string;
  readonly VpcId: string;
  readonly Region: string;
  readonly Routes: readonly RouteRecord[];
  readonly Associations: readonly RouteTableAssociationRecord[];
  readonly Tags: readonly Tag[];
}

export interface InternetGatewayRecord {
  readonly InternetGatewayId: string;
  readonly Region: string;
  readonly VpcId?: string;
  readonly Tags: readonly Tag[];
}

export interface NetworkInterfaceRecord {
  readonly NetworkInterfaceId: string;
  readonly SubnetId: string;
  readonly VpcId: string;
  readonly Region: string;
  readonly AvailabilityZone: string;
  readonly PrivateIpAddress: string;
  readonly MacAddress: string;
  readonly Description: string;
  readonly Groups: readonly string[];
  readonly InterfaceType: string;
  /** Created by a service for its own use (Client VPN's ENIs): users cannot delete or modify them. */
  readonly RequesterManaged: boolean;
  /** The principal that created a requester-managed interface (e.g. the service's role session). */
  readonly RequesterId?: string;
  /** What the interface belongs to, for its description and `DescribeNetworkInterfaces` filters. */
  readonly Owner?: { readonly service: string; readonly resourceId: string };
  readonly SourceDestCheck: boolean;
  readonly Tags: readonly Tag[];
}

export interface NetworkAclEntryRecord {
  readonly RuleNumber: number;
  /** A protocol number as text (`6`), or `-1` for all. */
  readonly Protocol: string;
  readonly RuleAction: 'allow' | 'deny';
  readonly Egress: boolean;
  readonly CidrBlock: string;
  readonly PortRange?: { readonly From: number; readonly To: number };
  readonly IcmpTypeCode?: { readonly Type: number; readonly Code: number };
}

export interface NetworkAclRecord {
  readonly NetworkAclId: string;
  readonly VpcId: string;
  readonly Region: string;
  readonly IsDefault: boolean;
  /** The explicit rules; the final `*` deny of each direction is implicit. */
  readonly Entries: readonly NetworkAclEntryRecord[];
  readonly Associations: readonly { readonly NetworkAclAssociationId: string; readonly SubnetId: string }[];
  readonly Tags: readonly Tag[];
}

// -------------------------------------------------------------------------------------------
// Lookups.

const notFound = (code: string, what: string, id: string): AwsError => new AwsError(code, `The ${what} ID '${id}' does not exist`);

async function regional<T extends { Region: string }>(ctx: ServiceContext, kind: string, id: string, code: string, what: string): Promise<T> {
  await ensureDefaultVpc(ctx);
  const r = await ctx.tx.get<T>(ctx.caller.account, kind, id);
  if (!r || r.Region !== ctx.region) throw notFound(code, what, id);
  return r;
}

export const getVpc = (ctx: ServiceContext, id: string): Promise<VpcRecord> => regional(ctx, KIND.vpc, id, 'InvalidVpcID.NotFound', 'vpc');
export const getSubnet = (ctx: ServiceContext, id: string): Promise<SubnetRecord> => regional(ctx, KIND.subnet, id, 'InvalidSubnetID.NotFound', 'subnet');
export const getRouteTable = (ctx: ServiceContext, id: string): Promise<RouteTableRecord> => regional(ctx, KIND.routeTable, id, 'InvalidRouteTableID.NotFound', 'route table');
export const getInternetGateway = (ctx: ServiceContext, id: string): Promise<InternetGatewayRecord> => regional(ctx, KIND.internetGateway, id, 'InvalidInternetGatewayID.NotFound', 'internetGateway');
export const getNetworkInterface = (ctx: ServiceContext, id: string): Promise<NetworkInterfaceRecord> =>
  regional(ctx, KIND.networkInterface, id, 'InvalidNetworkInterfaceID.NotFound', 'networkInterface');

export async function getSecurityGroup(ctx: ServiceContext, id: string): Promise<SecurityGroupRecord> {
  await ensureDefaultVpc(ctx);
  const r = await ctx.tx.get<SecurityGroupRecord>(ctx.caller.account, KIND.securityGroup, id);
  if (!r || r.Region !== ctx.region) throw new AwsError('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
  return r;
}

/** Every record of a kind in the request's region. */
export async function inRegion<T extends { Region: string }>(ctx: ServiceContext, kind: string): Promise<T[]> {
  await ensureDefaultVpc(ctx);
  return (await ctx.tx.list<T>(ctx.caller.account, kind)).filter((r) => r.Region === ctx.region);
}

export const regionalVpcs = (ctx: ServiceContext): Promise<VpcRecord[]> => inRegion<VpcRecord>(ctx, KIND.vpc);

/** The region's default VPC, if it has one (it can be deleted). */
export async function defaultVpcOf(ctx: ServiceContext): Promise<VpcRecord | undefined> {
  await ensureDefaultVpc(ctx);
  const marker = await ctx.tx.get<{ VpcId: string | null }>(ctx.caller.account, KIND.defaultVpc, ctx.region);
  return marker?.VpcId ? ctx.tx.get<VpcRecord>(ctx.caller.account, KIND.vpc, marker.VpcId) : undefined;
}

/** The VPC's security group named `default`. */
export async function defaultSecurityGroupOf(ctx: ServiceContext, vpcId: string): Promise<SecurityGroupRecord> {
  const groups = await ctx.tx.list<SecurityGroupRecord>(ctx.caller.account, KIND.securityGroup, { parent: vpcId });
  const group = groups.find((g) => g.GroupName === 'default');
  if (!group) throw new AwsError('InvalidGroup.NotFound', `The security group 'default' does not exist in VPC '${vpcId}'`);
  return group;
}

/** The route table a subnet uses: its explicit association, else the VPC's main table. */
export async function routeTableOfSubnet(ctx: ServiceContext, subnet: SubnetRecord): Promise<RouteTableRecord> {
  const tables = await ctx.tx.list<RouteTableRecord>(ctx.caller.account, KIND.routeTable, { parent: subnet.VpcId });
  return tables.find((t) => t.Associations.some((a) => a.SubnetId === subnet.SubnetId)) ?? tables.find((t) => t.Associations.some((a) => a.Main))!;
}

// -------------------------------------------------------------------------------------------
// What a VPC comes with.

/** AWS's default security group: all traffic from itself in, all traffic out. */
export function defaultSecurityGroup(account: string, vpc: VpcRecord): SecurityGroupRecord {
  const GroupId = ec2Id('sg');
  return {
    GroupId,
    GroupName: 'default',
    Description: `default VPC security group`,
    VpcId: vpc.VpcId,
    Region: vpc.Region,
    Rules: [
      { SecurityGroupRuleId: ec2Id('sgr'), IsEgress: false, IpProtocol: '-1', FromPort: -1, ToPort: -1, ReferencedGroup: { GroupId, UserId: account }, Tags: [] },
      { SecurityGroupRuleId: ec2Id('sgr'), IsEgress: true, IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv4: '0.0.0.0/0', Tags: [] },
    ],
    Tags: [],
  };
}

/** A new VPC's default security group and main route table (with its `local` route). */
export async function createVpcDefaults(ctx: ServiceContext, vpc: VpcRecord): Promise<{ routeTable: RouteTableRecord }> {
  const account = ctx.caller.account;
  const sg = defaultSecurityGroup(account, vpc);
  await ctx.tx.insert(account, KIND.securityGroup, sg.GroupId, sg, { parent: vpc.VpcId });
  const routeTable: RouteTableRecord = {
    RouteTableId: ec2Id('rtb'),
    VpcId: vpc.VpcId,
    Region: vpc.Region,
    Routes: [{ DestinationCidrBlock: vpc.CidrBlock, GatewayId: 'local', Origin: 'CreateRouteTable' }],
    Associations: [{ RouteTableAssociationId: ec2Id('rtbassoc'), Main: true }],
    Tags: [],
  };
  await ctx.tx.insert(account, KIND.routeTable, routeTable.RouteTableId, routeTable, { parent: vpc.VpcId });
  // The default network ACL allows all traffic both ways (rule 100).
  const all = (Egress: boolean): NetworkAclEntryRecord => ({ RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress, CidrBlock: '0.0.0.0/0' });
  const acl: NetworkAclRecord = { NetworkAclId: ec2Id('acl'), VpcId: vpc.VpcId, Region: vpc.Region, IsDefault: true, Entries: [all(false), all(true)], Associations: [], Tags: [] };
  await ctx.tx.insert(account, KIND.networkAcl, acl.NetworkAclId, acl, { parent: vpc.VpcId });
  return { routeTable };
}

/** A new subnet is associated with its VPC's default network ACL. */
export async function associateDefaultAcl(ctx: ServiceContext, subnet: SubnetRecord): Promise<void> {
  const acls = await ctx.tx.list<NetworkAclRecord>(ctx.caller.account, KIND.networkAcl, { parent: subnet.VpcId });
  const acl = acls.find((a) => a.IsDefault);
  if (!acl) return;
  await ctx.tx.update<NetworkAclRecord>(ctx.caller.account, KIND.networkAcl, acl.NetworkAclId, { ...acl, Associations: [...acl.Associations, { NetworkAclAssociationId: ec2Id('aclassoc'), SubnetId: subnet.SubnetId }] });
}

/** The network ACL a subnet uses (exactly one). */
export async function aclOfSubnet(ctx: ServiceContext, subnet: SubnetRecord): Promise<NetworkAclRecord | undefined> {
  return (await ctx.tx.list<NetworkAclRecord>(ctx.caller.account, KIND.networkAcl, { parent: subnet.VpcId })).find((a) => a.Associations.some((x) => x.SubnetId === subnet.SubnetId));
}

/**
 * The region's default VPC, created on the account's first EC2 call there (AWS accounts
 * have one from the start): 172.31.0.0/16, a default /20 subnet per zone, the default
 * security group, and an internet gateway with a 0.0.0.0/0 route in the main table.
 */
export async function ensureDefaultVpc(ctx: ServiceContext): Promise<void> {
  const account = ctx.caller.account;
  if (await ctx.tx.get(account, KIND.defaultVpc, ctx.region)) return;
  const vpc: VpcRecord = {
    VpcId: ec2Id('vpc'),
    Region: ctx.region,
    CidrBlock: '172.31.0.0/16',
    IsDefault: true,
    InstanceTenancy: 'default',
    DhcpOptionsId: ec2Id('dopt'),
    CidrAssociationId: ec2Id('vpc-cidr-assoc'),
    Tags: [],
  };
  await ctx.tx.insert(account, KIND.defaultVpc, ctx.region, { VpcId: vpc.VpcId });
  await ctx.tx.insert(account, KIND.vpc, vpc.VpcId, vpc);
  const { routeTable } = await createVpcDefaults(ctx, vpc);
  const igw: InternetGatewayRecord = { InternetGatewayId: ec2Id('igw'), Region: ctx.region, VpcId: vpc.VpcId, Tags: [] };
  await ctx.tx.insert(account, KIND.internetGateway, igw.InternetGatewayId, igw);
  await ctx.tx.update<RouteTableRecord>(account, KIND.routeTable, routeTable.RouteTableId, {
    ...routeTable,
    Routes: [...routeTable.Routes, { DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw.InternetGatewayId, Origin: 'CreateRoute' }],
  });
  for (const [i, zone] of zonesOf(ctx.region).entries()) {
    const subnet: SubnetRecord = {
      SubnetId: ec2Id('subnet'),
      VpcId: vpc.VpcId,
      Region: ctx.region,
      CidrBlock: `172.31.${i * 16}.0/20`,
      AvailabilityZone: zone,
      DefaultForAz: true,
      MapPublicIpOnLaunch: true,
      UsedIps: 0,
      Tags: [],
    };
    await ctx.tx.insert(account, KIND.subnet, subnet.SubnetId, subnet, { parent: vpc.VpcId });
    await associateDefaultAcl(ctx, subnet);
  }
}

// -------------------------------------------------------------------------------------------
// Subnet addresses.

const ipToNumber = (ip: string): number => ipaddr.IPv4.parse(ip).toByteArray().reduce((n, b) => n * 256 + b, 0);
const numberToIp = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/**
 * The next free private address in a subnet. AWS reserves the first four addresses of
 * every subnet (network, router, DNS, future use) and the last (broadcast); Gatehouse
 * hands out the lowest free one (AWS picks any free one: a choice, for stable tests).
 */
export async function allocateAddress(ctx: ServiceContext, subnet: SubnetRecord, wanted?: string): Promise<string> {
  const cidr = parseCidr(subnet.CidrBlock)!;
  const first = cidr.base + 4;
  const last = cidr.base + cidrSize(cidr) - 2;
  const used = new Set((await ctx.tx.list<NetworkInterfaceRecord>(ctx.caller.account, KIND.networkInterface, { parent: subnet.SubnetId })).map((n) => ipToNumber(n.PrivateIpAddress)));
  if (wanted !== undefined) {
    if (!ipaddr.IPv4.isValidFourPartDecimal(wanted)) throw new AwsError('InvalidParameterValue', `Invalid value '${wanted}' for privateIpAddress`);
    const n = ipToNumber(wanted);
    if (n < cidr.base || n >= cidr.base + cidrSize(cidr)) throw new AwsError('InvalidParameterValue', `Address ${wanted} does not fall within the subnet's address range`);
    if (n < first || n > last) throw new AwsError('InvalidParameterValue', `Address ${wanted} is reserved by AWS`);
    if (used.has(n)) throw new AwsError('InvalidIPAddress.InUse', `Address ${wanted} is in use.`);
    return wanted;
  }
  for (let n = first; n <= last; n++) if (!used.has(n)) return numberToIp(n);
  throw new AwsError('InsufficientFreeAddressesInSubnet', `There are not enough free addresses in subnet '${subnet.SubnetId}' to satisfy the requested number of instances.`);
}

// -------------------------------------------------------------------------------------------
// Interfaces and the subnet addresses they hold (users', instances', NAT gateways', services').

/** A locally administered MAC address (`02:..`), as EC2 gives interfaces. */
export const macAddress = (): string => ['02', ...[...randomBytes(5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');

async function countAddress(ctx: ServiceContext, subnetId: string, delta: number): Promise<void> {
  const subnet = await ctx.tx.get<SubnetRecord>(ctx.caller.account, KIND.subnet, subnetId);
  if (subnet) await ctx.tx.update<SubnetRecord>(ctx.caller.account, KIND.subnet, subnetId, { ...subnet, UsedIps: subnet.UsedIps + delta });
}

/** Store a new interface; its subnet counts the address it takes. */
export async function addInterface(ctx: ServiceContext, eni: NetworkInterfaceRecord): Promise<void> {
  await ctx.tx.insert(ctx.caller.account, KIND.networkInterface, eni.NetworkInterfaceId, eni, { parent: eni.SubnetId });
  await countAddress(ctx, eni.SubnetId, 1);
}

/** Remove an interface (if it is still there), giving its address back to the subnet. */
export async function removeInterface(ctx: ServiceContext, eni: { readonly NetworkInterfaceId: string; readonly SubnetId: string }): Promise<void> {
  if (await ctx.tx.delete(ctx.caller.account, KIND.networkInterface, eni.NetworkInterfaceId)) await countAddress(ctx, eni.SubnetId, -1);
}
