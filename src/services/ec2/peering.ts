/**
 * VPC peering connections, within an account or across accounts (and Regions). The
 * requester creates the connection; it waits in `pending-acceptance` until the accepter
 * account accepts (`active`) or rejects it, or it expires after 7 days. Either side may
 * delete it. VPCs whose CIDRs overlap cannot peer: the connection goes to `failed`.
 *
 * Storage: the connection lives in the requester's account; the accepter's account holds a
 * reference to it, so each side finds it with its own requests.
 */
import type {
  AcceptVpcPeeringConnectionCommandInput,
  AcceptVpcPeeringConnectionCommandOutput,
  CreateVpcPeeringConnectionCommandInput,
  CreateVpcPeeringConnectionCommandOutput,
  DeleteVpcPeeringConnectionCommandInput,
  DeleteVpcPeeringConnectionCommandOutput,
  DescribeVpcPeeringConnectionsCommandInput,
  DescribeVpcPeeringConnectionsCommandOutput,
  RejectVpcPeeringConnectionCommandInput,
  RejectVpcPeeringConnectionCommandOutput,
  VpcPeeringConnection,
  VpcPeeringConnectionStateReasonCode,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../models/errors.js';
import { KIND, dryRun, ec2Id, filterPredicate, overlaps, pageOf, parseCidr, requestTagContext, tagsFrom, type Tag } from './common.js';
import { ensureDefaultVpc, getVpc, type VpcRecord } from './records.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

export const PEERING_KIND = { connection: 'ec2:vpc-peering', reference: 'ec2:vpc-peering-ref' } as const;

/** A pending request expires after a week (Amazon VPC Peering guide, "VPC peering connection lifecycle"). */
const EXPIRY_MS = 7 * 24 * 3600_000;

interface Side {
  readonly OwnerId: string;
  readonly VpcId: string;
  readonly Region: string;
  readonly CidrBlock: string;
}

export interface PeeringRecord {
  readonly VpcPeeringConnectionId: string;
  /** The requester's Region (where the record lives). */
  readonly Region: string;
  readonly Requester: Side;
  readonly Accepter: Side;
  readonly Status: 'pending-acceptance' | 'active' | 'rejected' | 'deleted' | 'failed';
  readonly Message: string;
  readonly CreatedAt: string;
  readonly Tags: readonly Tag[];
}

/** `expired` is derived: a request nobody answered within the week. */
function statusOf(p: PeeringRecord, now: Date): VpcPeeringConnectionStateReasonCode {
  if (p.Status === 'pending-acceptance' && now.getTime() - Date.parse(p.CreatedAt) > EXPIRY_MS) return 'expired';
  return p.Status;
}

const MESSAGES: Readonly<Record<string, string>> = {
  'pending-acceptance': 'Pending Acceptance by ',
  active: 'Active',
  rejected: 'Rejected by ',
  deleted: 'Deleted by ',
  expired: 'Expired',
};

function output(p: PeeringRecord, now: Date): VpcPeeringConnection {
  const side = (s: Side) => ({ CidrBlock: s.CidrBlock, CidrBlockSet: [{ CidrBlock: s.CidrBlock }], OwnerId: s.OwnerId, VpcId: s.VpcId, Region: s.Region });
  const status = statusOf(p, now);
  return {
    VpcPeeringConnectionId: p.VpcPeeringConnectionId,
    RequesterVpcInfo: side(p.Requester),
    AccepterVpcInfo: side(p.Accepter),
    Status: { Code: status, Message: status === p.Status ? p.Message : (MESSAGES[status] ?? status) },
    ...(status === 'pending-acceptance' ? { ExpirationTime: new Date(Date.parse(p.CreatedAt) + EXPIRY_MS) } : {}),
    Tags: [...p.Tags],
  };
}

/** The connection if the caller's account is one of its sides. */
export async function findPeering(ctx: ServiceContext, id: string): Promise<PeeringRecord | undefined> {
  const own = await ctx.tx.get<PeeringRecord>(ctx.caller.account, PEERING_KIND.connection, id);
  if (own) return own;
  const ref = await ctx.tx.get<{ Owner: string }>(ctx.caller.account, PEERING_KIND.reference, id);
  return ref ? ctx.tx.get<PeeringRecord>(ref.Owner, PEERING_KIND.connection, id) : undefined;
}

async function getPeering(ctx: ServiceContext, id: string): Promise<PeeringRecord> {
  const p = await findPeering(ctx, id);
  if (!p) throw new AwsError('InvalidVpcPeeringConnectionID.NotFound', `The vpcPeeringConnection ID '${id}' does not exist`);
  return p;
}

async function save(ctx: ServiceContext, p: PeeringRecord): Promise<void> {
  await ctx.tx.update(p.Requester.OwnerId, PEERING_KIND.connection, p.VpcPeeringConnectionId, p);
  ctx.recordResource('AWS::EC2::VPCPeeringConnection', `arn:aws:ec2:${p.Requester.Region}:${p.Requester.OwnerId}:vpc-peering-connection/${p.VpcPeeringConnectionId}`);
}

const arnOf = (ctx: ServiceContext, id: string): string => `arn:aws:ec2:${ctx.region}:${ctx.caller.account}:vpc-peering-connection/${id}`;

function transition(p: PeeringRecord, now: Date, allowed: readonly string[], verb: string): void {
  const status = statusOf(p, now);
  if (!allowed.includes(status)) throw new AwsError('InvalidStateTransition', `Invalid state transition for pcx ${p.VpcPeeringConnectionId}, attempted to transition from ${status} to ${verb}`);
}

export const peeringHandlers: Record<string, Handler> = {
  async CreateVpcPeeringConnection(input: CreateVpcPeeringConnectionCommandInput, ctx: ServiceContext): Promise<Out<CreateVpcPeeringConnectionCommandOutput>> {
    const resource = arnOf(ctx, '*');
    const context = requestTagContext(input.TagSpecifications);
    await dryRun(ctx, input, 'ec2:CreateVpcPeeringConnection', resource, context);
    await ctx.authorize('ec2:CreateVpcPeeringConnection', resource, { context });
    await ctx.authorize('ec2:CreateVpcPeeringConnection', `arn:aws:ec2:${ctx.region}:${ctx.caller.account}:vpc/${input.VpcId ?? ''}`);
    const vpc = await getVpc(ctx, input.VpcId!);
    if (!input.PeerVpcId) throw new AwsError('MissingParameter', 'The request must contain the parameter peerVpcId');
    const peerOwner = input.PeerOwnerId ?? ctx.caller.account;
    const peerRegion = input.PeerRegion ?? ctx.region;
    if (!/^\d{12}$/.test(peerOwner)) throw new AwsError('InvalidParameterValue', `Invalid value '${peerOwner}' for peerOwnerId`);
    // The accepter's VPC, read in its own account (AWS checks it asynchronously: a missing
    // one makes the request fail rather than the call).
    if (peerOwner === ctx.caller.account && peerRegion === ctx.region) await ensureDefaultVpc(ctx);
    const peer = await ctx.tx.get<VpcRecord>(peerOwner, KIND.vpc, input.PeerVpcId);
    const id = ec2Id('pcx');
    const tags = await tagsFrom(ctx, input.TagSpecifications, 'vpc-peering-connection', arnOf(ctx, id), 'CreateVpcPeeringConnection');
    let status: PeeringRecord['Status'] = 'pending-acceptance';
    let message = `Pending Acceptance by ${peerOwner}`;
    if (!peer || peer.Region !== peerRegion) {
      status = 'failed';
      message = `The VPC ${input.PeerVpcId} does not exist in account ${peerOwner} in ${peerRegion}`;
    } else if (peer.VpcId === vpc.VpcId) {
      throw new AwsError('InvalidParameterValue', 'A VPC cannot be peered with itself.');
    } else if (overlaps(parseCidr(vpc.CidrBlock)!, parseCidr(peer.CidrBlock)!)) {
      status = 'failed';
      message = 'Overlapping CIDR range';
    }
    const record: PeeringRecord = {
      VpcPeeringConnectionId: id,
      Region: ctx.region,
      Requester: { OwnerId: ctx.caller.account, VpcId: vpc.VpcId, Region: ctx.region, CidrBlock: vpc.CidrBlock },
      Accepter: { OwnerId: peerOwner, VpcId: input.PeerVpcId, Region: peerRegion, CidrBlock: peer?.CidrBlock ?? '' },
      Status: status,
      Message: message,
      CreatedAt: ctx.now.toISOString(),
      Tags: tags,
    };
    await ctx.tx.insert(ctx.caller.account, PEERING_KIND.connection, id, record);
    if (peerOwner !== ctx.caller.account) await ctx.tx.insert(peerOwner, PEERING_KIND.reference, id, { Owner: ctx.caller.account });
    ctx.recordResource('AWS::EC2::VPCPeeringConnection', arnOf(ctx, id));
    // The response shows the request being initiated; the state settles at once.
    return { VpcPeeringConnection: { ...output(record, ctx.now), Status: { Code: 'initiating-request', Message: `Initiating Request to ${peerOwner}` } } };
  },

  async AcceptVpcPeeringConnection(input: AcceptVpcPeeringConnectionCommandInput, ctx: ServiceContext): Promise<Out<AcceptVpcPeeringConnectionCommandOutput>> {
    const arn = arnOf(ctx, input.VpcPeeringConnectionId!);
    await dryRun(ctx, input, 'ec2:AcceptVpcPeeringConnection', arn);
    await ctx.authorize('ec2:AcceptVpcPeeringConnection', arn);
    const p = await getPeering(ctx, input.VpcPeeringConnectionId!);
    if (p.Accepter.OwnerId !== ctx.caller.account) {
      throw new AwsError('OperationNotPermitted', `User ${ctx.caller.account} cannot accept peering ${p.VpcPeeringConnectionId}`);
    }
    transition(p, ctx.now, ['pending-acceptance'], 'active');
    const next: PeeringRecord = { ...p, Status: 'active', Message: 'Active' };
    await save(ctx, next);
    return { VpcPeeringConnection: { ...output(next, ctx.now), Status: { Code: 'provisioning', Message: 'Provisioning' } } };
  },

  async RejectVpcPeeringConnection(input: RejectVpcPeeringConnectionCommandInput, ctx: ServiceContext): Promise<Out<RejectVpcPeeringConnectionCommandOutput>> {
    const arn = arnOf(ctx, input.VpcPeeringConnectionId!);
    await dryRun(ctx, input, 'ec2:RejectVpcPeeringConnection', arn);
    await ctx.authorize('ec2:RejectVpcPeeringConnection', arn);
    const p = await getPeering(ctx, input.VpcPeeringConnectionId!);
    if (p.Accepter.OwnerId !== ctx.caller.account) throw new AwsError('OperationNotPermitted', `User ${ctx.caller.account} cannot reject peering ${p.VpcPeeringConnectionId}`);
    transition(p, ctx.now, ['pending-acceptance'], 'rejected');
    await save(ctx, { ...p, Status: 'rejected', Message: `Rejected by ${ctx.caller.account}` });
    return { Return: true };
  },

  async DeleteVpcPeeringConnection(input: DeleteVpcPeeringConnectionCommandInput, ctx: ServiceContext): Promise<Out<DeleteVpcPeeringConnectionCommandOutput>> {
    const arn = arnOf(ctx, input.VpcPeeringConnectionId!);
    await dryRun(ctx, input, 'ec2:DeleteVpcPeeringConnection', arn);
    await ctx.authorize('ec2:DeleteVpcPeeringConnection', arn);
    const p = await getPeering(ctx, input.VpcPeeringConnectionId!);
    transition(p, ctx.now, ['pending-acceptance', 'active'], 'deleted');
    await save(ctx, { ...p, Status: 'deleted', Message: `Deleted by ${ctx.caller.account}` });
    return { Return: true };
  },

  async DescribeVpcPeeringConnections(input: DescribeVpcPeeringConnectionsCommandInput, ctx: ServiceContext): Promise<Out<DescribeVpcPeeringConnectionsCommandOutput>> {
    await dryRun(ctx, input, 'ec2:DescribeVpcPeeringConnections', '*');
    await ctx.authorize('ec2:DescribeVpcPeeringConnections', '*');
    const own = await ctx.tx.list<PeeringRecord>(ctx.caller.account, PEERING_KIND.connection);
    const refs = await ctx.tx.list<{ Owner: string }>(ctx.caller.account, PEERING_KIND.reference);
    const theirs: PeeringRecord[] = [];
    for (const ref of refs) {
      const found = (await ctx.tx.list<PeeringRecord>(ref.Owner, PEERING_KIND.connection)).filter((p) => p.Accepter.OwnerId === ctx.caller.account);
      for (const p of found) if (!theirs.some((t) => t.VpcPeeringConnectionId === p.VpcPeeringConnectionId)) theirs.push(p);
    }
    let all = [...own, ...theirs].filter((p) => p.Requester.Region === ctx.region || p.Accepter.Region === ctx.region);
    for (const id of input.VpcPeeringConnectionIds ?? []) {
      if (!all.some((p) => p.VpcPeeringConnectionId === id)) throw new AwsError('InvalidVpcPeeringConnectionID.NotFound', `The vpcPeeringConnection ID '${id}' does not exist`);
    }
    if (input.VpcPeeringConnectionIds?.length) all = all.filter((p) => input.VpcPeeringConnectionIds!.includes(p.VpcPeeringConnectionId));
    const keep = filterPredicate<PeeringRecord>(input.Filters, {
      'vpc-peering-connection-id': (p) => [p.VpcPeeringConnectionId],
      'status-code': (p) => [statusOf(p, ctx.now)],
      'requester-vpc-info.vpc-id': (p) => [p.Requester.VpcId],
      'requester-vpc-info.owner-id': (p) => [p.Requester.OwnerId],
      'requester-vpc-info.cidr-block': (p) => [p.Requester.CidrBlock],
      'accepter-vpc-info.vpc-id': (p) => [p.Accepter.VpcId],
      'accepter-vpc-info.owner-id': (p) => [p.Accepter.OwnerId],
      'accepter-vpc-info.cidr-block': (p) => [p.Accepter.CidrBlock],
    });
    const page = pageOf(all.filter(keep), input);
    return { VpcPeeringConnections: page.items.map((p) => output(p, ctx.now)), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },
};
