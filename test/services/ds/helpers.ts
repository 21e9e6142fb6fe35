/**
 * Shared pieces of the Directory Service tests: a VPC with subnets in two zones (through
 * the EC2 SDK), a Managed Microsoft AD waited to Active, Directory Service Data called
 * through boto3 (no JavaScript client for ds-data is installed) with many calls per Python
 * run, and a stand-in for Client VPN that authorizes its endpoints on a directory as
 * AWSServiceRoleForClientVPN, as Client VPN does.
 */
import assert from 'node:assert/strict';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateMicrosoftADCommand, DescribeDirectoriesCommand, DirectoryServiceClient, EnableDirectoryDataAccessCommand } from '@aws-sdk/client-directory-service';
import { boto3, clientConfig, ROOT, type Keys } from '../../helpers/server.js';
import { asClientVpn, ensureServiceLinkedRoles } from '../../../src/services/ec2/client-vpn/service-steps.js';
import type { ServiceContext, ServiceDefinition } from '../../../src/services/types.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Network {
  readonly vpcId: string;
  readonly cidr: string;
  /** Two subnets in different zones (a, b). */
  readonly subnets: readonly [string, string];
  /** Another subnet in zone a. */
  readonly sameZone: string;
  /** A subnet of another VPC. */
  readonly otherVpcSubnet: string;
}

let next = 10;

/** A fresh VPC (10.N.0.0/16) with its subnets. */
export async function network(endpoint: string, keys: Keys = ROOT): Promise<Network> {
  const ec2 = new EC2Client(clientConfig(endpoint, keys));
  const n = next++;
  const cidr = `10.${n}.0.0/16`;
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
  const subnet = async (vpc: string, block: string, zone: string): Promise<string> =>
    (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: block, AvailabilityZone: zone }))).Subnet!.SubnetId!;
  const a = await subnet(vpcId, `10.${n}.1.0/24`, 'us-east-1a');
  const b = await subnet(vpcId, `10.${n}.2.0/24`, 'us-east-1b');
  const sameZone = await subnet(vpcId, `10.${n}.3.0/24`, 'us-east-1a');
  const other = (await ec2.send(new CreateVpcCommand({ CidrBlock: `172.${n}.0.0/16` }))).Vpc!.VpcId!;
  const otherVpcSubnet = await subnet(other, `172.${n}.1.0/24`, 'us-east-1c');
  return { vpcId, cidr, subnets: [a, b], sameZone, otherVpcSubnet };
}

export async function waitForStage(ds: DirectoryServiceClient, id: string, stage: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const d = (await ds.send(new DescribeDirectoriesCommand({ DirectoryIds: [id] }))).DirectoryDescriptions![0]!;
    if (d.Stage === stage) return;
    await sleep(25);
  }
  assert.fail(`directory ${id} did not reach ${stage}`);
}

/** A Managed Microsoft AD, Active, with Directory Service Data enabled (when `data`). */
export async function microsoftAd(endpoint: string, net: Network, name = 'corp.example.com', data = true): Promise<string> {
  const ds = new DirectoryServiceClient(clientConfig(endpoint));
  const id = (await ds.send(new CreateMicrosoftADCommand({ Name: name, Password: 'Str0ng-Passw0rd', Edition: 'Standard', VpcSettings: { VpcId: net.vpcId, SubnetIds: [...net.subnets] } }))).DirectoryId!;
  await waitForStage(ds, id, 'Active');
  if (data) await ds.send(new EnableDirectoryDataAccessCommand({ DirectoryId: id }));
  return id;
}

/**
 * Run Python with boto3's `ds-data` client as `dd` (and `ds`), and `call(fn, **kw)` that
 * returns the response without its metadata, or the error as {error, message, reason,
 * status}. The script sets `out`, printed as JSON.
 */
export async function dsData<T = Record<string, unknown>>(endpoint: string, script: string, keys: Keys = ROOT): Promise<T> {
  const prelude = [
    'from botocore.exceptions import ClientError',
    "dd = client('ds-data'); ds = client('ds')",
    'def call(fn, **kw):',
    '    try:',
    '        r = fn(**kw); r.pop("ResponseMetadata", None); return r',
    '    except ClientError as e:',
    "        return {'error': e.response['Error']['Code'], 'message': e.response['Error']['Message'], 'reason': e.response.get('Reason'), 'status': e.response['ResponseMetadata']['HTTPStatusCode']}",
    'out = None',
  ].join('\n');
  const stdout = await boto3(endpoint, `${prelude}\n${script}\nprint(json.dumps(out, default=str))`, keys);
  return JSON.parse(stdout) as T;
}

export interface ApiError {
  readonly error: string;
  readonly message: string;
  readonly reason?: string | null;
  readonly status: number;
}

/**
 * A stand-in for Client VPN's endpoint calls, signed as `cvpn-standin` (so the real EC2
 * keeps its own signing name): CreateClientVpnEndpoint with Active Directory
 * authentication creates the service-linked roles on the caller's behalf and authorizes
 * the endpoint on the directory as AWSServiceRoleForClientVPN; DeleteClientVpnEndpoint
 * unauthorizes it. What Client VPN itself will do once it uses Directory Service.
 */
export function clientVpnStandIn(): ServiceDefinition {
  const directories = new Map<string, string>();
  let n = 0;
  return {
    model: 'ec2',
    signingNames: ['cvpn-standin'],
    eventSource: 'ec2.amazonaws.com',
    handlers: {
      async CreateClientVpnEndpoint(input: { AuthenticationOptions?: { ActiveDirectory?: { DirectoryId?: string } }[] }, ctx: ServiceContext) {
        await ctx.authorize('ec2:CreateClientVpnEndpoint', `arn:aws:ec2:${ctx.region}:${ctx.caller.account}:client-vpn-endpoint/*`);
        const directoryId = input.AuthenticationOptions?.[0]?.ActiveDirectory?.DirectoryId ?? '';
        const id = `cvpn-endpoint-${String(n++).padStart(17, '0')}`;
        await ensureServiceLinkedRoles(ctx);
        await (await asClientVpn(ctx)).call('ds', 'AuthorizeApplication', { DirectoryId: directoryId, ApplicationType: 'ClientVPN', ResourceArn: `arn:aws:ec2:${ctx.region}:${ctx.caller.account}:client-vpn-endpoint/${id}` });
        directories.set(id, directoryId);
        return { ClientVpnEndpointId: id, Status: { Code: 'pending-associate' }, DnsName: `*.${id}.prod.clientvpn.us-east-1.amazonaws.com` };
      },
      async DeleteClientVpnEndpoint(input: { ClientVpnEndpointId: string }, ctx: ServiceContext) {
        const id = input.ClientVpnEndpointId;
        await ctx.authorize('ec2:DeleteClientVpnEndpoint', `arn:aws:ec2:${ctx.region}:${ctx.caller.account}:client-vpn-endpoint/${id}`);
        await (await asClientVpn(ctx)).call('ds', 'UnauthorizeApplication', { DirectoryId: directories.get(id) ?? '', ApplicationType: 'ClientVPN', ResourceArn: `arn:aws:ec2:${ctx.region}:${ctx.caller.account}:client-vpn-endpoint/${id}` });
        return { Status: { Code: 'deleting' } };
      },
    },
  };
}

/** A Client VPN call to the stand-in (ec2 query protocol, signed as `cvpn-standin`). */
export function standInParams(action: string, params: Record<string, string>): string {
  return new URLSearchParams({ Action: action, Version: '2016-11-15', ...params }).toString();
}
