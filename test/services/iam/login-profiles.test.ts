/**
 * Login profiles against the real server: passwords hashed and never returned or
 * logged, the password policy enforced, ChangePassword by the user itself.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ChangePasswordCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  DeleteLoginProfileCommand,
  GetLoginProfileCommand,
  UpdateAccountPasswordPolicyCommand,
  UpdateLoginProfileCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { ACCOUNT, startServer, type Running } from '../../helpers/server.js';
import { allow, iamClient, policyDoc, rejects, userWithKey } from './helpers.js';

describe('IAM login profiles', () => {
  let server: Running;
  let iam: IAMClient;
  before(async () => {
    server = await startServer();
    iam = iamClient(server.endpoint);
  });
  after(async () => server.close());

  it('creates, reads, updates and deletes a login profile', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'console' }));
    const created = (await iam.send(new CreateLoginProfileCommand({ UserName: 'console', Password: 'Sup3r-Secret!', PasswordResetRequired: true }))).LoginProfile!;
    assert.deepEqual([created.UserName, created.PasswordResetRequired], ['console', true]);
    assert.ok(created.CreateDate instanceof Date);
    assert.deepEqual(Object.keys(created).sort(), ['CreateDate', 'PasswordResetRequired', 'UserName']);

    await rejects(iam.send(new CreateLoginProfileCommand({ UserName: 'console', Password: 'An0ther-Secret!' })), 'EntityAlreadyExists', 'Login Profile for user console already exists.', 409);
    await iam.send(new UpdateLoginProfileCommand({ UserName: 'console', PasswordResetRequired: false }));
    const got = (await iam.send(new GetLoginProfileCommand({ UserName: 'console' }))).LoginProfile!;
    assert.deepEqual([got.UserName, got.PasswordResetRequired, got.CreateDate!.getTime()], ['console', false, created.CreateDate.getTime()]);

    await iam.send(new DeleteLoginProfileCommand({ UserName: 'console' }));
    await rejects(iam.send(new GetLoginProfileCommand({ UserName: 'console' })), 'NoSuchEntity', 'Login Profile for User console cannot be found.', 404);
    await rejects(iam.send(new DeleteLoginProfileCommand({ UserName: 'console' })), 'NoSuchEntity', 'Login Profile for User console cannot be found.');
    await rejects(iam.send(new CreateLoginProfileCommand({ UserName: 'nobody', Password: 'Sup3r-Secret!' })), 'NoSuchEntity', 'The user with name nobody cannot be found.');

    // The password is never written to CloudTrail.
    await server.gatehouse.trail.flush();
    const events = await server.gatehouse.store.queryEvents({ account: ACCOUNT, limit: 1000 });
    assert.ok(events.length > 0);
    assert.ok(!JSON.stringify(events).includes('Sup3r-Secret!'));
  });

  it('enforces the password policy, and IAM’s default one without a policy', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'weak' }));
    await rejects(iam.send(new CreateLoginProfileCommand({ UserName: 'weak', Password: 'short' })), 'PasswordPolicyViolation', 'Password should have a minimum length of 8', 400);
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 12, RequireNumbers: true, RequireSymbols: true }));
    await rejects(iam.send(new CreateLoginProfileCommand({ UserName: 'weak', Password: 'abcdefgh1!x' })), 'PasswordPolicyViolation', 'Password should have a minimum length of 12');
    await rejects(iam.send(new CreateLoginProfileCommand({ UserName: 'weak', Password: 'abcdefghijklm!' })), 'PasswordPolicyViolation', 'Password should have at least one number');
    await rejects(iam.send(new CreateLoginProfileCommand({ UserName: 'weak', Password: 'abcdefghijklm1' })), 'PasswordPolicyViolation', 'Password should have at least one symbol');
    await iam.send(new CreateLoginProfileCommand({ UserName: 'weak', Password: 'abcdefghijkl1!' }));
  });

  it('a user changes its own password with the old one', async () => {
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 8, PasswordReusePrevention: 2 }));
    const ivy = await userWithKey(iam, server.endpoint, 'ivy', policyDoc(allow('iam:ChangePassword', `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`)));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'ivy', Password: 'first-Pass1', PasswordResetRequired: true }));

    await rejects(ivy.iam.send(new ChangePasswordCommand({ OldPassword: 'wrong-Pass1', NewPassword: 'second-Pass2' })), 'AccessDenied', 'The old password is incorrect.', 403);
    await rejects(ivy.iam.send(new ChangePasswordCommand({ OldPassword: 'first-Pass1', NewPassword: 'first-Pass1' })), 'PasswordPolicyViolation', 'Password should not be one of your last 2 passwords');
    await ivy.iam.send(new ChangePasswordCommand({ OldPassword: 'first-Pass1', NewPassword: 'second-Pass2' }));
    assert.equal((await iam.send(new GetLoginProfileCommand({ UserName: 'ivy' }))).LoginProfile!.PasswordResetRequired, false, 'changing the password clears the reset flag');
    // The new password is now the one that counts.
    await rejects(ivy.iam.send(new ChangePasswordCommand({ OldPassword: 'first-Pass1', NewPassword: 'third-Pass3' })), 'AccessDenied', 'The old password is incorrect.');
    await ivy.iam.send(new ChangePasswordCommand({ OldPassword: 'second-Pass2', NewPassword: 'third-Pass3' }));

    // Without a grant (and without AllowUsersToChangePassword), ChangePassword is denied.
    const jay = await userWithKey(iam, server.endpoint, 'jay');
    await iam.send(new CreateLoginProfileCommand({ UserName: 'jay', Password: 'jays-Pass1' }));
    await rejects(
      jay.iam.send(new ChangePasswordCommand({ OldPassword: 'jays-Pass1', NewPassword: 'jays-Pass2' })),
      'AccessDenied',
      `User: arn:aws:iam::${ACCOUNT}:user/jay is not authorized to perform: iam:ChangePassword on resource: arn:aws:iam::${ACCOUNT}:user/jay because no identity-based policy allows the iam:ChangePassword action`,
    );
    await iam.send(new UpdateAccountPasswordPolicyCommand({ AllowUsersToChangePassword: true }));
    await jay.iam.send(new ChangePasswordCommand({ OldPassword: 'jays-Pass1', NewPassword: 'jays-Pass2' }));

    await rejects(iam.send(new ChangePasswordCommand({ OldPassword: 'x', NewPassword: 'y' })), 'InvalidUserType', /^Only IAM users/);
  });
});
