/** IAM: users (operations are added here by the family's owner). */
import type { Handler } from '../types.js';

export const usersHandlers: Record<string, Handler> = {};
