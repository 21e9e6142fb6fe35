/**
 * The two ways a service acts when it calls another service (IAM User Guide, "Forward
 * access sessions" and "Service-linked roles"; iam.md §9-10):
 *
 * - **on the caller's behalf** (forward access session): the caller's own identity and
 *   policies, evaluated again downstream, with `aws:ViaAWSService` true, `aws:CalledVia`
 *   naming the chain of services, and `aws:SourceIp` the calling service's address, not
 *   the caller's. This is why a Deny on `aws:SourceIp` breaks CreateClientVpnEndpoint;
 * - **as its service-linked role**: the role's own session and policy, with
 *   `aws:ViaAWSService` false and the service's address.
 *
 * Either way the downstream call is its own CloudTrail event, `invokedBy` the service.
 */
import type { Caller } from './caller.js';
import type { Via } from './authorizer.js';
import type { Tx } from '../store/index.js';
import { roleLookup } from './pass-role.js';

/**
 * The address AWS services' own calls come from in Gatehouse: one stable address in an
 * Amazon-owned range (AWS uses many; which one is not documented). Policies that allow
 * only the caller's networks see it as "not the caller's address", as in AWS.
 */
export const AWS_SERVICE_ADDRESS = '52.94.133.131';

/** Who a downstream call is made as, and how it reached the downstream service. */
export interface Acting {
  readonly caller: Caller;
  /** Forward access: the chain of services; undefined for a service role's own call. */
  readonly via?: Via;
  /** `aws:SourceIp` of the downstream call. */
  readonly sourceIp: string;
  /** The service principal making the call (CloudTrail `invokedBy`). */
  readonly invokedBy: string;
}

/** A forward access session: the caller, via `service` (appended to any earlier chain). */
export function forwardAccess(caller: Caller, service: string, parent?: Via): Acting {
  return {
    caller,
    via: { calledVia: [...(parent?.calledVia ?? []), service], sourceIp: AWS_SERVICE_ADDRESS },
    sourceIp: AWS_SERVICE_ADDRESS,
    invokedBy: service,
  };
}

export interface ServiceRole {
  readonly account: string;
  readonly roleName: string;
  readonly roleId: string;
  /** With its path: arn:aws:iam::A:role/aws-service-role/<principal>/<name>. */
  readonly arn: string;
  readonly serviceLinked: boolean;
}

/** A session of a service's role, as the service assumes it for its own work. */
export function serviceRoleSession(role: ServiceRole, service: string, sessionName: string, now: Date): Acting {
  return {
    caller: {
      account: role.account,
      type: 'AssumedRole',
      arn: `arn:aws:sts::${role.account}:assumed-role/${role.roleName}/${sessionName}`,
      userId: `${role.roleId}:${sessionName}`,
      roleArn: role.arn,
      roleName: role.roleName,
      roleId: role.roleId,
      sessionName,
      accessKeyId: '',
      tokenIssueTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ...(role.serviceLinked ? { serviceLinkedRole: true } : {}),
    },
    sourceIp: AWS_SERVICE_ADDRESS,
    invokedBy: service,
  };
}

/**
 * A service's service-linked role in `account` (`AWSServiceRoleForClientVPN` for
 * `clientvpn.amazonaws.com`), or undefined when it does not exist: what a service checks
 * before creating its role on the caller's behalf, and the role it then acts as.
 */
export async function serviceLinkedRole(tx: Tx, account: string, principal: string, roleName: string): Promise<ServiceRole | undefined> {
  const arn = `arn:aws:iam::${account}:role/aws-service-role/${principal}/${roleName}`;
  const role = await roleLookup().roleByArn(tx, account, arn);
  if (!role || role.serviceLinked !== principal) return undefined;
  return { account, roleName: role.roleName, roleId: role.roleId, arn: role.arn, serviceLinked: true };
}
