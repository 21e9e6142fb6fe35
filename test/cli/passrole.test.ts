/**
 * iam:PassRole limited by iam:PassedToService, from the shell.
 *
 * PassRole is a permission, not an API: a service checks it when a call hands it a role
 * ARN (IAM user guide, "Grant a user permissions to pass a role to an AWS service"). The
 * decisions are tested through the policy simulator, which evaluates the user's real
 * policies with the context the consuming service would supply: `aws iam
 * simulate-principal-policy --action-names iam:PassRole --context-entries
 * ContextKeyName=iam:PassedToService,...`, and through the services that take a role ARN
 * (Lambda's create-function, which calls checkPassRole from src/auth/pass-role.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { startServer, type Running } from '../helpers/server.js';
import { allow, aws, doc, EC2_TRUST, expectError, keysOf, roleArn, userArn } from './helpers.js';

const ROLE = roleArn('ec2-app', '/app/');
const simulate = (service?: string): string[] => [
  'iam',
  'simulate-principal-policy',
  '--policy-source-arn',
  userArn('deployer'),
  '--action-names',
  'iam:PassRole',
  '--resource-arns',
  ROLE,
  ...(service ? ['--context-entries', `ContextKeyName=iam:PassedToService,ContextKeyValues=${service},ContextKeyType=string`] : []),
];

interface EvaluationResult {
  EvalActionName: string;
  EvalResourceName: string;
  EvalDecision: string;
  MatchedStatements: { SourcePolicyId: string }[];
  MissingContextValues: string[];
  ResourceSpecificResults: { EvalResourceName: string; EvalResourceDecision: string; MissingContextValues: string[] }[];
}

describe('aws iam simulate-principal-policy: iam:PassRole with iam:PassedToService', () => {
  let server: Running;

  before(async () => {
    server = await startServer();
    await Promise.all([
      aws(server.endpoint, ['iam', 'create-user', '--user-name', 'deployer']),
      aws(server.endpoint, ['iam', 'create-role', '--role-name', 'ec2-app', '--path', '/app/', '--assume-role-policy-document', EC2_TRUST]),
    ]);
    // The user guide's pattern: PassRole on the role, only to EC2.
    await aws(server.endpoint, ['iam', 'put-user-policy', '--user-name', 'deployer', '--policy-name', 'pass-to-ec2', '--policy-document', doc(allow('iam:PassRole', ROLE, { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } }))]);
  });
  after(() => server.close());

  it('allows passing the role to ec2.amazonaws.com, refuses lambda.amazonaws.com, and reports the key missing when no service is named', async () => {
    const [ec2, lambda, none] = (await Promise.all([aws(server.endpoint, simulate('ec2.amazonaws.com')), aws(server.endpoint, simulate('lambda.amazonaws.com')), aws(server.endpoint, simulate())])).map(
      // (The CLI paginates SimulatePrincipalPolicy itself and drops IsTruncated from its output.)
      (out: { EvaluationResults: EvaluationResult[] }) => {
        assert.equal(out.EvaluationResults.length, 1);
        const r = out.EvaluationResults[0]!;
        assert.equal(r.EvalActionName, 'iam:PassRole');
        assert.equal(r.EvalResourceName, ROLE);
        // With --resource-arns, missing context keys are reported per resource (API reference,
        // EvaluationResult.MissingContextValues), not at the top.
        assert.deepEqual(r.MissingContextValues, []);
        assert.equal(r.ResourceSpecificResults.length, 1);
        const specific = r.ResourceSpecificResults[0]!;
        assert.equal(specific.EvalResourceName, ROLE);
        assert.equal(specific.EvalResourceDecision, r.EvalDecision);
        // The inline policy's id ends with its name (Gatehouse writes user_<user>_<policy>).
        return { decision: r.EvalDecision, matched: r.MatchedStatements.map((s) => /pass-to-ec2$/.test(s.SourcePolicyId)), missing: specific.MissingContextValues };
      },
    );
    assert.deepEqual(ec2, { decision: 'allowed', matched: [true], missing: [] });
    assert.deepEqual(lambda, { decision: 'implicitDeny', matched: [], missing: [] });
    // Without iam:PassedToService the condition cannot match: implicitDeny, the key reported missing.
    assert.deepEqual(none, { decision: 'implicitDeny', matched: [], missing: ['iam:PassedToService'] });
  });

  it('aws lambda create-function makes the same decision, then checks that the role trusts Lambda', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'passrole-'));
    try {
      const file = join(dir, 'fn.zip');
      writeFileSync(file, zipSync({ 'index.js': strToU8('exports.handler = async () => 1;\n') }));
      await aws(server.endpoint, ['iam', 'put-user-policy', '--user-name', 'deployer', '--policy-name', 'lambda', '--policy-document', doc(allow('lambda:CreateFunction'))]);
      const keys = keysOf(await aws(server.endpoint, ['iam', 'create-access-key', '--user-name', 'deployer']));
      const create = ['lambda', 'create-function', '--function-name', 'app', '--runtime', 'nodejs20.x', '--handler', 'index.handler', '--role', ROLE, '--zip-file', `fileb://${file}`];
      // Passing the role to lambda.amazonaws.com is not what the policy allows.
      await expectError(server.endpoint, create, keys, 'AccessDeniedException', 'CreateFunction', `User: ${userArn('deployer')} is not authorized to perform: iam:PassRole on resource: ${ROLE} because no identity-based policy allows the iam:PassRole action`);
      // Allowed to pass it to Lambda, the role still has to trust Lambda (it trusts EC2).
      await aws(server.endpoint, ['iam', 'put-user-policy', '--user-name', 'deployer', '--policy-name', 'pass-to-lambda', '--policy-document', doc(allow('iam:PassRole', ROLE, { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } }))]);
      await expectError(server.endpoint, create, keys, 'InvalidParameterValueException', 'CreateFunction', 'The role defined for the function cannot be assumed by Lambda.');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
