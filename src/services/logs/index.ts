/**
 * Amazon CloudWatch Logs (awsJson 1.1, `Logs_20140328`): log groups and streams, events
 * (PutLogEvents, GetLogEvents, FilterLogEvents with filter patterns), retention and tags.
 *
 * Two service-wide behaviours of CloudWatch Logs:
 * - A denial is `AccessDeniedException` with HTTP status 400 (not 403), as AWS answers
 *   ("Status Code: 400; Error Code: AccessDeniedException" in public reports); CloudTrail
 *   records its errorCode as `AccessDenied`.
 * - Input that fails the model's constraints is `InvalidParameterException` with the
 *   usual "1 validation error detected: ..." message, a missing required member included
 *   ("Value null at 'logEvents.1.member.timestamp' failed to satisfy constraint: Member
 *   must not be null", quoted in public bug reports), not ValidationException.
 *
 * Other services write logs through the normal call path (Client VPN's connection log, as
 * its service-linked role: CreateLogStream, PutLogEvents, DescribeLogGroups/Streams via
 * `ctx.asServiceRole(...).call('logs', ...)`); nothing else is exported for them.
 */
import { AwsError } from '../../models/errors.js';
import { eventHandlers } from './events.js';
import { groupHandlers } from './groups.js';
import { retentionHandlers } from './retention.js';
import { streamHandlers } from './streams.js';
import { tagHandlers } from './tags.js';
import type { ServiceDefinition } from '../types.js';

export function logsService(): ServiceDefinition {
  return {
    model: 'logs',
    signingNames: ['logs'],
    eventSource: 'logs.amazonaws.com',
    handlers: { ...groupHandlers, ...streamHandlers, ...eventHandlers, ...retentionHandlers, ...tagHandlers },
    accessDenied: (message) => new AwsError('AccessDenied', message, { status: 400, shape: 'AccessDeniedException' }),
    validationErrorCode: 'InvalidParameterException',
  };
}
