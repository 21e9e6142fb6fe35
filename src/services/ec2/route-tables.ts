/**
 * Route tables and internet gateways. Every VPC has a main route table with a `local`
 * route for its CIDR; a subnet uses its explicitly associated table, else the main one.
 * Routes point at a gateway (internet gateway, virtual private gateway), a NAT gateway, a
 * peering connection, a network interface or a transit gateway. An internet gateway
 * attaches to one VPC at a time.
 */
import type {
  AssociateRouteTableCommandInput,
  AttachmentStatus,
  AssociateRouteTableCommandOutput,
  AttachInternetGatewayCommandInput,
  CreateInternetGatewayCommandInput,
  CreateInternetGatewayCommandOutput,
  CreateRouteCommandInput,
  CreateRouteCommandOutput,
  CreateRouteTableCommandInput,
  CreateRouteTableCommandOutput,
  DeleteInternetGatewayCommandInput,
  DeleteRouteCommandInput,
  DeleteRouteTableCommandInput,
  DescribeInternetGatewaysCommandInput,
  DescribeInternetGatewaysCommandOutput,
  DescribeRouteTablesCommandInput,
  DescribeRouteTablesCommandOutput,
  DetachInternetGatewayCommandInput,
  DisassociateRouteTableCommandInput,
  InternetGateway,
  ReplaceRouteCommandInput,
  Route,
  RouteTable,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../models/errors.js';
import { KIND, dryRun, ec2Arn, ec2Id, filterPredicate, invalidParameterValue, pageOf, parseCidr, requestTagContext, tagsFrom } from './common.js';
import { getInternetGateway, getNetworkInterface, getRouteTable, getSubnet, getVpc, inRegion, type InternetGatewayRecord, type RouteRecord, type RouteTableRecord } from './records.js';
import { findPeering } from './peering.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

/** Quota: 50 routes per route table (default, IPv4). */
const ROUTES_PER_TABLE = 50;

/** A route is a blackhole when its target is gone (a detached gateway, a deleted interface). */
async function routeOutput(ctx: ServiceContext, table: RouteTableRecord, r: RouteRecord): Promise<Route> {
  let active = true;
  if (r.GatewayId?.startsWith('igw-')) {
    const igw = await ctx.tx.get<InternetGatewayRecord>(ctx.caller.account, KIND.internetGateway, r.GatewayId);
    active = igw?.VpcId === table.VpcId;
  }
  if (r.NetworkInterfaceId) active = (await ctx.tx.get(ctx.caller.account, KIND.networkInterface, r.NetworkInterfaceId)) !== undefined;
  if (r.NatGatewayId) active = !(await ctx.tx.get<{ DeleteTime?: string }>(ctx.caller.account, KIND.natGateway, r.NatGatewayId))?.DeleteTime;
  if (r.VpcPeeringConnectionId) active = (await findPeering(ctx, r.VpcPeeringConnectionId))?.Status === 'active';
  return {
    DestinationCidrBlock: r.DestinationCidrBlock,
    ...(r.GatewayId ? { GatewayId: r.GatewayId } : {}),
    ...(r.NatGatewayId ? { NatGatewayId: r.NatGatewayId } : {}),
    ...(r.VpcPeeringConnectionId ? { VpcPeeringConnectionId: r.VpcPeeringConnectionId } : {}),
    ...(r.NetworkInterfaceId ? { NetworkInterfaceId: r.NetworkInterfaceId } : {}),
    ...(r.TransitGatewayId ? { TransitGatewayId: r.TransitGatewayId } : {}),
    Origin: r.Origin,
    State: active ? 'active' : 'blackhole',
  };
}

async function tableOutput(ctx: ServiceContext, t: RouteTableRecord): Promise<RouteTable> {
  const routes: Route[] = [];
  for (const r of t.Routes) routes.push(await routeOutput(ctx, t, r));
  return {
    RouteTableId: t.RouteTableId,
    VpcId: t.VpcId,
    OwnerId: ctx.caller.account,
    Routes: routes,
    Associations: t.Associations.map((a) => ({
      Main: a.Main,
      RouteTableAssociationId: a.RouteTableAssociationId,
      RouteTableId: t.RouteTableId,
      ...(a.SubnetId ? { SubnetId: a.SubnetId } : {}),
      ...(a.GatewayId ? { GatewayId: a.GatewayId } : {}),
      AssociationState: { State: 'associated' },
    })),
    PropagatingVgws: [],
    Tags: [...t.Tags],
  };
}

/** The one target a CreateRoute/ReplaceRoute names, checked to exist and fit the VPC. */
async function targetOf(ctx: ServiceContext, table: RouteTableRecord, input: CreateRouteCommandInput): Promise<Omit<RouteRecord, 'DestinationCidrBlock' | 'Origin'>> {
  const targets = [input.GatewayId, input.NatGatewayId, input.VpcPeeringConnectionId, input.NetworkInterfaceId, input.TransitGatewayId, input.InstanceId].filter((x) => x !== undefined);
  if (targets.length !== 1) throw new AwsError('InvalidParameterCombination', 'The parameter combination is not valid. Specify exactly one of the route targets.');
  if (input.GatewayId) {
    if (input.GatewayId.startsWith('igw-')) {
      const igw = await getInternetGateway(ctx, input.GatewayId);
      if (igw.VpcId !== table.VpcId) throw invalidParameterValue(`route table ${table.RouteTableId} and network gateway ${igw.InternetGatewayId} belong to different networks`);
    } else if (input.GatewayId.startsWith('vgw-')) {
      const vgw = await ctx.tx.get<{ VpcId?: string; Region: string }>(ctx.caller.account, 'ec2:vpn-gateway', input.GatewayId);
      if (!vgw || vgw.Region !== ctx.region) throw new AwsError('InvalidGatewayID.NotFound', `The gateway ID '${input.GatewayId}' does not exist`);
      if (vgw.VpcId !== table.VpcId) throw invalidParameterValue(`route table ${table.RouteTableId} and network gateway ${input.GatewayId} belong to different networks`);
    } else {
      throw new AwsError('InvalidGatewayID.NotFound', `The gateway ID '${input.GatewayId}' does not exist`);
    }
    return { GatewayId: input.GatewayId };
  }
  if (input.NetworkInterfaceId) {
    const eni = await getNetworkInterface(ctx, input.NetworkInterfaceId);
    if (eni.VpcId !== table.VpcId) throw invalidParameterValue(`route table ${table.RouteTableId} and interface ${eni.NetworkInterfaceId} belong to different networks`);
    return { NetworkInterfaceId: input.NetworkInterfaceId };
  }
  if (input.NatGatewayId) {
    const nat = await ctx.tx.get<{ VpcId: string; Region: string; DeleteTime?: string }>(ctx.caller.account, KIND.natGateway, input.NatGatewayId);
    if (!nat || nat.Region !== ctx.region || nat.DeleteTime) throw new AwsError('InvalidNatGatewayID.NotFound', `The natGateway ID '${input.NatGatewayId}' does not exist`);
    if (nat.VpcId !== table.VpcId) throw invalidParameterValue(`route table ${table.RouteTableId} and NAT gateway ${input.NatGatewayId} belong to different networks`);
    return { NatGatewayId: input.NatGatewayId };
  }
  if (input.VpcPeeringConnectionId) {
    const p = await findPeering(ctx, input.VpcPeeringConnectionId);
    if (!p) throw new AwsError('InvalidVpcPeeringConnectionID.NotFound', `The vpcPeeringConnection ID '${input.VpcPeeringConnectionId}' does not exist`);
    if (p.Requester.VpcId !== table.VpcId && p.Accepter.VpcId !== table.VpcId) throw invalidParameterValue(`route table ${table.RouteTableId} and peering connection ${p.VpcPeeringConnectionId} belong to different networks`);
    return { VpcPeeringConnectionId: input.VpcPeeringConnectionId };
  }
  if (input.TransitGatewayId) return { TransitGatewayId: input.TransitGatewayId };
  throw invalidParameterValue('Instance routes are not supported: route to the instance\'s network interface instead');
}

function destinationOf(input: { DestinationCidrBlock?: string }): string {
  if (!input.DestinationCidrBlock) throw new AwsError('MissingParameter', 'The request must contain the parameter destinationCidrBlock');
  if (!parseCidr(input.DestinationCidrBlock)) throw invalidParameterValue(`Value (${input.DestinationCidrBlock}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.`);
  return input.DestinationCidrBlock;
}

async function save(ctx: ServiceContext, t: RouteTableRecord): Promise<void> {
  await ctx.tx.update(ctx.caller.account, KIND.routeTable, t.RouteTableId, t);
  ctx.recordResource('AWS::EC2::RouteTable', ec2Arn(ctx, 'route-table', t.RouteTableId));
}

export const routeTableHandlers: Record<string, Handler> = {
  async CreateRouteTable(input: CreateRouteTableCommandInput, ctx: ServiceContext): Promise<Out<CreateRouteTableCommandOutput>> {
    const context = requestTagContext(input.TagSpecifications);
    const resource = ec2Arn(ctx, 'route-table', '*');
    await dryRun(ctx, input, 'ec2:CreateRouteTable', resource, context);
    await ctx.authorize('ec2:CreateRouteTable', resource, { context });
    await ctx.authorize('ec2:CreateRouteTable', ec2Arn(ctx, 'vpc', input.VpcId!));
    const vpc = await getVpc(ctx, input.VpcId!);
    const id = ec2Id('rtb');
    const tags = await tagsFrom(ctx, input.TagSpecifications, 'route-table', ec2Arn(ctx, 'route-table', id), 'CreateRouteTable');
    const table: RouteTableRecord = { RouteTableId: id, VpcId: vpc.VpcId, Region: ctx.region, Routes: [{ DestinationCidrBlock: vpc.CidrBlock, GatewayId: 'local', Origin: 'CreateRouteTable' }], Associations: [], Tags: tags };
    await ctx.tx.insert(ctx.caller.account, KIND.routeTable, id, table, { parent: vpc.VpcId });
    ctx.recordResource('AWS::EC2::RouteTable', ec2Arn(ctx, 'route-table', id));
    return { RouteTable: await tableOutput(ctx, table) };
  },

  async DeleteRouteTable(input: DeleteRouteTableCommandInput, ctx: ServiceContext): Promise<void> {
    const arn = ec2Arn(ctx, 'route-table', input.RouteTableId!);
    await dryRun(ctx, input, 'ec2:DeleteRouteTable', arn);
    await ctx.authorize('ec2:DeleteRouteTable', arn);
    const t = await getRouteTable(ctx, input.RouteTableId!);
    if (t.Associations.length > 0) throw new AwsError('DependencyViolation', `The routeTable '${t.RouteTableId}' has dependencies and cannot be deleted.`);
    await ctx.tx.delete(ctx.caller.account, KIND.routeTable, t.RouteTableId);
    ctx.recordResource('AWS::EC2::RouteTable', arn);
  },

  async DescribeRouteTables(input: DescribeRouteTablesCommandInput, ctx: ServiceContext): Promise<Out<DescribeRouteTablesCommandOutput>> {
    await dryRun(ctx, input, 'ec2:DescribeRouteTables', '*');
    await ctx.authorize('ec2:DescribeRouteTables', '*');
    let tables = await inRegion<RouteTableRecord>(ctx, KIND.routeTable);
    for (const id of input.RouteTableIds ?? []) if (!tables.some((t) => t.RouteTableId === id)) throw new AwsError('InvalidRouteTableID.NotFound', `The routeTable ID '${id}' does not exist`);
    if (input.RouteTableIds?.length) tables = tables.filter((t) => input.RouteTableIds!.includes(t.RouteTableId));
    const keep = filterPredicate<RouteTableRecord>(input.Filters, {
      'route-table-id': (t) => [t.RouteTableId],
      'vpc-id': (t) => [t.VpcId],
      'owner-id': () => [ctx.caller.account],
      'association.main': (t) => [String(t.Associations.some((a) => a.Main))],
      'association.subnet-id': (t) => t.Associations.map((a) => a.SubnetId),
      'association.route-table-association-id': (t) => t.Associations.map((a) => a.RouteTableAssociationId),
      'association.route-table-id': (t) => (t.Associations.length ? [t.RouteTableId] : []),
      'route.destination-cidr-block': (t) => t.Routes.map((r) => r.DestinationCidrBlock),
      'route.gateway-id': (t) => t.Routes.map((r) => r.GatewayId),
      'route.nat-gateway-id': (t) => t.Routes.map((r) => r.NatGatewayId),
      'route.vpc-peering-connection-id': (t) => t.Routes.map((r) => r.VpcPeeringConnectionId),
      'route.transit-gateway-id': (t) => t.Routes.map((r) => r.TransitGatewayId),
      'route.origin': (t) => t.Routes.map((r) => r.Origin),
    });
    const page = pageOf(tables.filter(keep), input);
    const out: RouteTable[] = [];
    for (const t of page.items) out.push(await tableOutput(ctx, t));
    return { RouteTables: out, ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },

  async CreateRoute(input: CreateRouteCommandInput, ctx: ServiceContext): Promise<Out<CreateRouteCommandOutput>> {
    const arn = ec2Arn(ctx, 'route-table', input.RouteTableId!);
    await dryRun(ctx, input, 'ec2:CreateRoute', arn);
    await ctx.authorize('ec2:CreateRoute', arn);
    const t = await getRouteTable(ctx, input.RouteTableId!);
    const destination = destinationOf(input);
    if (t.Routes.some((r) => r.DestinationCidrBlock === destination)) throw new AwsError('RouteAlreadyExists', `The route identified by ${destination} already exists.`);
    if (t.Routes.length >= ROUTES_PER_TABLE) throw new AwsError('RouteLimitExceeded', 'The maximum number of routes has been reached.');
    const target = await targetOf(ctx, t, input);
    await save(ctx, { ...t, Routes: [...t.Routes, { DestinationCidrBlock: destination, ...target, Origin: 'CreateRoute' }] });
    return { Return: true };
  },

  async ReplaceRoute(input: ReplaceRouteCommandInput, ctx: ServiceContext): Promise<void> {
    const arn = ec2Arn(ctx, 'route-table', input.RouteTableId!);
    await dryRun(ctx, input, 'ec2:ReplaceRoute', arn);
    await ctx.authorize('ec2:ReplaceRoute', arn);
    const t = await getRouteTable(ctx, input.RouteTableId!);
    const destination = destinationOf(input);
    const existing = t.Routes.find((r) => r.DestinationCidrBlock === destination);
    if (!existing) throw new AwsError('InvalidRoute.NotFound', `There is no route defined for '${destination}' in the route table. Use CreateRoute instead.`);
    if (existing.GatewayId === 'local' && input.LocalTarget !== true && !input.NetworkInterfaceId) throw invalidParameterValue(`cannot replace local route ${destination} in route table ${t.RouteTableId}`);
    const target = await targetOf(ctx, t, input);
    await save(ctx, { ...t, Routes: t.Routes.map((r) => (r === existing ? { DestinationCidrBlock: destination, ...target, Origin: 'CreateRoute' } : r)) });
  },

  async DeleteRoute(input: DeleteRouteCommandInput, ctx: ServiceContext): Promise<void> {
    const arn = ec2Arn(ctx, 'route-table', input.RouteTableId!);
    await dryRun(ctx, input, 'ec2:DeleteRoute', arn);
    await ctx.authorize('ec2:DeleteRoute', arn);
    const t = await getRouteTable(ctx, input.RouteTableId!);
    const destination = destinationOf(input);
    const existing = t.Routes.find((r) => r.DestinationCidrBlock === destination);
    if (!existing) throw new AwsError('InvalidRoute.NotFound', `no route with destination-cidr-block ${destination} in route table ${t.RouteTableId}`);
    if (existing.GatewayId === 'local') throw invalidParameterValue(`cannot remove local route ${destination} in route table ${t.RouteTableId}`);
    await save(ctx, { ...t, Routes: t.Routes.filter((r) => r !== existing) });
  },

  async AssociateRouteTable(input: AssociateRouteTableCommandInput, ctx: ServiceContext): Promise<Out<AssociateRouteTableCommandOutput>> {
    const arn = ec2Arn(ctx, 'route-table', input.RouteTableId!);
    await dryRun(ctx, input, 'ec2:AssociateRouteTable', arn);
    await ctx.authorize('ec2:AssociateRouteTable', arn);
    const t = await getRouteTable(ctx, input.RouteTableId!);
    if (!input.SubnetId) throw new AwsError('MissingParameter', 'The request must contain the parameter subnetId');
    const subnet = await getSubnet(ctx, input.SubnetId);
    await ctx.authorize('ec2:AssociateRouteTable', ec2Arn(ctx, 'subnet', subnet.SubnetId));
    if (subnet.VpcId !== t.VpcId) throw invalidParameterValue(`route table ${t.RouteTableId} and subnet ${subnet.SubnetId} belong to different networks`);
    const tables = await ctx.tx.list<RouteTableRecord>(ctx.caller.account, KIND.routeTable, { parent: t.VpcId });
    if (tables.some((x) => x.Associations.some((a) => a.SubnetId === subnet.SubnetId))) {
      throw new AwsError('Resource.AlreadyAssociated', `the specified association for route table ${t.RouteTableId} conflicts with an existing association`);
    }
    const AssociationId = ec2Id('rtbassoc');
    await save(ctx, { ...t, Associations: [...t.Associations, { RouteTableAssociationId: AssociationId, Main: false, SubnetId: subnet.SubnetId }] });
    return { AssociationId, AssociationState: { State: 'associated' } };
  },

  async DisassociateRouteTable(input: DisassociateRouteTableCommandInput, ctx: ServiceContext): Promise<void> {
    await dryRun(ctx, input, 'ec2:DisassociateRouteTable', ec2Arn(ctx, 'route-table', '*'));
    const tables = await inRegion<RouteTableRecord>(ctx, KIND.routeTable);
    const t = tables.find((x) => x.Associations.some((a) => a.RouteTableAssociationId === input.AssociationId));
    await ctx.authorize('ec2:DisassociateRouteTable', ec2Arn(ctx, 'route-table', t?.RouteTableId ?? '*'));
    if (!t) throw new AwsError('InvalidAssociationID.NotFound', `The association ID '${input.AssociationId ?? ''}' does not exist`);
    const association = t.Associations.find((a) => a.RouteTableAssociationId === input.AssociationId)!;
    if (association.Main) throw invalidParameterValue(`cannot disassociate the main route table association ${association.RouteTableAssociationId}`);
    await save(ctx, { ...t, Associations: t.Associations.filter((a) => a !== association) });
  },
};

// -------------------------------------------------------------------------------------------
// Internet gateways.

const gatewayOutput = (g: InternetGatewayRecord, account: string): InternetGateway => ({
  InternetGatewayId: g.InternetGatewayId,
  OwnerId: account,
  // "For an internet gateway the state is available when attached to a VPC" (EC2 API
  // reference, InternetGatewayAttachment): not one of the model's AttachmentStatus values.
  Attachments: g.VpcId ? [{ State: 'available' as AttachmentStatus, VpcId: g.VpcId }] : [],
  Tags: [...g.Tags],
});

export const internetGatewayHandlers: Record<string, Handler> = {
  async CreateInternetGateway(input: CreateInternetGatewayCommandInput, ctx: ServiceContext): Promise<Out<CreateInternetGatewayCommandOutput>> {
    const context = requestTagContext(input.TagSpecifications);
    const resource = ec2Arn(ctx, 'internet-gateway', '*');
    await dryRun(ctx, input, 'ec2:CreateInternetGateway', resource, context);
    await ctx.authorize('ec2:CreateInternetGateway', resource, { context });
    const id = ec2Id('igw');
    const tags = await tagsFrom(ctx, input.TagSpecifications, 'internet-gateway', ec2Arn(ctx, 'internet-gateway', id), 'CreateInternetGateway');
    const g: InternetGatewayRecord = { InternetGatewayId: id, Region: ctx.region, Tags: tags };
    await ctx.tx.insert(ctx.caller.account, KIND.internetGateway, id, g);
    ctx.recordResource('AWS::EC2::InternetGateway', ec2Arn(ctx, 'internet-gateway', id));
    return { InternetGateway: gatewayOutput(g, ctx.caller.account) };
  },

  async AttachInternetGateway(input: AttachInternetGatewayCommandInput, ctx: ServiceContext): Promise<void> {
    const arn = ec2Arn(ctx, 'internet-gateway', input.InternetGatewayId!);
    await dryRun(ctx, input, 'ec2:AttachInternetGateway', arn);
    await ctx.authorize('ec2:AttachInternetGateway', arn);
    await ctx.authorize('ec2:AttachInternetGateway', ec2Arn(ctx, 'vpc', input.VpcId!));
    const g = await getInternetGateway(ctx, input.InternetGatewayId!);
    const vpc = await getVpc(ctx, input.VpcId!);
    if (g.VpcId) throw new AwsError('Resource.AlreadyAssociated', `resource ${g.InternetGatewayId} is already attached to network ${g.VpcId}`);
    const others = await inRegion<InternetGatewayRecord>(ctx, KIND.internetGateway);
    if (others.some((o) => o.VpcId === vpc.VpcId)) throw new AwsError('Resource.AlreadyAssociated', `network ${vpc.VpcId} already has an internet gateway attached`);
    await ctx.tx.update<InternetGatewayRecord>(ctx.caller.account, KIND.internetGateway, g.InternetGatewayId, { ...g, VpcId: vpc.VpcId });
    ctx.recordResource('AWS::EC2::InternetGateway', arn);
  },

  async DetachInternetGateway(input: DetachInternetGatewayCommandInput, ctx: ServiceContext): Promise<void> {
    const arn = ec2Arn(ctx, 'internet-gateway', input.InternetGatewayId!);
    await dryRun(ctx, input, 'ec2:DetachInternetGateway', arn);
    await ctx.authorize('ec2:DetachInternetGateway', arn);
    const g = await getInternetGateway(ctx, input.InternetGatewayId!);
    if (g.VpcId !== input.VpcId) throw new AwsError('Gateway.NotAttached', `resource ${g.InternetGatewayId} is not attached to network ${input.VpcId ?? ''}`);
    const { VpcId: _detached, ...rest } = g;
    await ctx.tx.update<InternetGatewayRecord>(ctx.caller.account, KIND.internetGateway, g.InternetGatewayId, rest);
    ctx.recordResource('AWS::EC2::InternetGateway', arn);
  },

  async DeleteInternetGateway(input: DeleteInternetGatewayCommandInput, ctx: ServiceContext): Promise<void> {
    const arn = ec2Arn(ctx, 'internet-gateway', input.InternetGatewayId!);
    await dryRun(ctx, input, 'ec2:DeleteInternetGateway', arn);
    await ctx.authorize('ec2:DeleteInternetGateway', arn);
    const g = await getInternetGateway(ctx, input.InternetGatewayId!);
    if (g.VpcId) throw new AwsError('DependencyViolation', `The internetGateway '${g.InternetGatewayId}' has dependencies and cannot be deleted.`);
    await ctx.tx.delete(ctx.caller.account, KIND.internetGateway, g.InternetGatewayId);
    ctx.recordResource('AWS::EC2::InternetGateway', arn);
  },

  async DescribeInternetGateways(input: DescribeInternetGatewaysCommandInput, ctx: ServiceContext): Promise<Out<DescribeInternetGatewaysCommandOutput>> {
    await dryRun(ctx, input, 'ec2:DescribeInternetGateways', '*');
    await ctx.authorize('ec2:DescribeInternetGateways', '*');
    let gateways = await inRegion<InternetGatewayRecord>(ctx, KIND.internetGateway);
    for (const id of input.InternetGatewayIds ?? []) {
      if (!gateways.some((g) => g.InternetGatewayId === id)) throw new AwsError('InvalidInternetGatewayID.NotFound', `The internetGateway ID '${id}' does not exist`);
    }
    if (input.InternetGatewayIds?.length) gateways = gateways.filter((g) => input.InternetGatewayIds!.includes(g.InternetGatewayId));
    const keep = filterPredicate<InternetGatewayRecord>(input.Filters, {
      'internet-gateway-id': (g) => [g.InternetGatewayId],
      'attachment.vpc-id': (g) => [g.VpcId],
      'attachment.state': (g) => (g.VpcId ? ['available'] : []),
      'owner-id': () => [ctx.caller.account],
    });
    const page = pageOf(gateways.filter(keep), input);
    return { InternetGateways: page.items.map((g) => gatewayOutput(g, ctx.caller.account)), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },
};
