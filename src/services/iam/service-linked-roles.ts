/** IAM: service linked roles (operations are added here by the family's owner). */
import type { Handler } from '../types.js';

export const serviceLinkedRolesHandlers: Record<string, Handler> = {};
