/**
 * The endpoint's route table: where client traffic goes, through which associated subnet
 * (or `local`, between clients). Associating a subnet adds its automatic route to the VPC
 * CIDR, which DeleteClientVpnRoute cannot remove and a manual duplicate collides with
 * (InvalidClientVpnDuplicateRoute: the most common real-world failure).
 */
import type {
  ClientVpnRoute,
  CreateClientVpnRouteCommandInput,
  CreateClientVpnRouteCommandOutput,
  DeleteClientVpnRouteCommandInput,
  DeleteClientVpnRouteCommandOutput,
  DescribeClientVpnRoutesCommandInput,
  DescribeClientVpnRoutesCommandOutput,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../models/errors.js';
import { contains, dryRun, ec2Arn, filterPredicate, invalidParameterValue, pageOf, parseCidr, type Tag } from '../common.js';
import type { Handler, ServiceContext } from '../../types.js';
import { idempotent } from './idempotency.js';
import { assertCanChange, associationState, endpointArn, getEndpoint, routeState, saveEndpoint, type EndpointRecord, type RouteRecord } from './records.js';

type Out<T> = Omit<T, '$metadata'>;

/** Quota: routes per target network association (AWS Client VPN quotas, default). */
export const ROUTES_PER_ASSOCIATION = 100;

function routeOutput(e: EndpointRecord, r: RouteRecord, now: Date): ClientVpnRoute {
  return {
    ClientVpnEndpointId: e.ClientVpnEndpointId,
    DestinationCidr: r.DestinationCidr,
    TargetSubnet: r.TargetSubnet,
    // `Nat` for subnet routes, automatic or manual; `local` for client-to-client (a choice).
    Type: r.TargetSubnet === 'local' ? 'local' : 'Nat',
    Origin: r.Origin,
    Status: { Code: routeState(r, now) as 'active' },
    ...(r.Description ? { Description: r.Description } : {}),
  };
}

const live = (e: EndpointRecord, now: Date): RouteRecord[] => e.Routes.filter((r) => routeState(r, now) !== 'gone');

export const routeHandlers: Record<string, Handler> = {
  async CreateClientVpnRoute(input: CreateClientVpnRouteCommandInput, ctx: ServiceContext): Promise<Out<CreateClientVpnRouteCommandOutput>> {
    const arn = endpointArn(ctx, input.ClientVpnEndpointId!);
    await dryRun(ctx, input, 'ec2:CreateClientVpnRoute', arn);
    await ctx.authorize('ec2:CreateClientVpnRoute', arn);
    const target = input.TargetVpcSubnetId;
    if (!target) throw new AwsError('MissingParameter', 'The request must contain the parameter TargetVpcSubnetId');
    if (target !== 'local') await ctx.authorize('ec2:CreateClientVpnRoute', ec2Arn(ctx, 'subnet', target));
    const destination = input.DestinationCidrBlock!;
    const cidr = parseCidr(destination);
    if (!cidr) throw invalidParameterValue(`Invalid value '${destination}' for parameter DestinationCidrBlock. The value must be a valid IPv4 CIDR block.`);
    return idempotent(ctx, 'CreateClientVpnRoute', input, async () => {
      const e = await getEndpoint(ctx, input.ClientVpnEndpointId!);
      assertCanChange(e, ctx.now);
      const associations = e.Associations.filter((a) => associationState(a, ctx.now) === 'associated' || associationState(a, ctx.now) === 'associating');
      if (associations.length === 0) throw new AwsError('InvalidClientVpnActiveAssociationNotFound', `Endpoint ${e.ClientVpnEndpointId} has no active target network association.`);
      if (target !== 'local' && !associations.some((a) => a.SubnetId === target)) {
        throw new AwsError('InvalidClientVpnActiveAssociationNotFound', `Subnet ${target} is not associated with endpoint ${e.ClientVpnEndpointId}.`);
      }
      // Only the client-to-client route may point into the client CIDR (clientvpn.md §3.1;
      // the code is a choice). Broader routes (0.0.0.0/0, an on-premises /8) may cover it.
      const client = parseCidr(e.ClientCidrBlock)!;
      if (target === 'local' ? destination !== e.ClientCidrBlock : contains(client, cidr)) {
        throw invalidParameterValue(target === 'local' ? `A local route must have the client CIDR ${e.ClientCidrBlock} as its destination.` : `Route ${destination} overlaps the client CIDR ${e.ClientCidrBlock}.`);
      }
      const routes = live(e, ctx.now);
      if (routes.some((r) => r.DestinationCidr === destination && r.TargetSubnet === target && r.Phase === 'creating')) {
        throw new AwsError('InvalidClientVpnDuplicateRoute', 'Route already exists');
      }
      if (routes.filter((r) => r.TargetSubnet === target && r.Phase === 'creating').length >= ROUTES_PER_ASSOCIATION) {
        throw new AwsError('ClientVpnRouteLimitExceeded', `You have reached the maximum number of routes (${ROUTES_PER_ASSOCIATION}) for this target network association.`);
      }
      const route: RouteRecord = { DestinationCidr: destination, TargetSubnet: target, Origin: 'add-route', ...(input.Description ? { Description: input.Description } : {}), Phase: 'creating', Since: ctx.now.toISOString() };
      await saveEndpoint(ctx, { ...e, Routes: [...routes, route] });
      return { Status: { Code: 'creating' } };
    });
  },

  async DeleteClientVpnRoute(input: DeleteClientVpnRouteCommandInput, ctx: ServiceContext): Promise<Out<DeleteClientVpnRouteCommandOutput>> {
    const arn = endpointArn(ctx, input.ClientVpnEndpointId!);
    await dryRun(ctx, input, 'ec2:DeleteClientVpnRoute', arn);
    await ctx.authorize('ec2:DeleteClientVpnRoute', arn);
    const e = await getEndpoint(ctx, input.ClientVpnEndpointId!);
    assertCanChange(e, ctx.now);
    const matches = e.Routes.filter((r) => r.DestinationCidr === input.DestinationCidrBlock && r.Phase === 'creating' && (input.TargetVpcSubnetId === undefined || r.TargetSubnet === input.TargetVpcSubnetId));
    const manual = matches.filter((r) => r.Origin === 'add-route');
    if (manual.length === 0) {
      if (matches.length > 0) throw invalidParameterValue(`Route ${input.DestinationCidrBlock ?? ''} was added by a target network association and cannot be deleted; disassociate the subnet instead.`);
      throw new AwsError('InvalidClientVpnRouteNotFound', `Route ${input.DestinationCidrBlock ?? ''} does not exist`);
    }
    if (manual.length > 1) throw new AwsError('MissingParameter', 'The request must contain the parameter TargetVpcSubnetId');
    const since = ctx.now.toISOString();
    await saveEndpoint(ctx, { ...e, Routes: e.Routes.map((r) => (r === manual[0] ? { ...r, Phase: 'deleting' as const, Since: since } : r)) });
    return { Status: { Code: 'deleting' } };
  },

  async DescribeClientVpnRoutes(input: DescribeClientVpnRoutesCommandInput, ctx: ServiceContext): Promise<Out<DescribeClientVpnRoutesCommandOutput>> {
    const arn = endpointArn(ctx, input.ClientVpnEndpointId!);
    await dryRun(ctx, input, 'ec2:DescribeClientVpnRoutes', arn);
    await ctx.authorize('ec2:DescribeClientVpnRoutes', arn);
    const e = await getEndpoint(ctx, input.ClientVpnEndpointId!, { allowDeleting: true });
    const keep = filterPredicate<RouteRecord & { Tags: readonly Tag[] }>(input.Filters, {
      'destination-cidr': (r) => [r.DestinationCidr],
      'origin': (r) => [r.Origin],
      'target-subnet': (r) => [r.TargetSubnet],
    });
    const page = pageOf(live(e, ctx.now).map((r) => ({ ...r, Tags: [] as Tag[] })).filter(keep), input);
    return { Routes: page.items.map((r) => routeOutput(e, r, ctx.now)), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },
};
