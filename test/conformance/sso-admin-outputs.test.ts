/**
 * Conformance, output half, for IAM Identity Center administration (sso-admin): every
 * implemented operation called through the AWS SDK v3, its output checked against the
 * model; a coverage test fails if an implemented operation is missed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateInstanceCommand, DescribeInstanceCommand, ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { clientConfig, startServer, type Running } from '../helpers/server.js';
import { checkOutput } from './model-check.js';

describe('Conformance: sso-admin outputs match the model', () => {
  let server: Running;
  const called = new Set<string>();
  const check = (operation: string, output: object): void => {
    called.add(operation);
    assert.deepEqual(checkOutput('sso-admin', operation, output as Record<string, unknown>), [], operation);
  };
  before(async () => {
    server = await startServer();
  });
  after(async () => server.close());

  it('an account instance (a standalone account)', async () => {
    const sso = new SSOAdminClient(clientConfig(server.endpoint));
    const created = await sso.send(new CreateInstanceCommand({ Name: 'standalone' }));
    check('CreateInstance', created);
    const listed = await sso.send(new ListInstancesCommand({}));
    check('ListInstances', listed);
    const described = await sso.send(new DescribeInstanceCommand({ InstanceArn: created.InstanceArn! }));
    check('DescribeInstance', described);
    assert.deepEqual([described.Name, described.Status, described.OwnerAccountId], ['standalone', 'ACTIVE', '000000000000']);
  });

  it('covers every implemented sso-admin operation', () => {
    const implemented = server.gatehouse.implementedOperations()['sso-admin'] ?? [];
    assert.ok(implemented.length > 0);
    assert.deepEqual(implemented.filter((op) => !called.has(op)), []);
  });
});
