/**
 * IAM tags, shared by every taggable IAM resource (users, roles, policies, instance
 * profiles, providers): validation, merge and removal as the tagging and untagging
 * operations do them, and the condition keys tags put in a request's context.
 */
import { AwsError } from '../../models/errors.js';
import { limitExceeded, type Tag } from './records.js';

/** Tags as inputs carry them (the SDK's types make every member optional). */
export type InputTag = { readonly Key?: string; readonly Value?: string };

/** Tags: at most 50, unique keys (IAM: "Duplicate tag keys found..."). */
export function checkTags(tags: readonly InputTag[] | undefined): void {
  if (!tags) return;
  if (tags.length > TAG_QUOTA) throw limitExceeded('The number of tags has reached the maximum limit.');
  const keys = new Set<string>();
  for (const t of tags) {
    const k = (t.Key ?? '').toLowerCase();
    if (keys.has(k)) throw new AwsError('InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.', { status: 400 });
    keys.add(k);
  }
}

const TAG_QUOTA = 50;

/** Tags as stored, from an input list. */
export const storedTags = (tags: readonly InputTag[] | undefined): Tag[] => tags?.map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })) ?? [];

/**
 * TagRole / TagPolicy / TagInstanceProfile...: a key already present (whatever its case)
 * takes the new value; the result may hold at most 50 tags.
 */
export function mergeTags(existing: readonly Tag[], added: readonly InputTag[] | undefined): Tag[] {
  checkTags(added);
  const out = [...existing];
  for (const t of storedTags(added)) {
    const i = out.findIndex((e) => e.Key.toLowerCase() === t.Key.toLowerCase());
    if (i >= 0) out[i] = t;
    else out.push(t);
  }
  if (out.length > TAG_QUOTA) throw limitExceeded('The number of tags has reached the maximum limit.');
  return out;
}

/** UntagRole / UntagPolicy...: keys not present are ignored, as IAM ignores them. */
export function removeTags(existing: readonly Tag[], keys: readonly string[] | undefined): Tag[] {
  const drop = new Set((keys ?? []).map((k) => k.toLowerCase()));
  return existing.filter((t) => !drop.has(t.Key.toLowerCase()));
}

/**
 * `aws:ResourceTag/*` for a resource's own tags (and, for users and roles, the older
 * `iam:ResourceTag/*` the Service Authorization Reference also lists).
 */
export function resourceTagContext(tags: readonly Tag[] | undefined, withIamKeys = false): Record<string, string> {
  const ctx: Record<string, string> = {};
  for (const t of tags ?? []) {
    ctx[`aws:ResourceTag/${t.Key}`] = t.Value;
    if (withIamKeys) ctx[`iam:ResourceTag/${t.Key}`] = t.Value;
  }
  return ctx;
}

/** `aws:RequestTag/*` and `aws:TagKeys` for an operation that sets tags. */
export function tagContext(tags: readonly InputTag[] | undefined): Record<string, string | string[]> {
  if (!tags?.length) return {};
  const ctx: Record<string, string | string[]> = { 'aws:TagKeys': tags.map((t) => t.Key ?? '') };
  for (const t of tags) ctx[`aws:RequestTag/${t.Key ?? ''}`] = t.Value ?? '';
  return ctx;
}
