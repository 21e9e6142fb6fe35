/**
 * What a service is to the server: a model, the names it is signed under, and one
 * handler per operation. A handler sees typed input and returns typed output, or throws
 * an AwsError; it never sees HTTP, XML or JSON.
 */
import type { Caller } from '../auth/caller.js';
import type { AccountOrganization, AuthorizeOptions, Via } from '../auth/authorizer.js';
import type { ServiceRole } from '../auth/service-calls.js';
import type { Evaluation } from '../policy/index.js';
import type { Tx } from '../store/index.js';
import type { AwsError } from '../models/errors.js';

export interface ServiceContext {
  readonly requestId: string;
  /** The region the request was signed for (IAM calls: us-east-1, as AWS records them). */
  readonly region: string;
  readonly caller: Caller;
  /** Store access; for mutating operations this is the request's transaction. */
  readonly tx: Tx;
  readonly now: Date;
  readonly sourceIp: string;
  readonly userAgent: string;
  /**
   * Authorize the caller for `action` on `resource`, with the request's context keys plus
   * `options.context`. Throws the service's access-denied error. Every operation calls it
   * at least once: the server refuses to answer a request that had no policy decision.
   */
  authorize(action: string, resource: string, options?: AuthorizeOptions): Promise<Evaluation>;
  /**
   * For the few operations AWS documents as needing no permission (sts:GetCallerIdentity):
   * records that exemption as the request's decision, with the documented reason.
   */
  noPermissionRequired(reason: string): void;
  /**
   * What Organizations tells the authorizer about an account (its SCPs, its organization's
   * condition keys), undefined outside any organization: for IAM's policy simulator, which
   * reports the SCPs that apply to the simulated principal's account.
   */
  organizationOf(account: string): Promise<AccountOrganization | undefined>;
  /** Note a resource the call touched, for the CloudTrail event's `resources`. */
  recordResource(type: string, name: string): void;
  /** Services reachable from this one, for work done on the caller's behalf. */
  readonly services: ServiceHost;
  /** How this call reached its service: undefined for a direct call. */
  readonly via?: Via;
  /**
   * Call another service's operation on the caller's behalf (a forward access session):
   * the caller is authorized again downstream, with aws:ViaAWSService true and the
   * service's address. `service` is the calling service's principal.
   */
  onBehalfOf(service: string): ServiceCaller;
  /** Call another service's operation as a service's own (service-linked) role. */
  asServiceRole(role: ServiceRole, service: string, sessionName: string): ServiceCaller;
  /**
   * Call another service's operation in an account the calling service manages, with that
   * account's root authority: Organizations creating a new account's
   * OrganizationAccountAccessRole. Recorded in CloudTrail as the account's root, invoked by
   * the service.
   */
  asAccount(account: string, service: string): ServiceCaller;
  /**
   * Call another service's operation as the caller, directly (no forward access): what a
   * console page does with the signed-in principal's credentials (IAM Identity Center's
   * Enable button). Each call is authorized and recorded as the caller's own.
   */
  asCaller(): ServiceCaller;
}

/** Runs another service's operation inside the current request's transaction, as its own CloudTrail event. */
export interface ServiceCaller {
  call<O extends object = Record<string, unknown>>(service: string, operation: string, input: object): Promise<O>;
}

// Handlers are typed per operation in each service (inputs and outputs from the SDK's
// types); the registry holds them without their parameter types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (input: any, ctx: ServiceContext) => Promise<object | void>;

export interface ServiceDefinition {
  /** The model file (`iam`, `sts`, `sso-admin`...). */
  readonly model: string;
  /** Credential-scope service names that route here (`sso` for sso-admin...). */
  readonly signingNames: readonly string[];
  /** CloudTrail `eventSource`. */
  readonly eventSource: string;
  /** IAM and STS are global in CloudTrail terms: events carry us-east-1. */
  readonly globalRegion?: string;
  readonly handlers: Readonly<Record<string, Handler>>;
  /** The error a denial raises; AccessDenied with AWS's message by default. */
  readonly accessDenied?: (message: string, evaluation: Evaluation, denied: DeniedRequest) => AwsError;
  /** Run every operation in a transaction, reads too (EC2 creates a region's default VPC on first use). */
  readonly alwaysTransactional?: boolean;
  /** Operations that answer without credentials (STS AssumeRoleWithSAML / WithWebIdentity). */
  readonly unsigned?: readonly string[];
  /**
   * Gatehouse operations: what AWS does without a public API (a VPN client connecting),
   * served at `POST /_gatehouse/<signing name>/<Operation>` (src/server/pipeline.ts).
   */
  readonly gatehouseOperations?: Readonly<Record<string, Handler>>;
  /** Members never written to CloudTrail (passwords, secrets). */
  readonly sensitive?: readonly string[];
  /**
   * The code a JSON service gives input that fails the model's constraints, when it is
   * not ValidationException (CloudWatch Logs answers InvalidParameterException, with the
   * same "N validation errors detected" message).
   */
  readonly validationErrorCode?: string;
  /**
   * Operations that write nothing to the store and run outside a transaction, though
   * their names are not a read's (Lambda's Invoke runs a function for up to 15 minutes:
   * holding the store's one connection that long would stall every other request).
   */
  readonly nonTransactional?: readonly string[];
  /** How CloudTrail records this service's calls, where it differs from the defaults. */
  readonly trail?: TrailOptions;
  /** Release what the service holds (child processes, temporary files) when the server closes. */
  close?(): Promise<void>;
}

export interface TrailOptions {
  /**
   * CloudTrail's `eventName` for operations it records under another name (Lambda's
   * `GetFunction` is `GetFunction20150331v2`, its API version in the name).
   */
  readonly eventNames?: Readonly<Record<string, string>>;
  /**
   * Operations CloudTrail records as data events (`managementEvent: false`,
   * `eventCategory: Data`): event history (LookupEvents) never shows them, and requests
   * that failed authentication or authorization are not recorded (Lambda's Invoke).
   */
  readonly dataEvents?: readonly string[];
  /**
   * CloudTrail's `errorCode` for wire error codes it records under another name (Lambda's
   * `AccessDeniedException` is `AccessDenied` in its events).
   */
  readonly errorCodes?: Readonly<Record<string, string>>;
  /**
   * Request and response members CloudTrail leaves out altogether, where `sensitive`
   * would show them as hidden (Lambda: "The ZipFile parameter is omitted").
   */
  readonly omitted?: readonly string[];
}

/** What was denied, for services whose error encodes it (EC2's UnauthorizedOperation). */
export interface DeniedRequest {
  readonly caller: Caller;
  readonly action: string;
  readonly resource: string;
  readonly context: Iterable<readonly [string, string | readonly string[]]>;
}

/** Lets one service reach another through the auth layer (forward access / SLR calls). */
export interface ServiceHost {
  readonly accountId: string;
}
