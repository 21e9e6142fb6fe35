/**
 * Differential test: the compiled policy engine (src/policy) against the naive reference
 * evaluator (test/policy/reference.ts), over random policy sets and requests drawn from a
 * small vocabulary that makes matches likely.
 *
 * Run: npx tsc -p tsconfig.json && node --test dist/test/policy/differential.test.js
 *
 * Knobs (environment):
 *   DIFF_RUNS_SCALE  multiply every run count (default 1, about 20,500 cases; e.g. 10 for a soak)
 *   DIFF_SEED        fast-check seed, to replay a reported failure (the failure message prints
 *                    it; combine with --test-name-pattern to rerun only the failing test)
 *
 * On a mismatch, fast-check shrinks the case and the error message shows the shrunk case as
 * pretty JSON (request, policies, both decisions, the engine's explanation).
 *
 * When the engine and the reference disagree, decide from iam.md and AWS's documentation
 * which one is wrong; the choices the reference encodes are listed at the top of reference.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compilePolicy, evaluate, explain, PolicyGroup, RequestContext } from '../../src/policy/index.js';
import type { Decision, PolicyKind, RequestPrincipal } from '../../src/policy/types.js';
import { referenceEvaluate } from './reference.js';
import type { RawPolicy, RefContextValue, RefOrgLevel, RefPolicySet, RefRequest } from './reference.js';

// ---------------------------------------------------------------------------------
// Run budget

const SCALE = Number(process.env.DIFF_RUNS_SCALE ?? '1') || 1;
// CI runs a fixed seed so a red run is always reproducible; local runs explore new seeds.
const SEED = process.env.DIFF_SEED !== undefined ? Number(process.env.DIFF_SEED) : process.env.CI ? 20261123 : undefined;
const runs = (n: number): number => Math.max(1, Math.round(n * SCALE));
const fcParams = (numRuns: number): fc.Parameters<unknown> => ({ numRuns: runs(numRuns), includeErrorInReport: true, ...(SEED === undefined ? {} : { seed: SEED }) });

// ---------------------------------------------------------------------------------
// Vocabulary: small, overlapping, so that random policies often match random requests.

const A = '111111111111';
const B = '222222222222';
const M = '999999999999'; // organization management account

const ROLE_A = `arn:aws:iam::${A}:role/dev/Admin`;
const ROLE_B = `arn:aws:iam::${B}:role/Reader`;
const SAML_A = `arn:aws:iam::${A}:saml-provider/corp`;

const ALICE: RequestPrincipal = { type: 'User', arn: `arn:aws:iam::${A}:user/alice`, account: A };
const BOB: RequestPrincipal = { type: 'User', arn: `arn:aws:iam::${A}:user/team/bob`, account: A };
const SESSION_A: RequestPrincipal = { type: 'AssumedRole', arn: `arn:aws:sts::${A}:assumed-role/Admin/s1`, account: A, roleArn: ROLE_A };
const SAML_SESSION_A: RequestPrincipal = {
  type: 'AssumedRole',
  arn: `arn:aws:sts::${A}:assumed-role/Admin/carol@example.com`,
  account: A,
  roleArn: ROLE_A,
  federatedProvider: SAML_A,
};
const ROOT_A: RequestPrincipal = { type: 'Account', arn: `arn:aws:iam::${A}:root`, account: A };
const USER_B: RequestPrincipal = { type: 'User', arn: `arn:aws:iam::${B}:user/dave`, account: B };
const SESSION_B: RequestPrincipal = { type: 'AssumedRole', arn: `arn:aws:sts::${B}:assumed-role/Reader/s2`, account: B, roleArn: ROLE_B };
const ROOT_B: RequestPrincipal = { type: 'Account', arn: `arn:aws:iam::${B}:root`, account: B };
const USER_M: RequestPrincipal = { type: 'User', arn: `arn:aws:iam::${M}:user/admin`, account: M };
const FEDERATED_A: RequestPrincipal = { type: 'FederatedUser', arn: `arn:aws:sts::${A}:federated-user/erin`, account: A };
const SERVICE_EC2: RequestPrincipal = { type: 'Service', arn: 'ec2.amazonaws.com', account: A };

const PRINCIPALS = [ALICE, SESSION_A, ROOT_A, BOB, SAML_SESSION_A, USER_B, SESSION_B, ROOT_B, USER_M, FEDERATED_A, SERVICE_EC2];
/** Principals whose identity policies count (not the root user, not a service). */
const IAM_PRINCIPALS = [ALICE, SESSION_A, BOB, SAML_SESSION_A, USER_B, SESSION_B, USER_M, FEDERATED_A];

/** Values for Principal / NotPrincipal `AWS` lists. */
const AWS_PRINCIPAL_VALUES = [
  ALICE.arn,
  A,
  `arn:aws:iam::${A}:root`,
  ROLE_A,
  SESSION_A.arn,
  '*',
  BOB.arn,
  `arn:aws:iam::${A}:role/Admin`, // the role without its path: not the same role
  SAML_SESSION_A.arn,
  B,
  `arn:aws:iam::${B}:root`,
  USER_B.arn,
  ROLE_B,
  SESSION_B.arn,
  USER_M.arn,
  M,
  FEDERATED_A.arn,
];

const ACTIONS = ['s3:GetObject', 's3:getobject', 'S3:PutObject', 's3:ListBucket', 'iam:PassRole', 'kms:Decrypt', 'sts:AssumeRole', 'ec2:RunInstances'];

const ACTION_PATTERNS = [
  's3:GetObject',
  '*',
  's3:*',
  's3:Get*',
  's3:*Object',
  'S3:GETOBJECT',
  's3:?etObject',
  's3:Put?bject',
  's3:List*',
  'iam:*',
  'iam:PassRole',
  'kms:*',
  'kms:Decrypt',
  'sts:AssumeRole',
  'ec2:Run*',
  'ec2:*Instances',
];
/** SCP/RCP actions: wildcards only alone or at the end (AWS Organizations syntax). */
const ORG_ACTION_PATTERNS = ['*', 's3:*', 's3:GetObject', 's3:Get*', 'S3:GETOBJECT', 's3:List*', 'iam:*', 'kms:Decrypt', 'sts:AssumeRole', 'ec2:*'];
const TRUST_ACTION_PATTERNS = ['sts:AssumeRole', 'sts:*', 'STS:assumerole', 'sts:TagSession', 'sts:AssumeRoleWithSAML'];

const RESOURCES = [
  'arn:aws:s3:::bucket-a/home/alice/file.txt',
  'arn:aws:s3:::bucket-a/home/dev/file.txt',
  'arn:aws:s3:::bucket-a/home//file.txt', // what a variable substituted by '' would match
  'arn:aws:s3:::bucket-a/*',
  'arn:aws:s3:::bucket-a/a?b',
  'arn:aws:s3:::bucket-a/axb',
  'arn:aws:s3:::bucket-a/a$b',
  'arn:aws:s3:::bucket-a/f(1).txt',
  'arn:aws:s3:::bucket-a/f(1)xtxt',
  'arn:aws:s3:::bucket-b',
  'arn:aws:s3:::Bucket-A/x',
  ROLE_A,
  `arn:aws:kms:us-east-1:${A}:key/k1`,
  `arn:aws:kms:us-east-1:${B}:key/k2`,
  '*',
];

const RESOURCE_PATTERNS = [
  '*',
  'arn:aws:s3:::bucket-a/*',
  'arn:aws:s3:::bucket-?',
  'arn:aws:s3:::bucket-a/home/${aws:username}/*',
  "arn:aws:s3:::bucket-a/home/${aws:PrincipalTag/team, 'alice'}/*",
  'arn:aws:s3:::bucket-a/home/${AWS:UserName}/file.txt',
  'arn:aws:s3:::*',
  `arn:aws:kms:*:${A}:key/*`,
  'arn:aws:iam::*:role/*',
  'arn:aws:iam::${aws:PrincipalAccount}:role/dev/Admin', // variable before the fifth colon: literal text
  'arn:aws:kms:us-east-1:${aws:PrincipalAccount}:key/k1', // idem
  'arn:aws:s3:::bucket-a/${*}',
  'arn:aws:s3:::bucket-a/a${?}b',
  'arn:aws:s3:::bucket-a/a${$}b',
  'arn:aws:s3:::bucket-a/f(1).txt',
  'arn:aws:s3:::bucket-a/f(1)?txt',
  `arn:aws:*:*:${B}:*`,
  'arn:aws:s3:::Bucket-A/*',
  'arn:aws:s3:::bucket-a/home/${aws:PrincipalTag/team}/*',
];

type KeyType = 'string' | 'arn' | 'numeric' | 'date' | 'bool' | 'ip' | 'binary';
type PolicyValue = string | number | boolean;

interface KeySpec {
  /** Spellings (key names are case-insensitive). */
  readonly names: readonly [string, ...string[]];
  readonly type: KeyType;
  readonly policy: readonly [PolicyValue, ...PolicyValue[]];
  readonly context: readonly [RefContextValue, ...RefContextValue[]];
}

const KEYS: readonly KeySpec[] = [
  {
    names: ['aws:username', 'AWS:UserName'],
    type: 'string',
    policy: ['alice', 'Alice', 'bob', 'al*', '?lice', '${aws:PrincipalTag/team}', "${aws:PrincipalTag/team, 'alice'}", 'x${*}'],
    context: ['alice', 'bob', 'Alice', ['alice', 'bob'], 'x*'],
  },
  {
    names: ['aws:PrincipalTag/team', 'aws:principaltag/Team'],
    type: 'string',
    policy: ['dev', 'ops', 'd*', '${aws:username}', "${aws:RequestTag/env, 'dev'}", 'DEV'],
    context: ['dev', 'ops', 'DEV', ['dev', 'ops'], ['dev'], []],
  },
  {
    names: ['aws:RequestTag/env', 'aws:requesttag/ENV'],
    type: 'string',
    policy: ['prod', 'dev', 'p*', 'pr${*}d', "${aws:PrincipalTag/team, 'prod'}", '${aws:PrincipalTag/team}', '${aws:username}', ''],
    context: ['prod', 'dev', 'pr*d', 'Prod', ''],
  },
  {
    names: ['aws:TagKeys', 'AWS:tagkeys'],
    type: 'string',
    policy: ['env', 'team', 'e*', 'Env'],
    context: [['env', 'team'], ['env'], ['Env'], [], 'env', ['team', 'cost']],
  },
  {
    names: ['aws:PrincipalAccount'],
    type: 'string',
    policy: [A, B, '${aws:PrincipalAccount}', '1111*'],
    context: [A, B],
  },
  {
    names: ['aws:SourceArn', 'aws:sourcearn'],
    type: 'arn',
    policy: [
      'arn:aws:s3:::bucket-*',
      `arn:aws:sns:*:${A}:topic*`,
      `arn:aws:sns:us-east-1:${A}:*`,
      'arn:aws:*:*:${aws:PrincipalAccount}:*',
      'arn:aws:iam::*:role/*',
      '*',
      'arn:aws:s3:::*a',
      'arn:*',
      `arn:aws:sns:us-east-1:${A}:topic:sub`,
      'arn:aws:sns:*:topic:sub', // six components: the star must not swallow the account
      'arn:aws:s3:::bucket-${aws:PrincipalTag/team}',
    ],
    context: ['arn:aws:s3:::bucket-a', `arn:aws:sns:us-east-1:${A}:topic:sub`, ROLE_A, 'arn:aws:s3:::bucket-dev', 'not-an-arn', ['arn:aws:s3:::bucket-a', 'arn:aws:s3:::bucket-b']],
  },
  {
    names: ['aws:PrincipalArn'],
    type: 'arn',
    policy: [`arn:aws:iam::${A}:user/*`, 'arn:aws:iam::*:role/dev/*', ROLE_A, `arn:aws:iam::${A}:*`, 'arn:aws:iam::${aws:PrincipalAccount}:user/alice'],
    context: [ALICE.arn, ROLE_A, USER_B.arn, `arn:aws:iam::${A}:root`],
  },
  {
    names: ['aws:SourceIp', 'aws:sourceip'],
    type: 'ip',
    policy: ['10.0.0.0/8', '10.1.2.3', '10.1.2.3/32', '192.168.0.0/16', '0.0.0.0/0', '2001:db8::/32', '2001:db8::1', '::/0', '2001:db8::1/128', '10.1.2.0/24'],
    context: ['10.1.2.3', '192.168.0.1', '10.1.3.3', '2001:db8::1', '2001:DB8:0:0:0:0:0:1', '2001:db9::5', ['10.1.2.3', '8.8.8.8']],
  },
  {
    names: ['aws:CurrentTime', 'aws:currenttime'],
    type: 'date',
    policy: ['2024-01-01T00:00:00Z', '2024-01-01', '1704067200', '2024-06-01T00:00:00Z', 1704067200, '2024-03-01T12:00:00.000Z'],
    context: ['2024-03-01T12:00:00Z', '2023-12-31T23:59:59Z', '2024-01-01T00:00:00Z', ['2024-03-01T12:00:00Z']],
  },
  {
    names: ['aws:EpochTime'],
    type: 'date',
    policy: ['1704067200', '2024-06-01T00:00:00Z', 1717200000, '1717200000'],
    context: [1704067200, '1717200000', '1704067199', 1717200000],
  },
  {
    names: ['aws:MultiFactorAuthPresent', 'aws:multifactorauthpresent'],
    type: 'bool',
    policy: ['true', 'false', true, false, 'True', '${aws:PrincipalTag/flag}'],
    context: [true, false, 'true', 'FALSE', 'True', ['true', 'false']],
  },
  {
    names: ['aws:PrincipalTag/flag'],
    type: 'bool',
    policy: ['true', 'false'],
    context: ['true', 'false', 'True'],
  },
  {
    names: ['aws:MultiFactorAuthAge', 'AWS:MultiFactorAuthAge'],
    type: 'numeric',
    policy: ['3600', 30, '10.50', '0', '-5', 2.5, '100'],
    context: [30, '3600', '10.5', 0, '-5', '2.5', ['1', '2']],
  },
  {
    names: ['aws:RequestTag/blob'],
    type: 'binary',
    policy: ['QUJD', 'REVG'],
    context: ['QUJD', 'REVG', 'qujd'],
  },
  {
    names: ['s3:prefix', 'S3:Prefix'],
    type: 'string',
    policy: ['home/${aws:username}/', 'home/*', 'a?b', 'a.b', 'home/(x)+/', 'home/${aws:username}/*'],
    context: ['home/alice/', 'home/(x)+/', 'a.b', 'axb', 'home/bob/docs', 'home//'],
  },
];

const STRING_OPS = ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'];
const ARN_OPS = ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'];
const NUMERIC_OPS = ['NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals'];
const DATE_OPS = ['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals'];

function operatorsFor(type: KeyType): [string, ...string[]] {
  switch (type) {
    case 'string':
      return ['Null', ...STRING_OPS];
    case 'arn':
      return ['Null', ...ARN_OPS, ...ARN_OPS, ...STRING_OPS];
    case 'numeric':
      return ['Null', ...NUMERIC_OPS, 'StringEquals'];
    case 'date':
      return ['Null', ...DATE_OPS];
    case 'bool':
      return ['Null', 'Bool', 'Bool', 'Bool', 'StringEquals', 'StringEqualsIgnoreCase'];
    case 'ip':
      return ['Null', 'IpAddress', 'NotIpAddress'];
    case 'binary':
      return ['Null', 'BinaryEquals'];
  }
}

// ---------------------------------------------------------------------------------
// Arbitraries

/** One value or a list (a single-element list is sometimes written as a bare value). */
function oneOrMany<T>(arb: fc.Arbitrary<T>, maxLength: number): fc.Arbitrary<T | T[]> {
  return fc.tuple(fc.array(arb, { minLength: 1, maxLength }), fc.boolean()).map(([xs, bare]) => (bare && xs.length === 1 ? xs[0]! : xs));
}

/** `arb` with weight `present`, undefined with weight `absent`. */
function maybe<T>(arb: fc.Arbitrary<T>, present: number, absent: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: absent }, { arbitrary: arb, weight: present });
}

interface ConditionEntry {
  readonly operator: string;
  readonly key: string;
  readonly values: PolicyValue | PolicyValue[];
}

const conditionEntryArb: fc.Arbitrary<ConditionEntry> = fc.constantFrom(...KEYS).chain((k) =>
  fc
    .record({
      base: fc.constantFrom(...operatorsFor(k.type)),
      set: fc.constantFrom('', '', '', 'ForAllValues:', 'ForAnyValue:'),
      ifExists: fc.boolean(),
      key: fc.constantFrom(...k.names),
      values: oneOrMany(fc.constantFrom(...k.policy), 3),
      nullValues: oneOrMany(fc.constantFrom<PolicyValue>('true', 'false', true, false), 2),
    })
    .map(({ base, set, ifExists, key, values, nullValues }): ConditionEntry => {
      if (base === 'Null') return { operator: 'Null', key, values: nullValues };
      return { operator: `${set}${base}${ifExists ? 'IfExists' : ''}`, key, values };
    }),
);

/** A Condition block; operators and keys (case-insensitively) are deduplicated. */
const conditionBlockArb = (min: number, max: number): fc.Arbitrary<Record<string, Record<string, PolicyValue | PolicyValue[]>>> =>
  fc.array(conditionEntryArb, { minLength: min, maxLength: max }).map((entries) => {
    const block: Record<string, Record<string, PolicyValue | PolicyValue[]>> = {};
    for (const e of entries) {
      const keys = (block[e.operator] ??= {});
      if (Object.keys(keys).some((k) => k.toLowerCase() === e.key.toLowerCase())) continue;
      keys[e.key] = e.values;
    }
    return block;
  });

type DocKind = 'identity' | 'boundary' | 'session' | 'resource' | 'trust' | 'scp' | 'rcp';

const principalArb: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constant('*'), weight: 2 },
  { arbitrary: fc.record({ AWS: oneOrMany(fc.constantFrom(...AWS_PRINCIPAL_VALUES), 3) }), weight: 8 },
  { arbitrary: fc.record({ Service: fc.constantFrom('ec2.amazonaws.com', 'batch.amazonaws.com') }), weight: 1 },
  { arbitrary: fc.record({ Federated: fc.constantFrom(SAML_A, 'cognito-identity.amazonaws.com') }), weight: 1 },
  {
    arbitrary: fc.record({ AWS: oneOrMany(fc.constantFrom(...AWS_PRINCIPAL_VALUES), 2), Federated: fc.constant(SAML_A) }),
    weight: 1,
  },
);
const notPrincipalArb: fc.Arbitrary<unknown> = fc.record({ AWS: oneOrMany(fc.constantFrom(...AWS_PRINCIPAL_VALUES), 3) });

function statementArb(kind: DocKind): fc.Arbitrary<Record<string, unknown>> {
  const actions = kind === 'scp' || kind === 'rcp' ? ORG_ACTION_PATTERNS : kind === 'trust' ? TRUST_ACTION_PATTERNS : ACTION_PATTERNS;
  const hasPrincipal = kind === 'resource' || kind === 'trust';
  return fc
    .record({
      effect: kind === 'rcp' ? fc.constant('Deny') : fc.constantFrom('Allow', 'Allow', 'Deny'),
      notAction: kind === 'rcp' || kind === 'trust' ? fc.constant(false) : fc.constantFrom(false, false, false, false, true),
      actionList: oneOrMany(fc.constantFrom(...actions), 3),
      notResource: fc.constantFrom(false, false, false, false, true),
      resourceList: oneOrMany(fc.constantFrom(...RESOURCE_PATTERNS), 3),
      principal: principalArb,
      useNotPrincipal: fc.constantFrom(false, false, false, true),
      notPrincipal: notPrincipalArb,
      condition: fc.option(conditionBlockArb(1, 3), { nil: undefined, freq: 2 }),
    })
    .map((d) => {
      const st: Record<string, unknown> = { Effect: d.effect };
      if (kind === 'rcp') st.Principal = '*';
      else if (hasPrincipal) {
        if (kind === 'resource' && d.effect === 'Deny' && d.useNotPrincipal) st.NotPrincipal = d.notPrincipal;
        else st.Principal = d.principal;
      }
      st[d.notAction ? 'NotAction' : 'Action'] = d.actionList;
      if (kind !== 'trust') st[d.notResource ? 'NotResource' : 'Resource'] = d.resourceList;
      if (d.condition !== undefined && Object.keys(d.condition).length > 0) st.Condition = d.condition;
      return st;
    });
}

function documentArb(kind: DocKind, maxStatements = 3): fc.Arbitrary<RawPolicy> {
  const version: fc.Arbitrary<string | undefined> =
    kind === 'scp' || kind === 'rcp' || kind === 'boundary' ? fc.constant('2012-10-17') : fc.constantFrom<string | undefined>('2012-10-17', '2012-10-17', '2012-10-17', '2008-10-17', undefined);
  return fc
    .record({ version, statements: fc.array(statementArb(kind), { minLength: 1, maxLength: maxStatements }), bare: fc.boolean() })
    .map(({ version: v, statements, bare }) => ({
      ...(v === undefined ? {} : { Version: v }),
      Statement: bare && statements.length === 1 ? statements[0] : statements,
    }));
}

const SCP_FULL_ACCESS: RawPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const RCP_FULL_ACCESS: RawPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] };
const LEVEL_TARGETS = ['r-abcd', 'ou-abcd-11111111', 'ou-abcd-22222222', 'account'];

function orgLevelsArb(kind: 'scp' | 'rcp'): fc.Arbitrary<RefOrgLevel[]> {
  const full = kind === 'scp' ? SCP_FULL_ACCESS : RCP_FULL_ACCESS;
  const level = fc
    .record({
      withFullAccess: fc.constantFrom(true, true, true, true, true, false),
      extra: fc.array(documentArb(kind, 2), { maxLength: 1 }),
    })
    .map(({ withFullAccess, extra }) => [...(withFullAccess ? [full] : []), ...extra]);
  return fc
    .array(level, { minLength: 0, maxLength: 3 })
    .map((levels) => levels.map((policies, i) => ({ target: i === levels.length - 1 ? 'account' : LEVEL_TARGETS[i]!, policies })));
}

/** A generated case: the raw request and policies, plus how to hand them to the engine. */
interface Case {
  readonly request: RefRequest;
  readonly policies: RefPolicySet;
  /** Identity policies given to the engine as a PolicyGroup instead of an array. */
  readonly identityAsGroup: boolean;
  /** Compile from JSON text instead of from the object. */
  readonly asText: boolean;
  /** The resource policy's kind: 'resource' or 'trust' (no Resource element). */
  readonly resourceKind: 'resource' | 'trust';
}

const contextArb: fc.Arbitrary<Record<string, RefContextValue>> = fc
  .tuple(
    ...KEYS.map((k) =>
      fc.option(fc.tuple(fc.constantFrom(...k.names), fc.constantFrom(...k.context)), { nil: undefined, freq: 2 }),
    ),
  )
  .map((entries) => {
    const context: Record<string, RefContextValue> = {};
    for (const e of entries) if (e !== undefined) context[e[0]] = e[1];
    return context;
  });

const principalArbFrom = (principals: readonly RequestPrincipal[]): fc.Arbitrary<RequestPrincipal> =>
  fc
    .tuple(fc.constantFrom(...principals), fc.constantFrom(false, false, false, false, true))
    .map(([p, slr]) => (slr && p.type === 'AssumedRole' ? { ...p, serviceLinkedRole: true } : p));
const principalReqArb = principalArbFrom(PRINCIPALS);
const iamPrincipalReqArb = principalArbFrom(IAM_PRINCIPALS);

const requestArbFrom = (principal: fc.Arbitrary<RequestPrincipal>): fc.Arbitrary<RefRequest> =>
  fc
    .record({
      principal,
      action: fc.constantFrom(...ACTIONS),
      resource: fc.constantFrom(...RESOURCES),
      resourceAccount: fc.constantFrom<string | undefined>(undefined, undefined, undefined, A, B, M),
      context: contextArb,
    })
    .map(({ resourceAccount, ...rest }) => (resourceAccount === undefined ? rest : { ...rest, resourceAccount }));
const requestArb = requestArbFrom(principalReqArb);

const policySetArb: fc.Arbitrary<Omit<Case, 'request'>> = fc
  .record({
    identity: maybe(fc.array(documentArb('identity'), { minLength: 0, maxLength: 3 }), 5, 1),
    boundary: maybe(documentArb('boundary'), 1, 2),
    session: maybe(fc.array(documentArb('session'), { minLength: 0, maxLength: 2 }), 3, 7),
    resourceKind: fc.constantFrom<'resource' | 'trust'>('resource', 'resource', 'resource', 'resource', 'trust'),
    resourceDoc: maybe(documentArb('resource'), 3, 2),
    trustDoc: documentArb('trust'),
    resourcePolicyRequired: fc.constantFrom(false, false, false, false, true),
    principalOrg: fc.option(fc.record({ managementAccountId: fc.constantFrom(M, M, A), scpLevels: orgLevelsArb('scp') }), {
      nil: undefined,
      freq: 2,
    }),
    resourceOrg: fc.option(
      fc.record({
        managementAccountId: fc.constantFrom(M, M, A, B),
        rcpLevels: orgLevelsArb('rcp'),
        rcpServices: fc.subarray(['s3', 'kms', 'sts', 'iam', 'ec2']),
      }),
      { nil: undefined, freq: 2 },
    ),
    identityAsGroup: fc.boolean(),
    asText: fc.boolean(),
    // The same document used twice (compiled policies are cached by content): in the
    // identity list again, as a session policy, or as the boundary.
    reuse: fc.constantFrom('none', 'none', 'none', 'none', 'identity', 'session', 'boundary'),
  })
  .map((d) => {
    const policies: Record<string, unknown> = {};
    const first = d.identity?.[0];
    let identity = d.identity;
    let session = d.session;
    let boundary = d.boundary;
    if (first !== undefined && d.reuse === 'identity') identity = [...d.identity!, first];
    if (first !== undefined && d.reuse === 'session') session = [...(session ?? []), first];
    if (first !== undefined && d.reuse === 'boundary' && first.Version === '2012-10-17') boundary = first;
    if (identity !== undefined) policies.identity = identity;
    if (boundary !== undefined) policies.boundary = boundary;
    if (session !== undefined) policies.session = session;
    if (d.resourceDoc !== undefined) policies.resource = d.resourceKind === 'trust' ? d.trustDoc : d.resourceDoc;
    if (d.resourcePolicyRequired) policies.resourcePolicyRequired = true;
    if (d.principalOrg !== undefined) policies.principalOrg = d.principalOrg;
    if (d.resourceOrg !== undefined) policies.resourceOrg = d.resourceOrg;
    return { policies, identityAsGroup: d.identityAsGroup, asText: d.asText, resourceKind: d.resourceKind };
  });

const fullCaseArb: fc.Arbitrary<Case> = fc.tuple(requestArb, policySetArb).map(([request, rest]) => ({ request, ...rest }));

/** Identity policies only, for a principal in its own account: stresses Action/Resource/variables. */
const identityCaseArb: fc.Arbitrary<Case> = fc
  .record({
    request: requestArbFrom(iamPrincipalReqArb).map(({ resourceAccount: _drop, ...r }) => r),
    identity: fc.array(documentArb('identity', 4), { minLength: 1, maxLength: 3 }),
    identityAsGroup: fc.boolean(),
    asText: fc.boolean(),
  })
  .map(({ request, identity, identityAsGroup, asText }) => ({ request, policies: { identity }, identityAsGroup, asText, resourceKind: 'resource' }));

/** One Allow statement on everything, guarded by 1-3 conditions (plus sometimes a guarded Deny): stresses operators. */
const conditionCaseArb: fc.Arbitrary<Case> = fc
  .record({
    version: fc.constantFrom<string | undefined>('2012-10-17', '2012-10-17', '2012-10-17', '2008-10-17', undefined),
    allowCondition: conditionBlockArb(1, 3),
    denyCondition: fc.option(conditionBlockArb(1, 2), { nil: undefined, freq: 4 }),
    context: contextArb,
    principal: iamPrincipalReqArb,
    asText: fc.boolean(),
  })
  .map(({ version, allowCondition, denyCondition, context, principal, asText }) => {
    const statements: Record<string, unknown>[] = [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: allowCondition }];
    if (denyCondition !== undefined) statements.push({ Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: denyCondition });
    const doc: RawPolicy = { ...(version === undefined ? {} : { Version: version }), Statement: statements };
    return {
      request: { principal, action: 's3:GetObject', resource: 'arn:aws:s3:::bucket-a/home/alice/file.txt', context },
      policies: { identity: [doc] },
      identityAsGroup: false,
      asText,
      resourceKind: 'resource' as const,
    };
  });

/**
 * Same account, no organization: a resource policy granting to the caller in the different
 * ways a Principal can name it (iam.md §3), against identity, boundary and session caps.
 */
const sameAccountGrantCaseArb: fc.Arbitrary<Case> = fc
  .record({
    principal: fc.constantFrom(ALICE, SESSION_A, SAML_SESSION_A, BOB, FEDERATED_A),
    action: fc.constantFrom('s3:GetObject', 's3:PutObject', 'kms:Decrypt'),
    resource: fc.constantFrom('arn:aws:s3:::bucket-a/home/alice/file.txt', `arn:aws:kms:us-east-1:${A}:key/k1`),
    context: contextArb,
    grantTo: oneOrMany(fc.constantFrom(ALICE.arn, ROLE_A, SESSION_A.arn, SAML_SESSION_A.arn, FEDERATED_A.arn, A, `arn:aws:iam::${A}:root`, '*', BOB.arn), 2),
    federated: fc.constantFrom(false, false, false, true),
    grantActions: oneOrMany(fc.constantFrom('s3:*', 's3:GetObject', 'kms:*', '*'), 2),
    extraResourceStatements: fc.array(statementArb('resource'), { maxLength: 1 }),
    identity: maybe(fc.array(documentArb('identity', 2), { maxLength: 2 }), 2, 1),
    boundary: maybe(documentArb('boundary', 2), 2, 1),
    session: maybe(fc.array(documentArb('session', 2), { maxLength: 2 }), 1, 1),
    resourcePolicyRequired: fc.constantFrom(false, false, true),
    asText: fc.boolean(),
  })
  .map((d) => {
    const grant: Record<string, unknown> = { Effect: 'Allow', Principal: d.federated ? { AWS: d.grantTo, Federated: SAML_A } : { AWS: d.grantTo }, Action: d.grantActions, Resource: '*' };
    const policies: Record<string, unknown> = { resource: { Version: '2012-10-17', Statement: [grant, ...d.extraResourceStatements] } };
    if (d.identity !== undefined) policies.identity = d.identity;
    if (d.boundary !== undefined) policies.boundary = d.boundary;
    if (d.session !== undefined) policies.session = d.session;
    if (d.resourcePolicyRequired) policies.resourcePolicyRequired = true;
    return {
      request: { principal: d.principal, action: d.action, resource: d.resource, context: d.context },
      policies,
      identityAsGroup: false,
      asText: d.asText,
      resourceKind: 'resource' as const,
    };
  });

// ---------------------------------------------------------------------------------
// Running a case through the engine

type EngineSet = Parameters<typeof evaluate>[1];
type EngineRequest = Parameters<typeof evaluate>[0];

function compileOne(doc: RawPolicy, id: string, kind: PolicyKind, asText: boolean): ReturnType<typeof compilePolicy> {
  try {
    return compilePolicy(asText ? JSON.stringify(doc) : doc, { id, kind });
  } catch (err) {
    const findings = (err as { findings?: unknown }).findings;
    throw new Error(
      `compilePolicy rejected a generated ${kind} policy (generator or validator bug):\n${JSON.stringify(doc, null, 2)}\n` +
        `error: ${String(err)}\nfindings: ${JSON.stringify(findings, null, 2)}`,
    );
  }
}

function compileSet(c: Case): EngineSet {
  const p = c.policies;
  const set: Record<string, unknown> = {};
  if (p.identity !== undefined) {
    const compiled = p.identity.map((d, i) => compileOne(d, `identity-${i}`, 'identity', c.asText));
    set.identity = c.identityAsGroup ? new PolicyGroup(compiled) : compiled;
  }
  if (p.boundary !== undefined) set.boundary = compileOne(p.boundary, 'boundary', 'boundary', c.asText);
  if (p.session !== undefined) set.session = p.session.map((d, i) => compileOne(d, `session-${i}`, 'session', c.asText));
  if (p.resource !== undefined) set.resource = compileOne(p.resource, 'resource', c.resourceKind, c.asText);
  if (p.resourcePolicyRequired !== undefined) set.resourcePolicyRequired = p.resourcePolicyRequired;
  if (p.principalOrg !== undefined) {
    set.principalOrg = {
      managementAccountId: p.principalOrg.managementAccountId,
      scpLevels: p.principalOrg.scpLevels.map((l, i) => ({
        target: l.target,
        policies: l.policies.map((d, j) => compileOne(d, `scp-${i}-${j}`, 'scp', c.asText)),
      })),
    };
  }
  if (p.resourceOrg !== undefined) {
    set.resourceOrg = {
      managementAccountId: p.resourceOrg.managementAccountId,
      rcpServices: new Set(p.resourceOrg.rcpServices),
      rcpLevels: p.resourceOrg.rcpLevels.map((l, i) => ({
        target: l.target,
        policies: l.policies.map((d, j) => compileOne(d, `rcp-${i}-${j}`, 'rcp', c.asText)),
      })),
    };
  }
  return set;
}

function engineRequest(r: RefRequest): EngineRequest {
  const req: Record<string, unknown> = {
    principal: r.principal,
    action: r.action,
    resource: r.resource,
    context: new RequestContext({ ...r.context }),
  };
  if (r.resourceAccount !== undefined) req.resourceAccount = r.resourceAccount;
  return req as unknown as EngineRequest;
}

function pretty(c: Case): string {
  const policies = c.policies.resourceOrg === undefined ? c.policies : { ...c.policies, resourceOrg: { ...c.policies.resourceOrg, rcpServices: [...c.policies.resourceOrg.rcpServices] } };
  return JSON.stringify(
    { request: c.request, policies, identityAsGroup: c.identityAsGroup, asText: c.asText, resourceKind: c.resourceKind },
    null,
    2,
  );
}

function safeExplain(req: EngineRequest, ev: ReturnType<typeof evaluate>): string {
  try {
    return explain(req, ev);
  } catch (err) {
    return `(explain threw: ${String(err)})`;
  }
}

type Stats = Record<Decision, number>;
const newStats = (): Stats => ({ allowed: 0, explicitDeny: 0, implicitDeny: 0 });

/**
 * Evaluates `request` with the compiled set twice (the engine caches) and checks both
 * results against the reference. Throws a readable error on a mismatch.
 */
function check(c: Case, request: RefRequest, compiled: EngineSet, stats: Stats): void {
  const expected = referenceEvaluate(request, c.policies);
  stats[expected] += 1;
  const req = engineRequest(request);
  const first = evaluate(req, compiled);
  const second = evaluate(req, compiled);
  const crossAccount = (request.resourceAccount ?? request.principal.account) !== request.principal.account;
  const problems: string[] = [];
  if (first.decision !== expected) problems.push(`engine decided ${first.decision}, reference decided ${expected}`);
  if (second.decision !== first.decision) problems.push(`engine is unstable: ${first.decision} then ${second.decision} for the same request`);
  if (first.crossAccount !== crossAccount) problems.push(`engine crossAccount=${String(first.crossAccount)}, expected ${String(crossAccount)}`);
  if (problems.length > 0) {
    throw new Error(
      `${problems.join('; ')}\n--- case (request evaluated: ${JSON.stringify(request)}) ---\n${pretty(c)}\n--- engine explanation ---\n${safeExplain(req, first)}`,
    );
  }
}

function report(t: { diagnostic(message: string): void }, stats: Stats): void {
  const total = stats.allowed + stats.explicitDeny + stats.implicitDeny;
  t.diagnostic(`${total} requests compared: allowed=${stats.allowed} explicitDeny=${stats.explicitDeny} implicitDeny=${stats.implicitDeny}`);
}

// ---------------------------------------------------------------------------------
// Hand-written vectors (iam.md rules): the reference and the engine must both give the expected decision.

interface Vector {
  readonly name: string;
  readonly request: RefRequest;
  readonly policies: RefPolicySet;
  readonly expected: Decision;
  readonly resourceKind?: 'resource' | 'trust';
}

const allowAll = (extra: Record<string, unknown> = {}): RawPolicy => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', ...extra }] });
const req = (over: Partial<RefRequest> = {}): RefRequest => ({
  principal: ALICE,
  action: 's3:GetObject',
  resource: 'arn:aws:s3:::bucket-a/home/alice/file.txt',
  context: {},
  ...over,
});
const cond = (c: Record<string, unknown>): RawPolicy => allowAll({ Condition: c });
const resourcePolicy = (principal: unknown): RawPolicy => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: principal, Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket-a/*' }],
});
const denyAll: RawPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] };
const onlyKms: RawPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };

const VECTORS: readonly Vector[] = [
  { name: 'no policy: implicit deny', request: req(), policies: {}, expected: 'implicitDeny' },
  { name: 'identity allow', request: req(), policies: { identity: [allowAll()] }, expected: 'allowed' },
  { name: 'explicit deny wins', request: req(), policies: { identity: [allowAll(), denyAll] }, expected: 'explicitDeny' },
  { name: 'action is case-insensitive', request: req({ action: 'S3:GETOBJECT' }), policies: { identity: [{ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:getobject', Resource: '*' } }] }, expected: 'allowed' },
  { name: 'resource is case-sensitive', request: req({ resource: 'arn:aws:s3:::Bucket-A/x' }), policies: { identity: [{ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::bucket-a/*' } }] }, expected: 'implicitDeny' },
  { name: 'NotAction allows other actions', request: req(), policies: { identity: [{ Statement: { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' } }] }, expected: 'allowed' },
  { name: 'missing key: StringEquals false', request: req(), policies: { identity: [cond({ StringEquals: { 'aws:username': 'alice' } })] }, expected: 'implicitDeny' },
  { name: 'missing key: StringNotEquals true', request: req(), policies: { identity: [cond({ StringNotEquals: { 'aws:username': 'alice' } })] }, expected: 'allowed' },
  { name: 'missing key: IfExists true', request: req(), policies: { identity: [cond({ StringEqualsIfExists: { 'aws:username': 'bob' } })] }, expected: 'allowed' },
  { name: 'missing key: ForAllValues true', request: req(), policies: { identity: [cond({ 'ForAllValues:StringEquals': { 'aws:TagKeys': 'env' } })] }, expected: 'allowed' },
  { name: 'missing key: ForAnyValue false', request: req(), policies: { identity: [cond({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'env' } })] }, expected: 'implicitDeny' },
  { name: 'negated operator is NOR over values', request: req({ context: { 'aws:username': 'alice' } }), policies: { identity: [cond({ StringNotEquals: { 'aws:username': ['bob', 'alice'] } })] }, expected: 'implicitDeny' },
  { name: 'single-valued operator on multivalued key: false', request: req({ context: { 'aws:TagKeys': ['env'] } }), policies: { identity: [cond({ StringEquals: { 'aws:TagKeys': 'env' } })] }, expected: 'implicitDeny' },
  { name: 'single-valued negated operator on multivalued key: false', request: req({ context: { 'aws:TagKeys': ['env'] } }), policies: { identity: [cond({ StringNotEquals: { 'aws:TagKeys': 'x' } })] }, expected: 'implicitDeny' },
  { name: 'ForAllValues:StringNotEquals: no value in the list', request: req({ context: { 'aws:TagKeys': ['a', 'env'] } }), policies: { identity: [cond({ 'ForAllValues:StringNotEquals': { 'aws:TagKeys': 'env' } })] }, expected: 'implicitDeny' },
  { name: 'ForAnyValue:StringNotEquals: one value not in the list', request: req({ context: { 'aws:TagKeys': ['a', 'env'] } }), policies: { identity: [cond({ 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': 'env' } })] }, expected: 'allowed' },
  { name: 'condition key names are case-insensitive', request: req({ context: { 'AWS:PrincipalTag/TEAM': 'dev' } }), policies: { identity: [cond({ StringEquals: { 'aws:principaltag/team': 'dev' } })] }, expected: 'allowed' },
  { name: 'variable in Resource', request: req({ context: { 'aws:username': 'alice' } }), policies: { identity: [{ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::bucket-a/home/${aws:username}/*' } }] }, expected: 'allowed' },
  { name: 'no variables in 2008-10-17', request: req({ context: { 'aws:username': 'alice' } }), policies: { identity: [{ Version: '2008-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::bucket-a/home/${aws:username}/*' } }] }, expected: 'implicitDeny' },
  { name: 'variable default', request: req(), policies: { identity: [{ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: "arn:aws:s3:::bucket-a/home/${aws:PrincipalTag/team, 'alice'}/*" } }] }, expected: 'allowed' },
  { name: 'missing variable: negated condition matches', request: req({ context: { 'aws:PrincipalTag/team': 'dev' } }), policies: { identity: [cond({ StringNotEquals: { 'aws:PrincipalTag/team': '${aws:username}' } })] }, expected: 'allowed' },
  { name: '${*} is a literal star', request: req({ resource: 'arn:aws:s3:::bucket-a/axb' }), policies: { identity: [{ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::bucket-a/a${*}b' } }] }, expected: 'implicitDeny' },
  { name: '${*} in StringEquals is a literal star', request: req({ context: { 'aws:username': 'x*' } }), policies: { identity: [cond({ StringEquals: { 'aws:username': 'x${*}' } })] }, expected: 'allowed' },
  { name: '${$} in StringEquals is a literal dollar', request: req({ context: { 'aws:username': 'a$b' } }), policies: { identity: [cond({ StringEquals: { 'aws:username': 'a${$}b' } })] }, expected: 'allowed' },
  { name: 'ForAnyValue with IfExists on a missing key is false (IfExists applies per request value)', request: req(), policies: { identity: [cond({ 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': 'env' } })] }, expected: 'implicitDeny' },
  { name: 'an empty list is a null data set: Null true', request: req({ context: { 'aws:TagKeys': [] } }), policies: { identity: [cond({ Null: { 'aws:TagKeys': 'true' } })] }, expected: 'allowed' },
  { name: 'an empty list is a null data set: a variable default applies', request: req({ context: { 'aws:PrincipalTag/team': [] } }), policies: { identity: [{ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: "arn:aws:s3:::bucket-a/home/${aws:PrincipalTag/team, 'alice'}/*" } }] }, expected: 'allowed' },
  { name: 'IP CIDR', request: req({ context: { 'aws:SourceIp': '10.1.2.3' } }), policies: { identity: [cond({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })] }, expected: 'allowed' },
  { name: 'IPv6 address forms', request: req({ context: { 'aws:SourceIp': '2001:DB8:0:0:0:0:0:1' } }), policies: { identity: [cond({ IpAddress: { 'aws:SourceIp': '2001:db8::1' } })] }, expected: 'allowed' },
  { name: 'date: epoch seconds vs ISO', request: req({ context: { 'aws:CurrentTime': '2024-03-01T12:00:00Z' } }), policies: { identity: [cond({ DateGreaterThan: { 'aws:CurrentTime': '1704067200' } })] }, expected: 'allowed' },
  { name: 'numeric decimals', request: req({ context: { 'aws:MultiFactorAuthAge': '10.5' } }), policies: { identity: [cond({ NumericEquals: { 'aws:MultiFactorAuthAge': '10.50' } })] }, expected: 'allowed' },
  { name: 'Bool is case-insensitive on values', request: req({ context: { 'aws:SecureTransport': true } }), policies: { identity: [cond({ Bool: { 'aws:SecureTransport': 'True' } })] }, expected: 'allowed' },
  { name: 'ArnLike is per component', request: req({ context: { 'aws:SourceArn': `arn:aws:sns:us-east-1:${A}:topic:sub` } }), policies: { identity: [cond({ ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:*' } })] }, expected: 'allowed' },
  { name: 'ArnLike: star does not cross a component colon', request: req({ context: { 'aws:SourceArn': `arn:aws:sns:us-east-1:${A}:topic:sub` } }), policies: { identity: [cond({ ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:topic:sub' } })] }, expected: 'implicitDeny' },
  { name: 'ArnLike: a policy value with fewer than six parts is a whole-string glob', request: req({ context: { 'aws:SourceArn': `arn:aws:sns:us-east-1:${A}:topic` } }), policies: { identity: [cond({ ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:topic' } })] }, expected: 'allowed' },
  { name: 'ArnLike with a variable in the account component', request: req({ context: { 'aws:PrincipalAccount': A, 'aws:PrincipalArn': ALICE.arn } }), policies: { identity: [cond({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::${aws:PrincipalAccount}:user/alice' } })] }, expected: 'allowed' },
  { name: 'ArnLike: a policy value with fewer than six parts matches a non-ARN value as a whole-string glob', request: req({ context: { 'aws:SourceArn': 'not-an-arn' } }), policies: { identity: [cond({ ArnLike: { 'aws:SourceArn': '*' } })] }, expected: 'allowed' },
  { name: 'Null true on absent key', request: req(), policies: { identity: [cond({ Null: { 'aws:TokenIssueTime': 'true' } })] }, expected: 'allowed' },
  { name: 'same account: resource policy naming the user grants alone', request: req(), policies: { resource: resourcePolicy({ AWS: ALICE.arn }) }, expected: 'allowed' },
  { name: 'same account: naming the account needs identity allow', request: req(), policies: { resource: resourcePolicy({ AWS: A }) }, expected: 'implicitDeny' },
  { name: 'same account: naming the role is capped by the boundary', request: req({ principal: SESSION_A }), policies: { resource: resourcePolicy({ AWS: ROLE_A }), boundary: onlyKms }, expected: 'implicitDeny' },
  { name: 'same account: naming the session is not capped by the boundary', request: req({ principal: SESSION_A }), policies: { resource: resourcePolicy({ AWS: SESSION_A.arn }), boundary: onlyKms }, expected: 'allowed' },
  { name: 'same account: session policies cap identity', request: req({ principal: SESSION_A }), policies: { identity: [allowAll()], session: [onlyKms] }, expected: 'implicitDeny' },
  { name: 'same account: empty session policy list allows nothing', request: req({ principal: SESSION_A }), policies: { identity: [allowAll()], session: [] }, expected: 'implicitDeny' },
  {
    name: 'trust policy (no Resource element) naming the caller grants sts:AssumeRole on the role',
    request: req({ action: 'sts:AssumeRole', resource: ROLE_A }),
    policies: { resource: { Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { AWS: ALICE.arn }, Action: 'sts:AssumeRole' } }, resourcePolicyRequired: true },
    resourceKind: 'trust',
    expected: 'allowed',
  },
  {
    name: 'root user: full access in its own account, resource-policy denies still apply',
    request: req({ principal: ROOT_A }),
    policies: { resource: { Version: '2012-10-17', Statement: { Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: '*' } } },
    expected: 'allowed',
  },
  {
    name: 'NotPrincipal: an account id is the root ARN, so it exempts the root user',
    request: req({ principal: ROOT_A }),
    policies: { resource: { Version: '2012-10-17', Statement: { Effect: 'Deny', NotPrincipal: { AWS: A }, Action: '*', Resource: '*' } } },
    expected: 'allowed',
  },
  { name: 'resourcePolicyRequired: identity allow is not enough', request: req(), policies: { identity: [allowAll()], resourcePolicyRequired: true }, expected: 'implicitDeny' },
  { name: 'cross account: identity allow alone is not enough', request: req({ resourceAccount: B }), policies: { identity: [allowAll()] }, expected: 'implicitDeny' },
  { name: 'cross account: both sides allow', request: req({ resourceAccount: B }), policies: { identity: [allowAll()], resource: resourcePolicy({ AWS: A }) }, expected: 'allowed' },
  { name: 'cross account: resource grant alone is not enough', request: req({ resourceAccount: B }), policies: { resource: resourcePolicy({ AWS: ALICE.arn }) }, expected: 'implicitDeny' },
  { name: 'NotPrincipal deny exempts the listed ARN', request: req(), policies: { identity: [allowAll()], resource: { Version: '2012-10-17', Statement: { Effect: 'Deny', NotPrincipal: { AWS: ALICE.arn }, Action: '*', Resource: '*' } } }, expected: 'allowed' },
  { name: 'NotPrincipal deny: listing the account does not exempt a user', request: req(), policies: { identity: [allowAll()], resource: { Version: '2012-10-17', Statement: { Effect: 'Deny', NotPrincipal: { AWS: A }, Action: '*', Resource: '*' } } }, expected: 'explicitDeny' },
  {
    name: 'SCP: every level needs an allow',
    request: req(),
    policies: { identity: [allowAll()], principalOrg: { managementAccountId: M, scpLevels: [{ target: 'r-abcd', policies: [SCP_FULL_ACCESS] }, { target: A, policies: [onlyKms] }] } },
    expected: 'implicitDeny',
  },
  {
    name: 'SCP: not applied to the management account',
    request: req({ principal: USER_M }),
    policies: { identity: [allowAll()], principalOrg: { managementAccountId: M, scpLevels: [{ target: 'r-abcd', policies: [denyAll] }] } },
    expected: 'allowed',
  },
  {
    name: 'SCP: not applied to service-linked roles',
    request: req({ principal: { ...SESSION_A, serviceLinkedRole: true } }),
    policies: { identity: [allowAll()], principalOrg: { managementAccountId: M, scpLevels: [{ target: 'r-abcd', policies: [] }] } },
    expected: 'allowed',
  },
  {
    name: 'service principal: only a resource policy can grant; SCPs do not apply',
    request: req({ principal: SERVICE_EC2 }),
    policies: {
      identity: [allowAll()],
      resource: resourcePolicy({ Service: 'ec2.amazonaws.com' }),
      principalOrg: { managementAccountId: M, scpLevels: [{ target: 'r-abcd', policies: [denyAll] }] },
    },
    expected: 'allowed',
  },
  {
    name: 'service principal: naming its account does not name the service',
    request: req({ principal: SERVICE_EC2 }),
    policies: { resource: resourcePolicy({ AWS: A }) },
    expected: 'implicitDeny',
  },
  {
    // RCPs bound the organization's resources for every caller, service principals
    // included: AWS's data-perimeter RCPs exempt them explicitly (aws:PrincipalIsAWSService).
    name: 'RCP: applies to service principals',
    request: req({ principal: SERVICE_EC2 }),
    policies: {
      resource: resourcePolicy({ Service: 'ec2.amazonaws.com' }),
      resourceOrg: { managementAccountId: M, rcpServices: ['s3'], rcpLevels: [{ target: 'r-abcd', policies: [RCP_FULL_ACCESS, { Version: '2012-10-17', Statement: { Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' } }] }] },
    },
    expected: 'explicitDeny',
  },
  {
    name: 'RCP: a service principal passes an RCP that exempts aws:PrincipalIsAWSService',
    request: req({ principal: SERVICE_EC2, context: { 'aws:PrincipalIsAWSService': 'true' } }),
    policies: {
      resource: resourcePolicy({ Service: 'ec2.amazonaws.com' }),
      resourceOrg: {
        managementAccountId: M,
        rcpServices: ['s3'],
        rcpLevels: [{ target: 'r-abcd', policies: [RCP_FULL_ACCESS, { Version: '2012-10-17', Statement: { Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: { BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } } } }] }],
      },
    },
    expected: 'allowed',
  },
  {
    name: 'RCP: not applied to service-linked roles',
    request: req({ principal: { ...SESSION_A, serviceLinkedRole: true } }),
    policies: {
      identity: [allowAll()],
      resourceOrg: { managementAccountId: M, rcpServices: ['s3'], rcpLevels: [{ target: 'r-abcd', policies: [] }] },
    },
    expected: 'allowed',
  },
  {
    name: 'RCP: applies to listed services only',
    request: req(),
    policies: { identity: [allowAll()], resourceOrg: { managementAccountId: M, rcpServices: ['kms'], rcpLevels: [{ target: 'r-abcd', policies: [] }] } },
    expected: 'allowed',
  },
  {
    name: 'RCP: a level without an allow denies',
    request: req(),
    policies: { identity: [allowAll()], resourceOrg: { managementAccountId: M, rcpServices: ['s3'], rcpLevels: [{ target: 'r-abcd', policies: [RCP_FULL_ACCESS] }, { target: A, policies: [] }] } },
    expected: 'implicitDeny',
  },
];

// ---------------------------------------------------------------------------------
// Tests

test('hand-written vectors from iam.md: reference and engine both give the expected decision', async (t) => {
  for (const v of VECTORS) {
    await t.test(v.name, () => {
      assert.equal(referenceEvaluate(v.request, v.policies), v.expected, `reference: ${v.name}`);
      const c: Case = { request: v.request, policies: v.policies, identityAsGroup: false, asText: false, resourceKind: v.resourceKind ?? 'resource' };
      const ev = evaluate(engineRequest(v.request), compileSet(c));
      assert.equal(ev.decision, v.expected, `engine: ${v.name}\n${pretty(c)}\n${safeExplain(engineRequest(v.request), ev)}`);
    });
  }
});

test('engine matches reference: condition operators (all operators, IfExists, ForAllValues/ForAnyValue, Null, variables) over random contexts', (t) => {
  const stats = newStats();
  fc.assert(
    fc.property(conditionCaseArb, (c) => {
      check(c, c.request, compileSet(c), stats);
    }),
    fcParams(7000),
  );
  report(t, stats);
});

test('engine matches reference: identity policies only (Action/NotAction globs, Resource/NotResource globs, variables, versions)', (t) => {
  const stats = newStats();
  fc.assert(
    fc.property(identityCaseArb, (c) => {
      check(c, c.request, compileSet(c), stats);
    }),
    fcParams(4000),
  );
  report(t, stats);
});

test('engine matches reference: same-account resource-policy grants by principal kind (user, role, session, account, wildcard, federated) under identity, boundary and session caps', (t) => {
  const stats = newStats();
  fc.assert(
    fc.property(sameAccountGrantCaseArb, (c) => {
      check(c, c.request, compileSet(c), stats);
    }),
    fcParams(3000),
  );
  report(t, stats);
});

test('engine matches reference: full policy sets (identity, boundary, session, resource/trust with principals, SCP and RCP levels; same and cross account; SLRs)', (t) => {
  const stats = newStats();
  fc.assert(
    fc.property(fullCaseArb, (c) => {
      check(c, c.request, compileSet(c), stats);
    }),
    fcParams(8000),
  );
  report(t, stats);
});

test('engine decision is stable across repeated and interleaved evaluation of one compiled set, recompilation, and array vs PolicyGroup identity input', (t) => {
  const stats = newStats();
  const arb = fc.tuple(policySetArb, fc.array(requestArb, { minLength: 2, maxLength: 4 }));
  fc.assert(
    fc.property(arb, ([rest, requests]) => {
      const cases = requests.map((request): Case => ({ request, ...rest }));
      const compiled = compileSet(cases[0]!);
      // Forward, then backward: cached per-request state must not leak between requests.
      for (const c of cases) check(c, c.request, compiled, stats);
      for (const c of [...cases].reverse()) check(c, c.request, compiled, stats);
      // Recompiled (cache hit by content) and with the other identity representation.
      const flipped: Case = { ...cases[0]!, identityAsGroup: !cases[0]!.identityAsGroup, asText: !cases[0]!.asText };
      check(flipped, flipped.request, compileSet(flipped), stats);
    }),
    fcParams(1500),
  );
  report(t, stats);
});
