/** IAM: instance profiles (operations are added here by the family's owner). */
import type { Handler } from '../types.js';

export const instanceProfilesHandlers: Record<string, Handler> = {};
