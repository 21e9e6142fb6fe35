/**
 * Network ACLs: stateless, numbered allow/deny rules per subnet, evaluated lowest number
 * first. Every VPC has a default ACL allowing everything both ways (rules 100), with the
 * final `*` deny (rule 32767) every ACL ends with; every subnet is associated with exactly
 * one ACL, the VPC's default until replaced.
 */
import type {
  CreateNetworkAclCommandInput,
  CreateNetworkAclCommandOutput,
  CreateNetworkAclEntryCommandInput,
  DeleteNetworkAclCommandInput,
  DeleteNetworkAclEntryCommandInput,
  DescribeNetworkAclsCommandInput,
  DescribeNetworkAclsCommandOutput,
  NetworkAcl,
  ReplaceNetworkAclAssociationCommandInput,
  ReplaceNetworkAclAssociationCommandOutput,
  ReplaceNetworkAclEntryCommandInput,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../models/errors.js';
import { KIND, dryRun, ec2Arn, ec2Id, filterPredicate, invalidParameterValue, pageOf, parseCidr, requestTagContext, tagsFrom, type Tag } from './common.js';
import { getVpc, inRegion, type NetworkAclEntryRecord, type NetworkAclRecord } from './records.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

/** Quota: 20 rules per direction (default, adjustable to 40). */
const ENTRIES_PER_DIRECTION = 20;
const PROTOCOL_NUMBERS: Readonly<Record<string, string>> = { tcp: '6', udp: '17', icmp: '1', icmpv6: '58', all: '-1' };

const aclNotFound = (id: string): AwsError => new AwsError('InvalidNetworkAclID.NotFound', `The networkAcl ID '${id}' does not exist`);

async function getAcl(ctx: ServiceContext, id: string): Promise<NetworkAclRecord> {
  const acl = (await inRegion<NetworkAclRecord>(ctx, KIND.networkAcl)).find((a) => a.NetworkAclId === id);
  if (!acl) throw aclNotFound(id);
  return acl;
}

function aclOutput(a: NetworkAclRecord, account: string): NetworkAcl {
  const implicit = (Egress: boolean) => ({ RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny' as const, Egress, CidrBlock: '0.0.0.0/0' });
  const entries = [...a.Entries].sort((x, y) => Number(x.Egress) - Number(y.Egress) || x.RuleNumber - y.RuleNumber);
  return {
    NetworkAclId: a.NetworkAclId,
    VpcId: a.VpcId,
    OwnerId: account,
    IsDefault: a.IsDefault,
    Associations: a.Associations.map((x) => ({ NetworkAclAssociationId: x.NetworkAclAssociationId, NetworkAclId: a.NetworkAclId, SubnetId: x.SubnetId })),
    Entries: [
      ...entries.map((e) => ({
        RuleNumber: e.RuleNumber,
        Protocol: e.Protocol,
        RuleAction: e.RuleAction,
        Egress: e.Egress,
        CidrBlock: e.CidrBlock,
        ...(e.PortRange ? { PortRange: { From: e.PortRange.From, To: e.PortRange.To } } : {}),
        ...(e.IcmpTypeCode ? { IcmpTypeCode: { Type: e.IcmpTypeCode.Type, Code: e.IcmpTypeCode.Code } } : {}),
      })),
      implicit(false),
      implicit(true),
    ],
    Tags: [...a.Tags],
  };
}

/** An entry from CreateNetworkAclEntry/ReplaceNetworkAclEntry, validated as EC2 does. */
function entryOf(input: CreateNetworkAclEntryCommandInput): NetworkAclEntryRecord {
  const n = input.RuleNumber!;
  if (n < 1 || n > 32766) throw invalidParameterValue(`Invalid value '${n}' for ruleNumber. Valid values: 1-32766`);
  const protocol = PROTOCOL_NUMBERS[(input.Protocol ?? '').toLowerCase()] ?? input.Protocol ?? '';
  if (!/^-1$|^\d{1,3}$/.test(protocol) || Number(protocol) > 255) throw invalidParameterValue(`Invalid value '${input.Protocol ?? ''}' for protocol`);
  if (!input.CidrBlock) throw new AwsError('MissingParameter', 'The request must contain the parameter cidrBlock or ipv6CidrBlock');
  if (!parseCidr(input.CidrBlock)) throw invalidParameterValue(`Value (${input.CidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
  const action = input.RuleAction;
  if (action !== 'allow' && action !== 'deny') throw invalidParameterValue(`Invalid value '${String(action)}' for ruleAction`);
  let PortRange: NetworkAclEntryRecord['PortRange'];
  if (protocol === '6' || protocol === '17') {
    const from = input.PortRange?.From;
    const to = input.PortRange?.To;
    if (from === undefined || to === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter portRange');
    if (from < 0 || to > 65535 || from > to) throw invalidParameterValue(`Invalid port range (${from}, ${to})`);
    PortRange = { From: from, To: to };
  }
  let IcmpTypeCode: NetworkAclEntryRecord['IcmpTypeCode'];
  if (protocol === '1') {
    if (input.IcmpTypeCode?.Type === undefined || input.IcmpTypeCode.Code === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter icmpTypeCode');
    IcmpTypeCode = { Type: input.IcmpTypeCode.Type, Code: input.IcmpTypeCode.Code };
  }
  return { RuleNumber: n, Protocol: protocol, RuleAction: action, Egress: input.Egress ?? false, CidrBlock: input.CidrBlock, ...(PortRange ? { PortRange } : {}), ...(IcmpTypeCode ? { IcmpTypeCode } : {}) };
}

async function save(ctx: ServiceContext, acl: NetworkAclRecord): Promise<void> {
  await ctx.tx.update(ctx.caller.account, KIND.networkAcl, acl.NetworkAclId, acl);
  ctx.recordResource('AWS::EC2::NetworkAcl', ec2Arn(ctx, 'network-acl', acl.NetworkAclId));
}

export const networkAclHandlers: Record<string, Handler> = {
  async CreateNetworkAcl(input: CreateNetworkAclCommandInput, ctx: ServiceContext): Promise<Out<CreateNetworkAclCommandOutput>> {
    const resource = ec2Arn(ctx, 'network-acl', '*');
    const context = requestTagContext(input.TagSpecifications);
    await dryRun(ctx, input, 'ec2:CreateNetworkAcl', resource, context);
    await ctx.authorize('ec2:CreateNetworkAcl', resource, { context });
    await ctx.authorize('ec2:CreateNetworkAcl', ec2Arn(ctx, 'vpc', input.VpcId!));
    const vpc = await getVpc(ctx, input.VpcId!);
    const id = ec2Id('acl');
    const tags = await tagsFrom(ctx, input.TagSpecifications, 'network-acl', ec2Arn(ctx, 'network-acl', id), 'CreateNetworkAcl');
    // A new ACL denies everything until rules are added.
    const acl: NetworkAclRecord = { NetworkAclId: id, VpcId: vpc.VpcId, Region: ctx.region, IsDefault: false, Entries: [], Associations: [], Tags: tags };
    await ctx.tx.insert(ctx.caller.account, KIND.networkAcl, id, acl, { parent: vpc.VpcId });
    ctx.recordResource('AWS::EC2::NetworkAcl', ec2Arn(ctx, 'network-acl', id));
    return { NetworkAcl: aclOutput(acl, ctx.caller.account) };
  },

  async DeleteNetworkAcl(input: DeleteNetworkAclCommandInput, ctx: ServiceContext): Promise<void> {
    const arn = ec2Arn(ctx, 'network-acl', input.NetworkAclId!);
    await dryRun(ctx, input, 'ec2:DeleteNetworkAcl', arn);
    await ctx.authorize('ec2:DeleteNetworkAcl', arn);
    const acl = await getAcl(ctx, input.NetworkAclId!);
    if (acl.IsDefault) throw invalidParameterValue(`cannot delete default network ACL ${acl.NetworkAclId}`);
    if (acl.Associations.length > 0) throw new AwsError('DependencyViolation', `The networkAcl '${acl.NetworkAclId}' has dependencies and cannot be deleted.`);
    await ctx.tx.delete(ctx.caller.account, KIND.networkAcl, acl.NetworkAclId);
    ctx.recordResource('AWS::EC2::NetworkAcl', arn);
  },

  async CreateNetworkAclEntry(input: CreateNetworkAclEntryCommandInput, ctx: ServiceContext): Promise<void> {
    const arn = ec2Arn(ctx, 'network-acl', input.NetworkAclId!);
    await dryRun(ctx, input, 'ec2:CreateNetworkAclEntry', arn);
    await ctx.authorize('ec2:CreateNetworkAclEntry', arn);
    const acl = await getAcl(ctx, input.NetworkAclId!);
    const entry = entryOf(input);
    if (acl.Entries.some((e) => e.Egress === entry.Egress && e.RuleNumber === entry.RuleNumber)) {
      throw new AwsError('NetworkAclEntryAlreadyExists', `The network acl entry identified by ${entry.RuleNumber} already exists.`);
    }
    if (acl.Entries.filter((e) => e.Egress === entry.Egress).length >= ENTRIES_PER_DIRECTION) throw new AwsError('NetworkAclEntryLimitExceeded', 'The maximum number of network ACL entries has been reached.');
    await save(ctx, { ...acl, Entries: [...acl.Entries, entry] });
  },

  async ReplaceNetworkAclEntry(input: ReplaceNetworkAclEntryCommandInput, ctx: ServiceContext): Promise<void> {
    const arn = ec2Arn(ctx, 'network-acl', input.NetworkAclId!);
    await dryRun(ctx, input, 'ec2:ReplaceNetworkAclEntry', arn);
    await ctx.authorize('ec2:ReplaceNetworkAclEntry', arn);
    const acl = await getAcl(ctx, input.NetworkAclId!);
    const entry = entryOf(input);
    const i = acl.Entries.findIndex((e) => e.Egress === entry.Egress && e.RuleNumber === entry.RuleNumber);
    if (i < 0) throw new AwsError('InvalidNetworkAclEntry.NotFound', 'The specified rule does not exist in this network acl.');
    await save(ctx, { ...acl, Entries: acl.Entries.map((e, j) => (j === i ? entry : e)) });
  },

  async DeleteNetworkAclEntry(input: DeleteNetworkAclEntryCommandInput, ctx: ServiceContext): Promise<void> {
    const arn = ec2Arn(ctx, 'network-acl', input.NetworkAclId!);
    await dryRun(ctx, input, 'ec2:DeleteNetworkAclEntry', arn);
    await ctx.authorize('ec2:DeleteNetworkAclEntry', arn);
    const acl = await getAcl(ctx, input.NetworkAclId!);
    const egress = input.Egress ?? false;
    if (!acl.Entries.some((e) => e.Egress === egress && e.RuleNumber === input.RuleNumber)) throw new AwsError('InvalidNetworkAclEntry.NotFound', 'The specified rule does not exist in this network acl.');
    await save(ctx, { ...acl, Entries: acl.Entries.filter((e) => !(e.Egress === egress && e.RuleNumber === input.RuleNumber)) });
  },

  /** Moves a subnet's association to another ACL of the same VPC; the association gets a new id. */
  async ReplaceNetworkAclAssociation(input: ReplaceNetworkAclAssociationCommandInput, ctx: ServiceContext): Promise<Out<ReplaceNetworkAclAssociationCommandOutput>> {
    const arn = ec2Arn(ctx, 'network-acl', input.NetworkAclId!);
    await dryRun(ctx, input, 'ec2:ReplaceNetworkAclAssociation', arn);
    await ctx.authorize('ec2:ReplaceNetworkAclAssociation', arn);
    const target = await getAcl(ctx, input.NetworkAclId!);
    const acls = await inRegion<NetworkAclRecord>(ctx, KIND.networkAcl);
    const current = acls.find((a) => a.Associations.some((x) => x.NetworkAclAssociationId === input.AssociationId));
    if (!current) throw new AwsError('InvalidAssociationID.NotFound', `The association ID '${input.AssociationId ?? ''}' does not exist`);
    if (current.VpcId !== target.VpcId) throw invalidParameterValue(`network ACL ${target.NetworkAclId} and association ${input.AssociationId ?? ''} belong to different networks`);
    const moved = current.Associations.find((x) => x.NetworkAclAssociationId === input.AssociationId)!;
    const NewAssociationId = ec2Id('aclassoc');
    if (current.NetworkAclId === target.NetworkAclId) {
      await save(ctx, { ...current, Associations: current.Associations.map((x) => (x === moved ? { ...x, NetworkAclAssociationId: NewAssociationId } : x)) });
    } else {
      await save(ctx, { ...current, Associations: current.Associations.filter((x) => x !== moved) });
      await save(ctx, { ...target, Associations: [...target.Associations, { NetworkAclAssociationId: NewAssociationId, SubnetId: moved.SubnetId }] });
    }
    return { NewAssociationId };
  },

  async DescribeNetworkAcls(input: DescribeNetworkAclsCommandInput, ctx: ServiceContext): Promise<Out<DescribeNetworkAclsCommandOutput>> {
    await dryRun(ctx, input, 'ec2:DescribeNetworkAcls', '*');
    await ctx.authorize('ec2:DescribeNetworkAcls', '*');
    let acls = await inRegion<NetworkAclRecord>(ctx, KIND.networkAcl);
    for (const id of input.NetworkAclIds ?? []) if (!acls.some((a) => a.NetworkAclId === id)) throw aclNotFound(id);
    if (input.NetworkAclIds?.length) acls = acls.filter((a) => input.NetworkAclIds!.includes(a.NetworkAclId));
    const keep = filterPredicate<NetworkAclRecord & { Tags: readonly Tag[] }>(input.Filters, {
      'network-acl-id': (a) => [a.NetworkAclId],
      'vpc-id': (a) => [a.VpcId],
      'default': (a) => [String(a.IsDefault)],
      'association.subnet-id': (a) => a.Associations.map((x) => x.SubnetId),
      'association.association-id': (a) => a.Associations.map((x) => x.NetworkAclAssociationId),
      'entry.rule-number': (a) => a.Entries.map((e) => String(e.RuleNumber)),
      'entry.rule-action': (a) => a.Entries.map((e) => e.RuleAction),
      'entry.cidr': (a) => a.Entries.map((e) => e.CidrBlock),
      'owner-id': () => [ctx.caller.account],
    });
    const page = pageOf(acls.filter(keep), input);
    return { NetworkAcls: page.items.map((a) => aclOutput(a, ctx.caller.account)), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },
};
