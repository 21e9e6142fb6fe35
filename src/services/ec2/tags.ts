/**
 * CreateTags, DeleteTags and DescribeTags over every taggable EC2 resource Gatehouse keeps,
 * found by the prefix of its id; and DescribeAvailabilityZones.
 */
import type {
  CreateTagsCommandInput,
  DeleteTagsCommandInput,
  DescribeAvailabilityZonesCommandInput,
  DescribeAvailabilityZonesCommandOutput,
  DescribeTagsCommandInput,
  DescribeTagsCommandOutput,
  TagDescription,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../models/errors.js';
import { KIND, dryRun, ec2Arn, filterPredicate, invalidParameterValue, pageOf, zoneId, zonesOf, type Tag } from './common.js';
import { ensureDefaultVpc } from './records.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

/** Taggable resources: id prefix → store kind, ARN resource type, DescribeTags resource type. */
export const TAGGABLE: Readonly<Record<string, { readonly kind: string; readonly arnType: string; readonly resourceType: string }>> = {
  vpc: { kind: KIND.vpc, arnType: 'vpc', resourceType: 'vpc' },
  subnet: { kind: KIND.subnet, arnType: 'subnet', resourceType: 'subnet' },
  sg: { kind: KIND.securityGroup, arnType: 'security-group', resourceType: 'security-group' },
  rtb: { kind: KIND.routeTable, arnType: 'route-table', resourceType: 'route-table' },
  igw: { kind: KIND.internetGateway, arnType: 'internet-gateway', resourceType: 'internet-gateway' },
  eni: { kind: KIND.networkInterface, arnType: 'network-interface', resourceType: 'network-interface' },
  'cvpn-endpoint': { kind: 'ec2:client-vpn-endpoint', arnType: 'client-vpn-endpoint', resourceType: 'client-vpn-endpoint' },
  pcx: { kind: 'ec2:vpc-peering', arnType: 'vpc-peering-connection', resourceType: 'vpc-peering-connection' },
  i: { kind: 'ec2:instance', arnType: 'instance', resourceType: 'instance' },
  vgw: { kind: 'ec2:vpn-gateway', arnType: 'vpn-gateway', resourceType: 'vpn-gateway' },
  acl: { kind: KIND.networkAcl, arnType: 'network-acl', resourceType: 'network-acl' },
  nat: { kind: KIND.natGateway, arnType: 'natgateway', resourceType: 'natgateway' },
  eipalloc: { kind: KIND.address, arnType: 'elastic-ip', resourceType: 'elastic-ip' },
};

/** AWS's limit: 50 user tags per resource. */
const TAGS_PER_RESOURCE = 50;

function taggable(id: string): (typeof TAGGABLE)[string] {
  const prefix = id.slice(0, id.lastIndexOf('-'));
  const t = TAGGABLE[prefix];
  if (!t) throw new AwsError('InvalidID', `The ID '${id}' is not valid`);
  return t;
}

interface Tagged {
  readonly Region: string;
  readonly Tags: readonly Tag[];
}

async function resolve(ctx: ServiceContext, id: string): Promise<{ record: Tagged; kind: string; arn: string; resourceType: string }> {
  const t = taggable(id);
  await ensureDefaultVpc(ctx);
  const record = await ctx.tx.get<Tagged>(ctx.caller.account, t.kind, id);
  if (!record || record.Region !== ctx.region) throw new AwsError(`Invalid${t.arnType === 'client-vpn-endpoint' ? 'ClientVpnEndpointId' : t.arnType.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('') + 'ID'}.NotFound`, `The ID '${id}' does not exist`);
  return { record, kind: t.kind, arn: ec2Arn(ctx, t.arnType, id), resourceType: t.resourceType };
}

function checkKey(key: string): void {
  if (key.length === 0 || key.length > 128) throw invalidParameterValue('Tag keys must be between 1 and 128 characters');
  if (key.toLowerCase().startsWith('aws:')) throw invalidParameterValue('Tag keys starting with \'aws:\' are reserved for internal use');
}

export const tagHandlers: Record<string, Handler> = {
  async CreateTags(input: CreateTagsCommandInput, ctx: ServiceContext): Promise<void> {
    const tags = (input.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
    const context: Record<string, string | string[]> = { 'aws:TagKeys': tags.map((t) => t.Key) };
    for (const t of tags) context[`aws:RequestTag/${t.Key}`] = t.Value;
    for (const t of tags) {
      checkKey(t.Key);
      if (t.Value.length > 256) throw invalidParameterValue('Tag values must be at most 256 characters');
    }
    for (const id of input.Resources ?? []) {
      const r = await resolve(ctx, id);
      await dryRun(ctx, input, 'ec2:CreateTags', r.arn, context);
      await ctx.authorize('ec2:CreateTags', r.arn, { context });
      const merged = [...r.record.Tags.filter((x) => !tags.some((t) => t.Key === x.Key)), ...tags];
      if (merged.length > TAGS_PER_RESOURCE) throw new AwsError('TagLimitExceeded', `The maximum number of Tags for a resource has been reached.`);
      await ctx.tx.update(ctx.caller.account, r.kind, id, { ...r.record, Tags: merged });
      ctx.recordResource(r.resourceType, r.arn);
    }
  },

  async DeleteTags(input: DeleteTagsCommandInput, ctx: ServiceContext): Promise<void> {
    const named = input.Tags ?? [];
    const context: Record<string, string | string[]> = { 'aws:TagKeys': named.map((t) => t.Key ?? '') };
    for (const id of input.Resources ?? []) {
      const r = await resolve(ctx, id);
      await dryRun(ctx, input, 'ec2:DeleteTags', r.arn, context);
      await ctx.authorize('ec2:DeleteTags', r.arn, { context });
      // No Tags: all of them; a tag with a value: only when the value matches; without: any value.
      const keep = r.record.Tags.filter((x) => named.length > 0 && !named.some((t) => t.Key === x.Key && (t.Value === undefined || t.Value === x.Value)));
      await ctx.tx.update(ctx.caller.account, r.kind, id, { ...r.record, Tags: keep });
      ctx.recordResource(r.resourceType, r.arn);
    }
  },

  async DescribeTags(input: DescribeTagsCommandInput, ctx: ServiceContext): Promise<Out<DescribeTagsCommandOutput>> {
    await dryRun(ctx, input, 'ec2:DescribeTags', '*');
    await ctx.authorize('ec2:DescribeTags', '*');
    await ensureDefaultVpc(ctx);
    const all: (TagDescription & { Tags: readonly Tag[] })[] = [];
    for (const [prefix, t] of Object.entries(TAGGABLE)) {
      const idField = { vpc: 'VpcId', subnet: 'SubnetId', sg: 'GroupId', rtb: 'RouteTableId', igw: 'InternetGatewayId', eni: 'NetworkInterfaceId', 'cvpn-endpoint': 'ClientVpnEndpointId', pcx: 'VpcPeeringConnectionId', i: 'InstanceId', vgw: 'VpnGatewayId', acl: 'NetworkAclId', nat: 'NatGatewayId', eipalloc: 'AllocationId' }[prefix]!;
      for (const r of await ctx.tx.list<Tagged & Record<string, unknown>>(ctx.caller.account, t.kind)) {
        if (r.Region !== ctx.region) continue;
        for (const tag of r.Tags) all.push({ ResourceId: String(r[idField]), ResourceType: t.resourceType as TagDescription['ResourceType'], Key: tag.Key, Value: tag.Value, Tags: [] });
      }
    }
    const keep = filterPredicate<TagDescription & { Tags: readonly Tag[] }>(input.Filters, {
      'resource-id': (d) => [d.ResourceId],
      'resource-type': (d) => [d.ResourceType],
      'key': (d) => [d.Key],
      'value': (d) => [d.Value],
    });
    const page = pageOf(all.filter(keep), input);
    return { Tags: page.items.map(({ Tags: _none, ...d }) => d), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },

  async DescribeAvailabilityZones(input: DescribeAvailabilityZonesCommandInput, ctx: ServiceContext): Promise<Out<DescribeAvailabilityZonesCommandOutput>> {
    await dryRun(ctx, input, 'ec2:DescribeAvailabilityZones', '*');
    await ctx.authorize('ec2:DescribeAvailabilityZones', '*');
    let zones = zonesOf(ctx.region).map((z) => ({
      ZoneName: z,
      ZoneId: zoneId(z),
      State: 'available' as const,
      RegionName: ctx.region,
      OptInStatus: 'opt-in-not-required' as const,
      GroupName: ctx.region,
      NetworkBorderGroup: ctx.region,
      ZoneType: 'availability-zone',
      Messages: [],
      Tags: [] as Tag[],
    }));
    for (const name of input.ZoneNames ?? []) if (!zones.some((z) => z.ZoneName === name)) throw invalidParameterValue(`The zone '${name}' does not exist.`);
    if (input.ZoneNames?.length) zones = zones.filter((z) => input.ZoneNames!.includes(z.ZoneName));
    if (input.ZoneIds?.length) zones = zones.filter((z) => input.ZoneIds!.includes(z.ZoneId));
    const keep = filterPredicate<(typeof zones)[number]>(input.Filters, {
      'zone-name': (z) => [z.ZoneName],
      'zone-id': (z) => [z.ZoneId],
      'state': (z) => [z.State],
      'region-name': (z) => [z.RegionName],
      'zone-type': (z) => [z.ZoneType],
    });
    return { AvailabilityZones: zones.filter(keep).map(({ Tags: _none, ...z }) => z) };
  },
};
