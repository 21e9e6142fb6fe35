/**
 * Conformance, the output half, STS: one ordered scenario that calls every STS operation
 * the server implements through the AWS SDK v3 with valid input, checks each answer
 * against the model (`checkOutput`), and compares the values that matter: the identities
 * (ARNs, ids, accounts) each set of credentials stands for, the requested durations, and
 * what the identity providers' tokens said. Every set of temporary credentials is then
 * used (GetCallerIdentity) to show it really is the identity the answer names.
 *
 * Prerequisites (users, keys, roles, identity providers) are IAM steps of the same table.
 * The identity providers' material (a JWT signed by a key of ours, a SAML response signed
 * by an IdP certificate of ours) comes from the STS test helpers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CreateAccessKeyCommand, CreateOpenIDConnectProviderCommand, CreateRoleCommand, CreateSAMLProviderCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  AssumeRoleWithSAMLCommand,
  AssumeRoleWithWebIdentityCommand,
  DecodeAuthorizationMessageCommand,
  GetAccessKeyInfoCommand,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
  GetSessionTokenCommand,
  type Credentials,
} from '@aws-sdk/client-sts';
import type { KeyObject } from 'node:crypto';
import { ACCOUNT, startServer, type Keys, type Running } from '../helpers/server.js';
import { AWS_SAML, makeIdp, mintJwt, rsaKey, samlResponse, SIGNIN, type Idp } from '../services/sts/helpers.js';
import { encodeAuthorizationMessage, type AuthorizationMessage } from '../../src/services/sts/index.js';
import { Scenario, stepsFor, type Step } from './scenario.js';

const USER = 'sts-alice';
const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/${USER}`;
const ROLE = 'sts-deployer';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
const WEB_ROLE = 'sts-web';
const WEB_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${WEB_ROLE}`;
const SAML_ROLE = 'sts-saml';
const SAML_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${SAML_ROLE}`;
const OIDC_HOST = 'token.conformance.example';
const OIDC_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${OIDC_HOST}`;
const CLIENT_ID = 'conf-client';
const SAML_NAME = 'sts-idp';
const SAML_ARN = `arn:aws:iam::${ACCOUNT}:saml-provider/${SAML_NAME}`;
const ENTITY_ID = 'https://idp.sts-conformance.example/saml';
const FEDERATED = 'fed-bob';

const doc = (...Statement: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement });
const SESSION_POLICY = doc({ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' });

/**
 * Implemented operations the scenario does not call, each with its reason. Empty: every
 * STS operation the server implements is exercised, the unsigned federation calls included.
 */
const EXCLUSIONS: Readonly<Record<string, string>> = {};

interface State {
  jwtKey: KeyObject;
  idp: Idp;
  userId?: string;
  alice?: Keys;
  roleId?: string;
  webRoleId?: string;
  samlRoleId?: string;
  roleSession?: Keys;
  sessionToken?: Keys;
  federation?: Keys;
  webSession?: Keys;
  samlSession?: Keys;
  message?: AuthorizationMessage;
}

const sts = stepsFor<State>('sts');
const iam = stepsFor<State>('iam');

const keysOf = (c: Credentials | undefined): Keys => ({ accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! });

/** Temporary credentials: an ASIA key, a 40-character secret, a token, and the expiry asked for. */
function temporary(c: Credentials | undefined, seconds: number): void {
  assert.match(c!.AccessKeyId!, /^ASIA[A-Z0-9]{16}$/);
  assert.equal(c!.SecretAccessKey!.length, 40);
  assert.ok(c!.SessionToken!.length > 0, 'a session token');
  const expected = Date.now() + seconds * 1000;
  assert.ok(Math.abs(c!.Expiration!.getTime() - expected) < 60_000, `Expiration ${c!.Expiration!.toISOString()} is not ${seconds} s away`);
}

const steps: Step<State>[] = [
  sts(GetCallerIdentityCommand, {}, (out) => {
    // The root user: its ARN is the account's, its id the account id (GetCallerIdentity, API reference).
    assert.deepEqual({ Account: out.Account, Arn: out.Arn, UserId: out.UserId }, { Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root`, UserId: ACCOUNT });
  }, { label: 'root' }),

  // ---- an IAM user with a key, allowed STS ----
  iam(CreateUserCommand, { UserName: USER }, (out, s) => {
    s.userId = out.User!.UserId!;
  }),
  iam(PutUserPolicyCommand, { UserName: USER, PolicyName: 'sts', PolicyDocument: doc({ Effect: 'Allow', Action: 'sts:*', Resource: '*' }) }),
  iam(CreateAccessKeyCommand, { UserName: USER }, (out, s) => {
    s.alice = { accessKeyId: out.AccessKey!.AccessKeyId!, secretAccessKey: out.AccessKey!.SecretAccessKey! };
  }),
  sts(GetCallerIdentityCommand, {}, (out, s) => {
    assert.deepEqual({ Account: out.Account, Arn: out.Arn, UserId: out.UserId }, { Account: ACCOUNT, Arn: USER_ARN, UserId: s.userId });
  }, { label: 'an IAM user', as: (s) => s.alice! }),
  sts(GetAccessKeyInfoCommand, (s) => ({ AccessKeyId: s.alice!.accessKeyId }), (out) => assert.equal(out.Account, ACCOUNT), { label: "an IAM user's key" }),

  // ---- AssumeRole ----
  iam(
    CreateRoleCommand,
    {
      RoleName: ROLE,
      MaxSessionDuration: 7200,
      AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: USER_ARN }, Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] }),
    },
    (out, s) => {
      s.roleId = out.Role!.RoleId!;
    },
  ),
  sts(
    AssumeRoleCommand,
    { RoleArn: ROLE_ARN, RoleSessionName: 'deploy-1', DurationSeconds: 1800, Policy: SESSION_POLICY, Tags: [{ Key: 'project', Value: 'conformance' }], SourceIdentity: 'alice-source' },
    (out, s) => {
      s.roleSession = keysOf(out.Credentials);
      temporary(out.Credentials, 1800);
      assert.deepEqual(out.AssumedRoleUser, { AssumedRoleId: `${s.roleId}:deploy-1`, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/deploy-1` });
      assert.equal(out.SourceIdentity, 'alice-source');
      // A session policy and tags were passed: their packed size, a percentage of the limit.
      assert.ok(typeof out.PackedPolicySize === 'number' && out.PackedPolicySize > 0 && out.PackedPolicySize < 100, `PackedPolicySize ${out.PackedPolicySize}`);
    },
    { as: (s) => s.alice! },
  ),
  sts(GetCallerIdentityCommand, {}, (out, s) => {
    assert.deepEqual(
      { Account: out.Account, Arn: out.Arn, UserId: out.UserId },
      { Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/deploy-1`, UserId: `${s.roleId}:deploy-1` },
    );
  }, { label: 'a role session', as: (s) => s.roleSession! }),
  sts(GetAccessKeyInfoCommand, (s) => ({ AccessKeyId: s.roleSession!.accessKeyId }), (out) => assert.equal(out.Account, ACCOUNT), { label: "a role session's key" }),

  // ---- GetSessionToken: the same user, temporary ----
  sts(GetSessionTokenCommand, { DurationSeconds: 900 }, (out, s) => {
    s.sessionToken = keysOf(out.Credentials);
    temporary(out.Credentials, 900);
  }, { as: (s) => s.alice! }),
  sts(GetCallerIdentityCommand, {}, (out, s) => {
    assert.deepEqual({ Account: out.Account, Arn: out.Arn, UserId: out.UserId }, { Account: ACCOUNT, Arn: USER_ARN, UserId: s.userId });
  }, { label: 'a GetSessionToken session', as: (s) => s.sessionToken! }),

  // ---- GetFederationToken ----
  sts(GetFederationTokenCommand, { Name: FEDERATED, Policy: SESSION_POLICY, DurationSeconds: 900 }, (out, s) => {
    s.federation = keysOf(out.Credentials);
    temporary(out.Credentials, 900);
    assert.deepEqual(out.FederatedUser, { FederatedUserId: `${ACCOUNT}:${FEDERATED}`, Arn: `arn:aws:sts::${ACCOUNT}:federated-user/${FEDERATED}` });
    assert.ok(typeof out.PackedPolicySize === 'number' && out.PackedPolicySize > 0 && out.PackedPolicySize < 100, `PackedPolicySize ${out.PackedPolicySize}`);
  }, { as: (s) => s.alice! }),
  // "Federated user: account:caller-specified-name" (GetCallerIdentity, API reference).
  sts(GetCallerIdentityCommand, {}, (out) => {
    assert.deepEqual(
      { Account: out.Account, Arn: out.Arn, UserId: out.UserId },
      { Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:federated-user/${FEDERATED}`, UserId: `${ACCOUNT}:${FEDERATED}` },
    );
  }, { label: 'a federated user', as: (s) => s.federation! }),

  // ---- DecodeAuthorizationMessage ----
  // Services that deny with an encoded message (EC2's "Encoded authorization failure
  // message") encode it with STS's encoder (src/services/sts/decode.ts); no such service
  // is served yet, so the message is encoded here with that same encoder, in the same
  // process as the server (its key is per process).
  sts(
    DecodeAuthorizationMessageCommand,
    (s) => {
      s.message = {
        allowed: false,
        explicitDeny: false,
        matchedStatements: { items: [] },
        failures: { items: [] },
        context: {
          principal: { id: s.userId!, name: USER, arn: USER_ARN },
          action: 'ec2:RunInstances',
          resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*`,
          conditions: { items: [{ key: 'aws:RequestedRegion', values: { items: [{ value: 'us-east-1' }] } }] },
        },
      };
      return { EncodedMessage: encodeAuthorizationMessage(ACCOUNT, s.message) };
    },
    (out, s) => {
      assert.deepEqual(JSON.parse(out.DecodedMessage!), s.message);
    },
    { as: (s) => s.alice! },
  ),

  // ---- AssumeRoleWithWebIdentity (unsigned) ----
  iam(CreateOpenIDConnectProviderCommand, { Url: `https://${OIDC_HOST}`, ClientIDList: [CLIENT_ID], ThumbprintList: ['c'.repeat(40)] }, (out) => assert.equal(out.OpenIDConnectProviderArn, OIDC_ARN)),
  iam(
    CreateRoleCommand,
    {
      RoleName: WEB_ROLE,
      AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { Federated: OIDC_ARN }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${OIDC_HOST}:aud`]: CLIENT_ID } } }),
    },
    (out, s) => {
      s.webRoleId = out.Role!.RoleId!;
    },
    { label: 'for web identities' },
  ),
  sts(
    AssumeRoleWithWebIdentityCommand,
    (s) => ({ RoleArn: WEB_ROLE_ARN, RoleSessionName: 'web-1', DurationSeconds: 900, WebIdentityToken: mintJwt(s.jwtKey, { iss: `https://${OIDC_HOST}`, sub: 'user-42', aud: CLIENT_ID }) }),
    (out, s) => {
      s.webSession = keysOf(out.Credentials);
      temporary(out.Credentials, 900);
      assert.deepEqual(out.AssumedRoleUser, { AssumedRoleId: `${s.webRoleId}:web-1`, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${WEB_ROLE}/web-1` });
      assert.equal(out.SubjectFromWebIdentityToken, 'user-42');
      assert.equal(out.Audience, CLIENT_ID);
      // With an IAM OIDC provider, the provider's ARN (as real responses, and the
      // responseElements CloudTrail records of them, show).
      assert.equal(out.Provider, OIDC_ARN);
    },
  ),
  sts(GetCallerIdentityCommand, {}, (out) => assert.equal(out.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/${WEB_ROLE}/web-1`), { label: 'a web identity session', as: (s) => s.webSession! }),

  // ---- AssumeRoleWithSAML (unsigned) ----
  iam(CreateSAMLProviderCommand, (s) => ({ Name: SAML_NAME, SAMLMetadataDocument: s.idp.metadata }), (out) => assert.equal(out.SAMLProviderArn, SAML_ARN)),
  iam(
    CreateRoleCommand,
    {
      RoleName: SAML_ROLE,
      AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { Federated: SAML_ARN }, Action: 'sts:AssumeRoleWithSAML', Condition: { StringEquals: { 'SAML:aud': SIGNIN } } }),
    },
    (out, s) => {
      s.samlRoleId = out.Role!.RoleId!;
    },
    { label: 'for SAML' },
  ),
  sts(
    AssumeRoleWithSAMLCommand,
    (s) => ({
      RoleArn: SAML_ROLE_ARN,
      PrincipalArn: SAML_ARN,
      DurationSeconds: 900,
      SAMLAssertion: samlResponse({ idp: s.idp, nameId: 'alice@example.com', attributes: { [`${AWS_SAML}Role`]: [`${SAML_ROLE_ARN},${SAML_ARN}`], [`${AWS_SAML}RoleSessionName`]: ['alice@example.com'] } }),
    }),
    (out, s) => {
      s.samlSession = keysOf(out.Credentials);
      temporary(out.Credentials, 900);
      assert.deepEqual(out.AssumedRoleUser, { AssumedRoleId: `${s.samlRoleId}:alice@example.com`, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${SAML_ROLE}/alice@example.com` });
      assert.deepEqual(
        { Subject: out.Subject, SubjectType: out.SubjectType, Issuer: out.Issuer, Audience: out.Audience },
        { Subject: 'alice@example.com', SubjectType: 'persistent', Issuer: ENTITY_ID, Audience: SIGNIN },
      );
      // "BASE64 ( SHA1 ( Issuer + account id + "/" + provider name ) )" (AssumeRoleWithSAML, API reference).
      assert.equal(out.NameQualifier, createHash('sha1').update(`${ENTITY_ID}${ACCOUNT}/${SAML_NAME}`).digest('base64'));
    },
  ),
  sts(GetCallerIdentityCommand, {}, (out, s) => {
    assert.deepEqual({ Arn: out.Arn, UserId: out.UserId }, { Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${SAML_ROLE}/alice@example.com`, UserId: `${s.samlRoleId}:alice@example.com` });
  }, { label: 'a SAML session', as: (s) => s.samlSession! }),
];

describe('Conformance: STS outputs match the model and name the identities they issue', () => {
  let server: Running;
  let scenario: Scenario<State>;
  before(async () => {
    server = await startServer();
    const state: State = { jwtKey: rsaKey().privateKey, idp: makeIdp(ENTITY_ID) };
    scenario = new Scenario<State>(server.endpoint, state);
  });
  after(async () => server.close());

  it('scenario', async (t) => {
    await scenario.run(t, steps);
  });

  it('coverage: every implemented STS operation is called by the scenario', (t) => {
    scenario.assertCoverage(t, 'sts', server.gatehouse.implementedOperations().sts ?? [], EXCLUSIONS);
  });
});
