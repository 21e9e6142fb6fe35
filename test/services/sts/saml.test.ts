/**
 * sts:AssumeRoleWithSAML: the response verified against the IAM SAML provider's metadata
 * (issuer, XML signature), its validity and Role attribute checked, then the role's trust
 * policy deciding with the saml: keys.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CreateSAMLProviderCommand, type IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleWithSAMLCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ACCOUNT, boto3, REGION, startServer, type Running } from '../../helpers/server.js';
import { AWS_SAML, iamClient, makeIdp, rejects, role, roleArn, samlResponse, SIGNIN, stsClient, trust, type Idp, type SamlOptions } from './helpers.js';

const ENTITY = 'https://idp.example.com/saml/metadata';

describe('sts:AssumeRoleWithSAML', () => {
  let server: Running;
  let root: IAMClient;
  let idp: Idp;
  let other: Idp;
  let provider: string;
  let anonymous: STSClient;
  let roleId: string;
  const response = (o: Partial<SamlOptions> = {}, roleName = 'saml-role'): string =>
    samlResponse({ idp, attributes: { [`${AWS_SAML}Role`]: [`${roleArn(roleName)},${provider}`], [`${AWS_SAML}RoleSessionName`]: ['alice@example.com'] }, ...o });
  const send = (assertion: string, roleName = 'saml-role', principal = provider) =>
    anonymous.send(new AssumeRoleWithSAMLCommand({ RoleArn: roleArn(roleName), PrincipalArn: principal, SAMLAssertion: assertion }));

  before(async () => {
    server = await startServer();
    root = iamClient(server.endpoint);
    idp = makeIdp(ENTITY);
    other = makeIdp(ENTITY);
    anonymous = new STSClient({ endpoint: server.endpoint, region: REGION, maxAttempts: 1, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } });
    const created = await root.send(new CreateSAMLProviderCommand({ Name: 'corp-idp', SAMLMetadataDocument: idp.metadata }));
    provider = created.SAMLProviderArn!;
    assert.equal(provider, `arn:aws:iam::${ACCOUNT}:saml-provider/corp-idp`);
    roleId = await role(root, 'saml-role', trust({ Federated: provider }, 'sts:AssumeRoleWithSAML', { StringEquals: { 'SAML:aud': SIGNIN } }));
  });
  after(() => server.close());

  it('issues a role session for a signed assertion, with the SAML fields', async () => {
    const out = await send(response());
    assert.deepEqual(out.AssumedRoleUser, { AssumedRoleId: `${roleId}:alice@example.com`, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/saml-role/alice@example.com` });
    assert.equal(out.Subject, 'alice@example.com');
    assert.equal(out.SubjectType, 'persistent');
    assert.equal(out.Issuer, ENTITY);
    assert.equal(out.Audience, SIGNIN);
    assert.equal(out.NameQualifier, createHash('sha1').update(`${ENTITY}${ACCOUNT}/corp-idp`).digest('base64'));
    assert.ok(Math.abs(out.Credentials!.Expiration!.getTime() - (Date.now() + 3600_000)) < 5_000);
    const keys = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
    const me = await stsClient(server.endpoint, keys).send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/saml-role/alice@example.com`);
  });

  it('accepts a signature on the response instead of the assertion', async () => {
    const out = await send(response({ signResponse: true }));
    assert.equal(out.Subject, 'alice@example.com');
  });

  it('refuses a response whose signature does not verify', async () => {
    const invalid = 'Response signature invalid';
    // Changed after signing.
    await rejects(send(response({ after: (x) => x.replace('>alice@example.com</saml:NameID>', '>mallory@example.com</saml:NameID>') })), 'InvalidIdentityTokenException', invalid, 400);
    await rejects(send(response({ signResponse: true, after: (x) => x.replace('>alice@example.com</saml:NameID>', '>mallory@example.com</saml:NameID>') })), 'InvalidIdentityTokenException', invalid);
    // Signed with a key the metadata does not hold (its own certificate in KeyInfo does not count).
    await rejects(send(samlResponse({ idp: other, attributes: { [`${AWS_SAML}Role`]: [`${roleArn('saml-role')},${provider}`], [`${AWS_SAML}RoleSessionName`]: ['alice'] } })), 'InvalidIdentityTokenException', invalid);
    // Not signed at all.
    await rejects(send(response({ after: (x) => x.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '') })), 'InvalidIdentityTokenException', invalid);
    // A second, unsigned copy of the assertion (signature wrapping).
    await rejects(
      send(response({ after: (x) => x.replace('</samlp:Response>', `${/<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(x)![0].replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '')}</samlp:Response>`) })),
      'InvalidIdentityTokenException',
      'The SAML response is not a valid SAML 2.0 authentication response.',
    );
  });

  it('checks the provider, the issuer and the validity period', async () => {
    await rejects(send(response(), 'saml-role', `arn:aws:iam::${ACCOUNT}:saml-provider/nope`), 'InvalidIdentityTokenException', "Specified provider doesn't exist", 400);
    await rejects(send(response({ issuer: 'https://evil.example.com' })), 'InvalidIdentityTokenException', 'Issuer not present in specified provider');
    const old = new Date(Date.now() - 20 * 60_000);
    await rejects(send(response({ now: old, notOnOrAfter: new Date(old.getTime() + 5 * 60_000) })), 'ExpiredTokenException', 'Token must be redeemed within 5 minutes of issuance', 400);
  });

  it('needs the role in the Role attribute, a valid session name, and the trust policy', async () => {
    await role(root, 'not-listed', trust({ Federated: provider }, 'sts:AssumeRoleWithSAML'));
    await rejects(send(response(), 'not-listed'), 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithSAML', 403);
    await rejects(
      send(samlResponse({ idp, attributes: { [`${AWS_SAML}Role`]: [`${provider},${roleArn('saml-role')}`], [`${AWS_SAML}RoleSessionName`]: ['bad name!'] } })),
      'InvalidIdentityTokenException',
      'RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}',
    );
    // The trust policy's SAML:aud condition: the assertion's Recipient.
    await rejects(send(response({ recipient: 'https://elsewhere.example.com/acs' })), 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithSAML', 403);
    // saml:sub conditions.
    await role(root, 'only-bob', trust({ Federated: provider }, 'sts:AssumeRoleWithSAML', { StringEquals: { 'saml:sub': 'bob@example.com' } }));
    await rejects(send(response({}, 'only-bob'), 'only-bob'), 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithSAML');
    const bob = await send(response({ nameId: 'bob@example.com' }, 'only-bob'), 'only-bob');
    assert.equal(bob.Subject, 'bob@example.com');
  });

  it('works from boto3', async () => {
    const assertion = response();
    const script = `out = client('sts').assume_role_with_saml(RoleArn='${roleArn('saml-role')}', PrincipalArn='${provider}', SAMLAssertion='${assertion}')\nprint(json.dumps([out['AssumedRoleUser']['Arn'], out['Issuer'], out['SubjectType']]))`;
    const out = JSON.parse(await boto3(server.endpoint, script)) as string[];
    assert.deepEqual(out, [`arn:aws:sts::${ACCOUNT}:assumed-role/saml-role/alice@example.com`, ENTITY, 'persistent']);
  });
});
