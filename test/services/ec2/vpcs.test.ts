/**
 * EC2 VPCs and subnets through the AWS CLI v2, boto3 and the SDK: the default VPC,
 * create/describe/filter/delete with EC2's errors, DryRun (412 DryRunOperation), and
 * UnauthorizedOperation with an encoded message that sts:DecodeAuthorizationMessage reads.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSubnetCommand, CreateVpcCommand, DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { DecodeAuthorizationMessageCommand, STSClient } from '@aws-sdk/client-sts';
import { awsCli, boto3, clientConfig, startServer, type Keys, type Running } from '../../helpers/server.js';

interface CliVpc {
  VpcId: string;
  CidrBlock: string;
  IsDefault: boolean;
  State: string;
  Tags?: { Key: string; Value: string }[];
}

describe('EC2 VPCs and subnets', () => {
  let server: Running;
  let ec2: EC2Client;
  const cli = async (args: string[], keys?: Keys): Promise<unknown> => {
    const r = await awsCli(server.endpoint, args, keys);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as unknown;
  };
  const cliError = async (args: string[], keys?: Keys): Promise<string> => {
    const r = await awsCli(server.endpoint, args, keys);
    assert.notEqual(r.code, 0, r.stdout);
    return r.stderr.trim();
  };
  before(async () => {
    server = await startServer();
    ec2 = new EC2Client(clientConfig(server.endpoint));
  });
  after(async () => server.close());

  it('every account starts with a default VPC (172.31.0.0/16) and a default /20 subnet per zone', async () => {
    const out = (await cli(['ec2', 'describe-vpcs', '--filters', 'Name=is-default,Values=true'])) as { Vpcs: CliVpc[] };
    assert.equal(out.Vpcs.length, 1);
    assert.equal(out.Vpcs[0]!.CidrBlock, '172.31.0.0/16');
    assert.equal(out.Vpcs[0]!.IsDefault, true);
    assert.equal(out.Vpcs[0]!.State, 'available');
    const subnets = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [out.Vpcs[0]!.VpcId] }] }));
    assert.deepEqual(subnets.Subnets!.map((s) => [s.CidrBlock, s.AvailabilityZone, s.DefaultForAz, s.AvailableIpAddressCount, s.MapPublicIpOnLaunch]), [
      ['172.31.0.0/20', 'us-east-1a', true, 4091, true],
      ['172.31.16.0/20', 'us-east-1b', true, 4091, true],
      ['172.31.32.0/20', 'us-east-1c', true, 4091, true],
    ]);
    assert.equal(subnets.Subnets![0]!.AvailabilityZoneId, 'use1-az1');
    assert.match(subnets.Subnets![0]!.SubnetArn!, /^arn:aws:ec2:us-east-1:000000000000:subnet\/subnet-[0-9a-f]{17}$/);
  });

  it('creates a tagged VPC and subnets, finds them by tag and id, and refuses bad ranges and overlaps with EC2\'s codes', async () => {
    const created = (await cli(['ec2', 'create-vpc', '--cidr-block', '10.0.0.0/16', '--tag-specifications', 'ResourceType=vpc,Tags=[{Key=Name,Value=vpn-vpc}]'])) as { Vpc: CliVpc };
    assert.match(created.Vpc.VpcId, /^vpc-[0-9a-f]{17}$/);
    assert.deepEqual(created.Vpc.Tags, [{ Key: 'Name', Value: 'vpn-vpc' }]);
    const byTag = (await cli(['ec2', 'describe-vpcs', '--filters', 'Name=tag:Name,Values=vpn-*'])) as { Vpcs: CliVpc[] };
    assert.deepEqual(byTag.Vpcs.map((v) => v.VpcId), [created.Vpc.VpcId]);
    const vpcId = created.Vpc.VpcId;
    const a = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a' }));
    assert.equal(a.Subnet!.AvailableIpAddressCount, 251);
    assert.equal(a.Subnet!.DefaultForAz, false);
    await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.2.0/24', AvailabilityZone: 'us-east-1b' }));
    assert.equal(await cliError(['ec2', 'create-subnet', '--vpc-id', vpcId, '--cidr-block', '10.0.1.128/25']), 'An error occurred (InvalidSubnet.Conflict) when calling the CreateSubnet operation: The CIDR \'10.0.1.128/25\' conflicts with another subnet');
    assert.equal(await cliError(['ec2', 'create-subnet', '--vpc-id', vpcId, '--cidr-block', '192.168.0.0/24']), 'An error occurred (InvalidSubnet.Range) when calling the CreateSubnet operation: The CIDR \'192.168.0.0/24\' is invalid.');
    assert.equal(await cliError(['ec2', 'create-vpc', '--cidr-block', '10.0.0.0/8']), 'An error occurred (InvalidVpc.Range) when calling the CreateVpc operation: The CIDR \'10.0.0.0/8\' is invalid.');
    assert.match(await cliError(['ec2', 'create-subnet', '--vpc-id', vpcId, '--cidr-block', '10.0.3.0/24', '--availability-zone', 'us-east-1z']), /InvalidParameterValue.*availabilityZone is invalid/);
    assert.equal(await cliError(['ec2', 'describe-vpcs', '--vpc-ids', 'vpc-00000000000000000']), 'An error occurred (InvalidVpcID.NotFound) when calling the DescribeVpcs operation: The vpc ID \'vpc-00000000000000000\' does not exist');
    // A VPC with subnets cannot go; without them it can.
    assert.equal(await cliError(['ec2', 'delete-vpc', '--vpc-id', vpcId]), `An error occurred (DependencyViolation) when calling the DeleteVpc operation: The vpc '${vpcId}' has dependencies and cannot be deleted.`);
    const mine = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
    for (const s of mine.Subnets!) assert.equal((await awsCli(server.endpoint, ['ec2', 'delete-subnet', '--subnet-id', s.SubnetId!])).code, 0);
    const left = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
    assert.deepEqual(left.Subnets, []);
    assert.equal((await awsCli(server.endpoint, ['ec2', 'delete-vpc', '--vpc-id', vpcId])).code, 0);
    const gone = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
    assert.deepEqual(gone.Vpcs, []);
  });

  it('boto3 reads the same values (its parser is the stricter one)', async () => {
    const out = await boto3(server.endpoint, "e = client('ec2')\nv = e.create_vpc(CidrBlock='10.20.0.0/16')['Vpc']\ns = e.create_subnet(VpcId=v['VpcId'], CidrBlock='10.20.5.0/24')['Subnet']\nd = e.describe_subnets(SubnetIds=[s['SubnetId']])['Subnets'][0]\nprint(json.dumps([v['CidrBlock'], v['IsDefault'], d['CidrBlock'], d['AvailableIpAddressCount'], d['VpcId'] == v['VpcId']]))");
    assert.deepEqual(JSON.parse(out), ['10.20.0.0/16', false, '10.20.5.0/24', 251, true]);
  });

  it('DryRun answers 412 DryRunOperation when allowed, and changes nothing', async () => {
    const before = await ec2.send(new DescribeVpcsCommand({}));
    assert.equal(await cliError(['ec2', 'create-vpc', '--cidr-block', '10.9.0.0/16', '--dry-run']), 'An error occurred (DryRunOperation) when calling the CreateVpc operation: Request would have succeeded, but DryRun flag is set.');
    const afterwards = await ec2.send(new DescribeVpcsCommand({}));
    assert.equal(afterwards.Vpcs!.length, before.Vpcs!.length);
  });

  it('a missing required member is MissingParameter, EC2\'s validation error', async () => {
    await assert.rejects(ec2.send(new CreateSubnetCommand({ CidrBlock: '10.0.0.0/24' } as never)), (e: Error & { Code?: string }) => {
      assert.equal(e.name, 'MissingParameter');
      assert.equal(e.message, 'The request must contain the parameter VpcId');
      return true;
    });
  });

  it('a denied call is UnauthorizedOperation with an encoded message sts:DecodeAuthorizationMessage decodes', async () => {
    const iam = new IAMClient(clientConfig(server.endpoint));
    await iam.send(new CreateUserCommand({ UserName: 'netops' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'netops', PolicyName: 'describe', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ec2:Describe*', 'sts:DecodeAuthorizationMessage'], Resource: '*' }] }) }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'netops' }));
    const keys = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
    const denied = await cliError(['ec2', 'create-vpc', '--cidr-block', '10.30.0.0/16'], keys);
    const m = /^An error occurred \(UnauthorizedOperation\) when calling the CreateVpc operation: You are not authorized to perform this operation\. User: arn:aws:iam::000000000000:user\/netops is not authorized to perform: ec2:CreateVpc on resource: arn:aws:ec2:us-east-1:000000000000:vpc\/\* because no identity-based policy allows the ec2:CreateVpc action\. Encoded authorization failure message: (\S+)$/.exec(denied);
    assert.ok(m, denied);
    const decoded = await new STSClient(clientConfig(server.endpoint, keys)).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: m[1]! }));
    const message = JSON.parse(decoded.DecodedMessage!) as { allowed: boolean; context: { action: string; resource: string; principal: { arn: string } } };
    assert.equal(message.allowed, false);
    assert.equal(message.context.action, 'ec2:CreateVpc');
    assert.equal(message.context.resource, 'arn:aws:ec2:us-east-1:000000000000:vpc/*');
    assert.equal(message.context.principal.arn, 'arn:aws:iam::000000000000:user/netops');
    // Allowed describes still work for the same user.
    const ok = await new EC2Client(clientConfig(server.endpoint, keys)).send(new DescribeVpcsCommand({}));
    assert.ok(ok.Vpcs!.some((v) => v.IsDefault));
  });

  it('another region has its own default VPC and its own VPCs', async () => {
    const west = new EC2Client(clientConfig(server.endpoint, undefined, 'eu-west-1'));
    const vpcs = await west.send(new DescribeVpcsCommand({}));
    assert.deepEqual(vpcs.Vpcs!.map((v) => [v.CidrBlock, v.IsDefault]), [['172.31.0.0/16', true]]);
    const subnets = await west.send(new DescribeSubnetsCommand({}));
    assert.deepEqual(subnets.Subnets!.map((s) => s.AvailabilityZone), ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    await west.send(new CreateVpcCommand({ CidrBlock: '10.50.0.0/16' }));
    const east = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'cidr', Values: ['10.50.0.0/16'] }] }));
    assert.deepEqual(east.Vpcs, []);
  });
});
