/**
 * Target networks: associating a subnet binds the endpoint to its VPC, creates the
 * service's network interface there (as AWSServiceRoleForClientVPN), adds the automatic
 * route to the VPC CIDR (origin `associate`), applies the VPC's default security group if
 * the endpoint has none, and makes the endpoint `available`. Disassociating undoes it;
 * the last disassociation returns the endpoint to `pending-associate`.
 */
import type {
  ApplySecurityGroupsToClientVpnTargetNetworkCommandInput,
  ApplySecurityGroupsToClientVpnTargetNetworkCommandOutput,
  AssociateClientVpnTargetNetworkCommandInput,
  AssociateClientVpnTargetNetworkCommandOutput,
  DescribeClientVpnTargetNetworksCommandInput,
  DescribeClientVpnTargetNetworksCommandOutput,
  DisassociateClientVpnTargetNetworkCommandInput,
  DisassociateClientVpnTargetNetworkCommandOutput,
  TargetNetwork,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../models/errors.js';
import { cidrSize, dryRun, ec2Arn, ec2Id, filterPredicate, invalidParameterValue, overlaps, pageOf, parseCidr, type Tag } from '../common.js';
import { defaultSecurityGroupOf, getSecurityGroup, getSubnet, getVpc } from '../records.js';
import type { Handler, ServiceContext } from '../../types.js';
import { idempotent } from './idempotency.js';
import { assertCanChange, associationState, endpointArn, getEndpoint, liveAssociations, saveEndpoint, type AssociationRecord, type EndpointRecord } from './records.js';
import { asClientVpn } from './service-steps.js';
import { connectionsOf, endConnections } from './connections.js';

type Out<T> = Omit<T, '$metadata'>;

/** A target subnet must be at least a /27 with 20 free addresses (AWS Client VPN administrator guide, "Limitations"). */
const MIN_SUBNET_PREFIX = 27;
const MIN_FREE_ADDRESSES = 20;

function targetNetworkOutput(e: EndpointRecord, a: AssociationRecord, now: Date): TargetNetwork {
  return {
    AssociationId: a.AssociationId,
    VpcId: a.VpcId,
    TargetNetworkId: a.SubnetId,
    ClientVpnEndpointId: e.ClientVpnEndpointId,
    Status: { Code: associationState(a, now) as 'associated' },
    SecurityGroups: [...e.SecurityGroupIds],
  };
}

export const targetNetworkHandlers: Record<string, Handler> = {
  async AssociateClientVpnTargetNetwork(input: AssociateClientVpnTargetNetworkCommandInput, ctx: ServiceContext): Promise<Out<AssociateClientVpnTargetNetworkCommandOutput>> {
    const arn = endpointArn(ctx, input.ClientVpnEndpointId!);
    await dryRun(ctx, input, 'ec2:AssociateClientVpnTargetNetwork', arn);
    await ctx.authorize('ec2:AssociateClientVpnTargetNetwork', arn);
    if (!input.SubnetId) throw new AwsError('MissingParameter', 'The request must contain the parameter SubnetId');
    await ctx.authorize('ec2:AssociateClientVpnTargetNetwork', ec2Arn(ctx, 'subnet', input.SubnetId));
    return idempotent(ctx, 'AssociateClientVpnTargetNetwork', input, async () => {
      const e = await getEndpoint(ctx, input.ClientVpnEndpointId!);
      assertCanChange(e, ctx.now);
      const subnet = await getSubnet(ctx, input.SubnetId!).catch(() => {
        throw new AwsError('InvalidClientVpnSubnetId.NotFound', `Subnet ${input.SubnetId} does not exist`);
      });
      const live = liveAssociations(e, ctx.now).filter((a) => a.Phase === 'associating');
      if (live.some((a) => a.SubnetId === subnet.SubnetId)) throw new AwsError('InvalidClientVpnDuplicateAssociationException', `Subnet ${subnet.SubnetId} is already associated with endpoint ${e.ClientVpnEndpointId}`);
      const vpcId = e.VpcId ?? subnet.VpcId;
      if (subnet.VpcId !== vpcId || live.some((a) => a.VpcId !== subnet.VpcId)) throw new AwsError('InvalidClientVpnSubnetId.NotFound', `Subnet ${subnet.SubnetId} is not in VPC ${vpcId}, the VPC of endpoint ${e.ClientVpnEndpointId}`);
      if (live.some((a) => a.AvailabilityZone === subnet.AvailabilityZone)) {
        throw new AwsError('InvalidClientVpnSubnetId.DuplicateAz', `Endpoint ${e.ClientVpnEndpointId} already has a subnet associated in ${subnet.AvailabilityZone}`);
      }
      const cidr = parseCidr(subnet.CidrBlock)!;
      if (cidr.prefix > MIN_SUBNET_PREFIX) throw invalidParameterValue(`Subnet ${subnet.SubnetId} must have a CIDR block of at least /${MIN_SUBNET_PREFIX}.`);
      if (cidrSize(cidr) - 5 - subnet.UsedIps < MIN_FREE_ADDRESSES) throw invalidParameterValue(`Subnet ${subnet.SubnetId} must have at least ${MIN_FREE_ADDRESSES} free IP addresses.`);
      const vpc = await getVpc(ctx, vpcId);
      if (overlaps(parseCidr(vpc.CidrBlock)!, parseCidr(e.ClientCidrBlock)!)) {
        throw new AwsError('InvalidClientVpnSubnetId.OverlappingCidr', `The client CIDR ${e.ClientCidrBlock} overlaps the CIDR ${vpc.CidrBlock} of VPC ${vpc.VpcId}`);
      }
      // The VPC's default group applies when the endpoint has none yet.
      const groups = e.SecurityGroupIds.length ? [...e.SecurityGroupIds] : [(await defaultSecurityGroupOf(ctx, vpcId)).GroupId];
      // The service's network interface, created as its own role.
      const eni = await (await asClientVpn(ctx)).call<{ NetworkInterface: { NetworkInterfaceId: string } }>('ec2', 'CreateNetworkInterface', {
        SubnetId: subnet.SubnetId,
        Groups: groups,
        Description: `ClientVPN Endpoint resource ${e.ClientVpnEndpointId}`,
      });
      const association: AssociationRecord = {
        AssociationId: ec2Id('cvpn-assoc'),
        SubnetId: subnet.SubnetId,
        VpcId: vpcId,
        AvailabilityZone: subnet.AvailabilityZone,
        NetworkInterfaceId: eni.NetworkInterface.NetworkInterfaceId,
        Phase: 'associating',
        Since: ctx.now.toISOString(),
      };
      const since = ctx.now.toISOString();
      await saveEndpoint(ctx, {
        ...e,
        VpcId: vpcId,
        SecurityGroupIds: groups,
        Associations: [...e.Associations, association],
        // The automatic route to the VPC CIDR through this subnet.
        Routes: [...e.Routes, { DestinationCidr: vpc.CidrBlock, TargetSubnet: subnet.SubnetId, Origin: 'associate', Description: 'Default Route', Phase: 'creating', Since: since }],
      });
      return { AssociationId: association.AssociationId, Status: { Code: 'associating' } };
    });
  },

  async DisassociateClientVpnTargetNetwork(input: DisassociateClientVpnTargetNetworkCommandInput, ctx: ServiceContext): Promise<Out<DisassociateClientVpnTargetNetworkCommandOutput>> {
    const arn = endpointArn(ctx, input.ClientVpnEndpointId!);
    await dryRun(ctx, input, 'ec2:DisassociateClientVpnTargetNetwork', arn);
    await ctx.authorize('ec2:DisassociateClientVpnTargetNetwork', arn);
    const e = await getEndpoint(ctx, input.ClientVpnEndpointId!);
    assertCanChange(e, ctx.now);
    const a = e.Associations.find((x) => x.AssociationId === input.AssociationId && x.Phase === 'associating');
    if (!a) throw new AwsError('InvalidClientVpnAssociationIdNotFound', `Association ${input.AssociationId ?? ''} does not exist`);
    await (await asClientVpn(ctx)).call('ec2', 'DeleteNetworkInterface', { NetworkInterfaceId: a.NetworkInterfaceId });
    // The last target network going ends every connection (clientvpn.md §4.1).
    if (!e.Associations.some((x) => x !== a && x.Phase === 'associating')) {
      await endConnections(ctx, e, (await connectionsOf(ctx, e.ClientVpnEndpointId)).filter((c) => !c.EndedAt));
    }
    const since = ctx.now.toISOString();
    await saveEndpoint(ctx, {
      ...e,
      Associations: e.Associations.map((x) => (x === a ? { ...x, Phase: 'disassociating' as const, Since: since } : x)),
      // Its automatic route goes, and manual routes through the subnet with it (clientvpn.md §19).
      Routes: e.Routes.map((r) => (r.TargetSubnet === a.SubnetId && r.Phase === 'creating' ? { ...r, Phase: 'deleting' as const, Since: since } : r)),
    });
    return { AssociationId: a.AssociationId, Status: { Code: 'disassociating' } };
  },

  async DescribeClientVpnTargetNetworks(input: DescribeClientVpnTargetNetworksCommandInput, ctx: ServiceContext): Promise<Out<DescribeClientVpnTargetNetworksCommandOutput>> {
    const arn = endpointArn(ctx, input.ClientVpnEndpointId!);
    await dryRun(ctx, input, 'ec2:DescribeClientVpnTargetNetworks', arn);
    await ctx.authorize('ec2:DescribeClientVpnTargetNetworks', '*');
    const e = await getEndpoint(ctx, input.ClientVpnEndpointId!, { allowDeleting: true });
    let list = liveAssociations(e, ctx.now);
    if (input.AssociationIds?.length) list = list.filter((a) => input.AssociationIds!.includes(a.AssociationId));
    const keep = filterPredicate<AssociationRecord & { Tags: readonly Tag[] }>(input.Filters, {
      'association-id': (a) => [a.AssociationId],
      'target-network-id': (a) => [a.SubnetId],
      'vpc-id': (a) => [a.VpcId],
    });
    const page = pageOf(list.map((a) => ({ ...a, Tags: [] as Tag[] })).filter(keep), input);
    return { ClientVpnTargetNetworks: page.items.map((a) => targetNetworkOutput(e, a, ctx.now)), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },

  /** Replaces the endpoint's security groups (all of them) on every association's interface. */
  async ApplySecurityGroupsToClientVpnTargetNetwork(input: ApplySecurityGroupsToClientVpnTargetNetworkCommandInput, ctx: ServiceContext): Promise<Out<ApplySecurityGroupsToClientVpnTargetNetworkCommandOutput>> {
    const arn = endpointArn(ctx, input.ClientVpnEndpointId!);
    const context = { 'ec2:VpcID': input.VpcId ?? '', 'ec2:SecurityGroupID': input.SecurityGroupIds ?? [] };
    await dryRun(ctx, input, 'ec2:ApplySecurityGroupsToClientVpnTargetNetwork', arn, context);
    await ctx.authorize('ec2:ApplySecurityGroupsToClientVpnTargetNetwork', arn, { context });
    const e = await getEndpoint(ctx, input.ClientVpnEndpointId!);
    const vpc = await getVpc(ctx, input.VpcId!);
    const ids = input.SecurityGroupIds ?? [];
    if (ids.length === 0 || ids.length > 5) throw invalidParameterValue('You must specify between 1 and 5 security groups.');
    if (e.VpcId && e.VpcId !== vpc.VpcId) throw invalidParameterValue(`VPC ${vpc.VpcId} is not the VPC of endpoint ${e.ClientVpnEndpointId} (${e.VpcId}).`);
    for (const id of ids) {
      const g = await getSecurityGroup(ctx, id);
      if (g.VpcId !== vpc.VpcId) throw invalidParameterValue(`Security group ${id} does not belong to VPC ${vpc.VpcId}`);
    }
    const service = await asClientVpn(ctx);
    for (const a of e.Associations.filter((x) => x.Phase === 'associating')) {
      await service.call('ec2', 'ModifyNetworkInterfaceAttribute', { NetworkInterfaceId: a.NetworkInterfaceId, Groups: ids });
    }
    await saveEndpoint(ctx, { ...e, VpcId: vpc.VpcId, SecurityGroupIds: [...ids] });
    return { SecurityGroupIds: [...ids] };
  },
};
