/**
 * What a directory puts in the customer's VPC, done through EC2 **on the caller's
 * behalf**: Directory Service has no service-linked role for this, which is why the
 * Service Authorization Reference lists CreateDirectory's and CreateMicrosoftAD's
 * dependent actions (ec2:DescribeSubnets, ec2:DescribeVpcs, ec2:CreateSecurityGroup,
 * ec2:AuthorizeSecurityGroupIngress, ec2:CreateNetworkInterface...) and DeleteDirectory's
 * (ec2:DeleteNetworkInterface, ec2:DeleteSecurityGroup). Each call is authorized against
 * the caller's policies with aws:ViaAWSService true and is its own CloudTrail event,
 * invokedBy ds.amazonaws.com.
 *
 * Per the admin guide's "What gets created": a security group `<directory id>_controllers`
 * opening the Active Directory ports, and a domain controller (one network interface) in
 * each of the two subnets; the controllers' addresses are the directory's DNS servers.
 */
import { AwsError } from '../../models/errors.js';
import type { ServiceCaller, ServiceContext } from '../types.js';
import { dsError, type DirectoryRecord } from './records.js';

export const DS_PRINCIPAL = 'ds.amazonaws.com';

export interface DirectoryNetwork {
  readonly VpcId: string;
  readonly SubnetIds: readonly string[];
  readonly AvailabilityZones: readonly string[];
  readonly SecurityGroupId: string;
  readonly NetworkInterfaceIds: readonly string[];
  readonly DnsIpAddrs: readonly string[];
}

interface Subnet {
  readonly SubnetId: string;
  readonly VpcId: string;
  readonly AvailabilityZone: string;
}

/**
 * The ports a domain controller answers on ("What gets created"): DNS, Kerberos, NTP,
 * RPC, NetBIOS, LDAP, SMB, Kerberos password change, LDAPS, the global catalog, AD web
 * services, RPC's dynamic range, and ICMP. Gatehouse opens them to the VPC's CIDR (AWS's
 * older directories opened them to 0.0.0.0/0; newer ones to the VPC).
 */
const AD_PORTS: readonly (readonly [protocol: string, from: number, to: number])[] = [
  ['tcp', 53, 53], ['udp', 53, 53],
  ['tcp', 88, 88], ['udp', 88, 88],
  ['udp', 123, 123],
  ['tcp', 135, 135],
  ['udp', 138, 138],
  ['tcp', 389, 389], ['udp', 389, 389],
  ['tcp', 445, 445], ['udp', 445, 445],
  ['tcp', 464, 464], ['udp', 464, 464],
  ['tcp', 636, 636],
  ['tcp', 3268, 3269],
  ['tcp', 9389, 9389],
  ['tcp', 49152, 65535], ['udp', 49152, 65535],
  ['icmp', -1, -1],
];

const INVALID_SUBNETS = 'Invalid subnet ID(s). They must correspond to two subnets in different Availability Zones.';

/**
 * An EC2 step's failure as Directory Service reports it. A denial of the forward-access
 * call, or any other EC2 error, fails the Directory Service call with ClientException and
 * EC2's message (AWS does not document the wording; ClientException is the model's
 * catch-all for the caller's side).
 */
function ec2Failure(ctx: ServiceContext, e: unknown): unknown {
  return e instanceof AwsError ? dsError(ctx, 'ClientException', e.message) : e;
}

async function step<T>(ctx: ServiceContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw ec2Failure(ctx, e);
  }
}

/** Check the VPC settings (two subnets of the VPC in different zones), then build the directory's network. */
export async function provisionNetwork(ctx: ServiceContext, directoryId: string, settings: { readonly VpcId?: string; readonly SubnetIds?: readonly string[] }): Promise<DirectoryNetwork> {
  const ec2 = ctx.onBehalfOf(DS_PRINCIPAL);
  const vpcId = settings.VpcId!;
  const subnetIds = settings.SubnetIds ?? [];
  if (subnetIds.length !== 2) throw dsError(ctx, 'InvalidParameterException', INVALID_SUBNETS);
  if (subnetIds[0] === subnetIds[1]) throw dsError(ctx, 'ClientException', 'Invalid subnet ID(s). The two subnets must be in different Availability Zones.');
  // Subnets are checked before the VPC, as AWS reports an unknown subnet first.
  let subnets: Subnet[];
  try {
    subnets = (await ec2.call<{ Subnets: Subnet[] }>('ec2', 'DescribeSubnets', { SubnetIds: [...subnetIds] })).Subnets;
  } catch (e) {
    if (e instanceof AwsError && e.code === 'InvalidSubnetID.NotFound') throw dsError(ctx, 'InvalidParameterException', INVALID_SUBNETS);
    throw ec2Failure(ctx, e);
  }
  const ordered = subnetIds.map((id) => subnets.find((s) => s.SubnetId === id)!);
  let cidr: string;
  try {
    const vpcs = (await ec2.call<{ Vpcs: { VpcId: string; CidrBlock: string }[] }>('ec2', 'DescribeVpcs', { VpcIds: [vpcId] })).Vpcs;
    cidr = vpcs[0]!.CidrBlock;
  } catch (e) {
    if (e instanceof AwsError && e.code === 'InvalidVpcID.NotFound') throw dsError(ctx, 'ClientException', 'Invalid VPC ID.');
    throw ec2Failure(ctx, e);
  }
  const outside = ordered.find((s) => s.VpcId !== vpcId);
  if (outside) throw dsError(ctx, 'InvalidParameterException', `Invalid subnet ID(s). Subnet ${outside.SubnetId} is not in VPC ${vpcId}.`);
  if (ordered[0]!.AvailabilityZone === ordered[1]!.AvailabilityZone) {
    throw dsError(ctx, 'ClientException', 'Invalid subnet ID(s). The two subnets must be in different Availability Zones.');
  }
  const groupId = await step(ctx, async () => {
    const g = await ec2.call<{ GroupId: string }>('ec2', 'CreateSecurityGroup', {
      GroupName: `${directoryId}_controllers`,
      Description: `AWS created security group for ${directoryId} directory controllers`,
      VpcId: vpcId,
    });
    await ec2.call('ec2', 'AuthorizeSecurityGroupIngress', {
      GroupId: g.GroupId,
      IpPermissions: AD_PORTS.map(([IpProtocol, FromPort, ToPort]) => ({ IpProtocol, FromPort, ToPort, IpRanges: [{ CidrIp: cidr }] })),
    });
    return g.GroupId;
  });
  const interfaces: { NetworkInterfaceId: string; PrivateIpAddress: string }[] = [];
  for (const s of ordered) {
    interfaces.push(
      await step(ctx, async () =>
        (
          await ec2.call<{ NetworkInterface: { NetworkInterfaceId: string; PrivateIpAddress: string } }>('ec2', 'CreateNetworkInterface', {
            SubnetId: s.SubnetId,
            Groups: [groupId],
            Description: `AWS created network interface for directory ${directoryId}`,
          })
        ).NetworkInterface,
      ),
    );
  }
  return {
    VpcId: vpcId,
    SubnetIds: [...subnetIds],
    AvailabilityZones: ordered.map((s) => s.AvailabilityZone),
    SecurityGroupId: groupId,
    NetworkInterfaceIds: interfaces.map((n) => n.NetworkInterfaceId),
    DnsIpAddrs: interfaces.map((n) => n.PrivateIpAddress),
  };
}

/**
 * DeleteDirectory's clean-up: the controllers' interfaces, then their security group. Any
 * that the customer already removed are skipped (AWS's deletion does not fail on them).
 */
export async function releaseNetwork(ctx: ServiceContext, d: DirectoryRecord): Promise<void> {
  const ec2: ServiceCaller = ctx.onBehalfOf(DS_PRINCIPAL);
  const remove = async (operation: string, input: object): Promise<void> => {
    try {
      await ec2.call('ec2', operation, input);
    } catch (e) {
      if (e instanceof AwsError && /\.NotFound$/.test(e.code)) return;
      throw ec2Failure(ctx, e);
    }
  };
  for (const id of d.NetworkInterfaceIds) await remove('DeleteNetworkInterface', { NetworkInterfaceId: id });
  await remove('DeleteSecurityGroup', { GroupId: d.SecurityGroupId });
}
