/**
 * AWS Lambda (restJson1, 2015-03-31): functions, their versions, tags and resource
 * policies, and Invoke, which really runs a Node.js handler in a child process. Denials
 * are Lambda's `AccessDeniedException` (403). CloudTrail records management events
 * under Lambda's versioned event names (`CreateFunction20150331`,
 * `GetFunction20150331v2`...) and Invoke as a data event, which event history does not
 * show (CloudTrail User Guide, "Working with CloudTrail event history": management
 * events only).
 */
import { AwsError } from '../../models/errors.js';
import { functionHandlers } from './functions.js';
import { tagHandlers } from './tags.js';
import { permissionHandlers } from './permissions.js';
import { invokeHandlers } from './invoke.js';
import { FunctionRuntime } from './runtime.js';
import type { ServiceDefinition } from '../types.js';

/**
 * The eventName CloudTrail gives each Lambda operation: the API version it was routed to
 * (Lambda Developer Guide, "Logging Lambda API calls using CloudTrail": "the eventName
 * might include date and version information... GetFunction20150331"); the names are
 * the ones recorded events carry for the current API.
 */
export const LAMBDA_EVENT_NAMES: Readonly<Record<string, string>> = {
  CreateFunction: 'CreateFunction20150331',
  GetFunction: 'GetFunction20150331v2',
  GetFunctionConfiguration: 'GetFunctionConfiguration20150331v2',
  ListFunctions: 'ListFunctions20150331',
  DeleteFunction: 'DeleteFunction20150331',
  UpdateFunctionCode: 'UpdateFunctionCode20150331v2',
  UpdateFunctionConfiguration: 'UpdateFunctionConfiguration20150331v2',
  TagResource: 'TagResource20170331v2',
  UntagResource: 'UntagResource20170331v2',
  ListTags: 'ListTags20170331',
  AddPermission: 'AddPermission20150331v2',
  RemovePermission: 'RemovePermission20150331v2',
  GetPolicy: 'GetPolicy20150331v2',
};

export function lambdaService(): ServiceDefinition {
  const runtime = new FunctionRuntime();
  return {
    model: 'lambda',
    signingNames: ['lambda'],
    eventSource: 'lambda.amazonaws.com',
    handlers: { ...functionHandlers, ...tagHandlers, ...permissionHandlers, ...invokeHandlers(runtime) },
    accessDenied: (message) => new AwsError('AccessDeniedException', message, { status: 403 }),
    // Environment variables are hidden in CloudTrail; the code and payloads are left out.
    sensitive: ['Environment'],
    nonTransactional: ['Invoke'],
    trail: {
      eventNames: LAMBDA_EVENT_NAMES,
      dataEvents: ['Invoke'],
      // Lambda's CloudTrail page shows a denied GetFunction as `"errorCode": "AccessDenied"`.
      errorCodes: { AccessDeniedException: 'AccessDenied' },
      omitted: ['ZipFile', 'Payload', 'ClientContext', 'LogResult', 'StatusCode', 'FunctionError', 'ExecutedVersion'],
    },
    close: () => runtime.close(),
  };
}
