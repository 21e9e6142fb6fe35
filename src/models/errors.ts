/**
 * A typed AWS error: what a handler throws and every codec knows how to write. The code
 * is the wire code (`NoSuchEntity`, `AccessDenied`, `InvalidParameterValue`); the codec
 * looks it up in the service model for its HTTP status and fault, unless given here.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly options: {
      /** HTTP status; otherwise from the model's error shape, else 400. */
      readonly status?: number;
      /** `Sender` (the caller's fault, the default) or `Receiver`. */
      readonly fault?: 'Sender' | 'Receiver';
      /** Extra modelled members of the error shape (JSON protocols). */
      readonly members?: Readonly<Record<string, unknown>>;
      /** The shape name when it differs from the code (JSON: `NoSuchEntityException`). */
      readonly shape?: string;
    } = {},
  ) {
    super(message);
    this.name = code;
  }
}

/** Errors AWS returns from every service, with their statuses. */
export const COMMON_ERRORS = {
  accessDenied: (message: string) => new AwsError('AccessDenied', message, { status: 403 }),
  invalidClientTokenId: () => new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', { status: 403 }),
  signatureDoesNotMatch: () =>
    new AwsError(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      { status: 403 },
    ),
  expiredToken: () => new AwsError('ExpiredToken', 'The security token included in the request is expired', { status: 403 }),
  incompleteSignature: (message: string) => new AwsError('IncompleteSignature', message, { status: 400 }),
  missingAuthenticationToken: () => new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', { status: 403 }),
  invalidAction: (action: string, version: string) => new AwsError('InvalidAction', `Could not find operation ${action} for version ${version}`, { status: 400 }),
  internal: () => new AwsError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', { status: 500, fault: 'Receiver' }),
} as const;
