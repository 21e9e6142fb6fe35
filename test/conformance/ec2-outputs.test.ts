/**
 * Conformance, output half, for EC2: every implemented EC2 operation called through the
 * AWS SDK v3, its output checked against the model (required members, types, enums)
 * and its values compared; a coverage test fails if an implemented operation is missed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSubnetCommand, CreateVpcCommand, DeleteSubnetCommand, DeleteVpcCommand, DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { clientConfig, startServer, type Running } from '../helpers/server.js';
import { checkOutput } from './model-check.js';

describe('Conformance: EC2 outputs match the model', () => {
  let server: Running;
  let ec2: EC2Client;
  const called = new Set<string>();
  const check = (operation: string, output: object): void => {
    called.add(operation);
    assert.deepEqual(checkOutput('ec2', operation, output as Record<string, unknown>), [], operation);
  };
  before(async () => {
    server = await startServer();
    ec2 = new EC2Client(clientConfig(server.endpoint));
  });
  after(async () => server.close());

  it('VPC and subnet lifecycle', async () => {
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'env', Value: 'test' }] }] }));
    check('CreateVpc', vpc);
    const vpcId = vpc.Vpc!.VpcId!;
    assert.equal(vpc.Vpc!.CidrBlockAssociationSet![0]!.CidrBlock, '10.1.0.0/16');
    const vpcs = await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
    check('DescribeVpcs', vpcs);
    assert.deepEqual(vpcs.Vpcs!.map((v) => [v.VpcId, v.State, v.Tags]), [[vpcId, 'available', [{ Key: 'env', Value: 'test' }]]]);
    const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.1.2.0/24', AvailabilityZone: 'us-east-1c' }));
    check('CreateSubnet', subnet);
    const subnets = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnet.Subnet!.SubnetId!] }));
    check('DescribeSubnets', subnets);
    assert.deepEqual(subnets.Subnets!.map((s) => [s.VpcId, s.CidrBlock, s.AvailabilityZone, s.AvailableIpAddressCount]), [[vpcId, '10.1.2.0/24', 'us-east-1c', 251]]);
    const paged = await ec2.send(new DescribeSubnetsCommand({ MaxResults: 5 }));
    assert.equal(paged.Subnets!.length, 4);
    check('DeleteSubnet', await ec2.send(new DeleteSubnetCommand({ SubnetId: subnet.Subnet!.SubnetId! })));
    check('DeleteVpc', await ec2.send(new DeleteVpcCommand({ VpcId: vpcId })));
  });

  it('covers every implemented EC2 operation', () => {
    const implemented = server.gatehouse.implementedOperations().ec2 ?? [];
    assert.deepEqual(implemented.filter((op) => !called.has(op)), []);
  });
});
