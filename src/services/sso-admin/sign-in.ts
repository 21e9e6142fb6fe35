/**
 * Signing a user in through the instance: the access portal's last step, where the user
 * picks an account and a permission set and Identity Center hands AWS sign-in a SAML
 * assertion for the provisioned role. Gatehouse holds no portal passwords, so the
 * Gatehouse operation `sso/SignIn` (also `POST /_gatehouse/identity-center/sign-in`)
 * stands in for the user's authentication: a principal of the instance's account who may
 * list the user's assignments (`sso:ListAccountAssignmentsForPrincipal`) vouches for the
 * user and gets the assertion, signed by the instance's IdP (idp.ts). Exchanging it with
 * STS `AssumeRoleWithSAML` (the `gatehouse identity-center sign-in` command does) gives
 * exactly the permission set's access, for its session duration.
 *
 * The user needs an assignment of the set in the account, directly or through a group.
 */
import type { SecretBox } from '../../auth/secrets.js';
import { AwsError } from '../../models/errors.js';
import { groupIdsOfUser, userByName } from '../identitystore/directory.js';
import type { Handler, ServiceContext } from '../types.js';
import { assignmentsOf } from './assignment-records.js';
import { signedResponse, instanceIdp } from './idp.js';
import { instancesOf } from './instances.js';
import { PERMISSION_SET_KIND, type PermissionSetRecord } from './permission-sets.js';
import { durationSeconds, provisionedId, providerArn, rolePath, PROVISIONED_KIND, type ProvisionedRecord } from './provisioning.js';

interface SignInInput {
  readonly InstanceArn?: string;
  readonly UserName?: string;
  readonly AccountId?: string;
  /** The permission set's name or ARN. */
  readonly PermissionSet?: string;
}

export interface SignInOutput {
  /** Base64, for AssumeRoleWithSAML's SAMLAssertion. */
  readonly SAMLAssertion: string;
  readonly RoleArn: string;
  readonly PrincipalArn: string;
  readonly DurationSeconds: number;
}

const validation = (message: string): AwsError => new AwsError('ValidationException', message);

export function signInGatehouseOperations(box: SecretBox): Record<string, Handler> {
  return {
    async SignIn(input: SignInInput, ctx: ServiceContext): Promise<SignInOutput> {
      for (const key of ['UserName', 'AccountId', 'PermissionSet'] as const) if (typeof input[key] !== 'string' || !input[key]) throw validation(`${key} is required.`);
      const instances = await instancesOf(ctx);
      const instance = input.InstanceArn ? instances.find((i) => i.InstanceArn === input.InstanceArn) : instances.length === 1 ? instances[0] : undefined;
      await ctx.authorize('sso:ListAccountAssignmentsForPrincipal', instance?.InstanceArn ?? input.InstanceArn ?? '*');
      if (!instance) throw new AwsError('ResourceNotFoundException', input.InstanceArn ? `Instance ${input.InstanceArn} does not exist.` : 'This account has no instance of IAM Identity Center (or several: name one with InstanceArn).');
      const user = await userByName(ctx.tx, instance.OwnerAccountId, instance.IdentityStoreId, input.UserName!);
      if (!user) throw new AwsError('ResourceNotFoundException', `User ${input.UserName!} does not exist in the identity store ${instance.IdentityStoreId}.`);
      const sets = await ctx.tx.list<PermissionSetRecord>(instance.OwnerAccountId, PERMISSION_SET_KIND, { parent: instance.InstanceArn });
      const set = sets.find((s) => s.PermissionSetArn === input.PermissionSet || s.Name.toLowerCase() === input.PermissionSet!.toLowerCase());
      if (!set) throw new AwsError('ResourceNotFoundException', `PermissionSet ${input.PermissionSet!} does not exist.`);

      const groups = await groupIdsOfUser(ctx.tx, instance.OwnerAccountId, instance.IdentityStoreId, user.UserId);
      const assigned = (await assignmentsOf(ctx, instance)).some(
        (a) => a.PermissionSetArn === set.PermissionSetArn && a.AccountId === input.AccountId && (a.PrincipalType === 'USER' ? a.PrincipalId === user.UserId : groups.includes(a.PrincipalId)),
      );
      const provisioned = await ctx.tx.get<ProvisionedRecord>(instance.OwnerAccountId, PROVISIONED_KIND, provisionedId(set.PermissionSetArn, input.AccountId!));
      // Undocumented — choice: the portal shows no such account/set; AccessDenied here.
      if (!assigned || !provisioned) throw new AwsError('AccessDeniedException', `User ${input.UserName!} has no access to account ${input.AccountId!} with permission set ${set.Name}.`);

      const idp = await instanceIdp(ctx, box, instance);
      const seconds = durationSeconds(set.SessionDuration);
      const roleArn = `arn:aws:iam::${provisioned.AccountId}:role${rolePath(instance)}${provisioned.RoleName}`;
      const principalArn = providerArn(provisioned.AccountId, idp.providerName);
      const userName = String(user.Attributes.UserName);
      return {
        SAMLAssertion: signedResponse(idp, { nameId: userName, sessionName: userName, roleArn, providerArn: principalArn, now: ctx.now, sessionNotOnOrAfter: new Date(ctx.now.getTime() + seconds * 1000) }),
        RoleArn: roleArn,
        PrincipalArn: principalArn,
        DurationSeconds: seconds,
      };
    },
  };
}
