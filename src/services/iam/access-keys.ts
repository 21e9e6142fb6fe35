/** IAM: access keys (operations are added here by the family's owner). */
import type { Handler } from '../types.js';

export const accessKeysHandlers: Record<string, Handler> = {};
