/**
 * Directory Service Data attributes (admin guide, "AWS Directory Service Data
 * attributes"): the request attributes that have their own parameters (GivenName → givenName,
 * Surname → sn, EmailAddress → mail, GroupScope, GroupType, SAMAccountName), the read-only
 * ones (distinguishedName, objectSid, userPrincipalName...), and the "other attributes"
 * given in OtherAttributes by LDAP display name (case-insensitive), each with its type.
 *
 * The guide's table of other attributes is long; Gatehouse knows the common Active
 * Directory ones below (a choice, listed so the checks are explicit). Searchable: the
 * guide marks sAMAccountName, givenName, sn and mail searchable; Gatehouse also searches
 * description and displayName.
 *
 * Failures are ValidationException with the model's reasons: an unknown name
 * INVALID_ATTRIBUTE_NAME; a group's attribute on a user INVALID_ATTRIBUTE_FOR_USER (and
 * the reverse); a read-only one INVALID_ATTRIBUTE_FOR_MODIFY; a value of the wrong type
 * INVALID_ATTRIBUTE_VALUE; the same name twice DUPLICATE_ATTRIBUTE; a search on an
 * unsearchable one INVALID_ATTRIBUTE_FOR_SEARCH; ADD of a present value ATTRIBUTE_EXISTS;
 * REMOVE of an absent one MISSING_ATTRIBUTE.
 */
import { validation } from './access.js';
import type { AttributeValue } from './objects.js';
import type { UpdateType } from './types.js';

type Kind = 'S' | 'N' | 'BOOL' | 'SS';
type Target = 'user' | 'group';

interface Spec {
  readonly name: string;
  readonly kind: Kind;
  readonly on: readonly Target[];
  /** `parameter`: set through the request's own member; `readonly`: computed by the directory. */
  readonly access: 'parameter' | 'readonly' | 'other';
  readonly searchable?: boolean;
}

const both: readonly Target[] = ['user', 'group'];
const user: readonly Target[] = ['user'];
const group: readonly Target[] = ['group'];

const SPECS: readonly Spec[] = [
  { name: 'sAMAccountName', kind: 'S', on: both, access: 'parameter', searchable: true },
  { name: 'givenName', kind: 'S', on: user, access: 'parameter', searchable: true },
  { name: 'sn', kind: 'S', on: user, access: 'parameter', searchable: true },
  { name: 'mail', kind: 'S', on: user, access: 'parameter', searchable: true },
  { name: 'groupScope', kind: 'S', on: group, access: 'parameter' },
  { name: 'groupType', kind: 'S', on: group, access: 'parameter' },
  { name: 'distinguishedName', kind: 'S', on: both, access: 'readonly' },
  { name: 'objectSid', kind: 'S', on: both, access: 'readonly' },
  { name: 'userPrincipalName', kind: 'S', on: user, access: 'readonly' },
  { name: 'memberOf', kind: 'SS', on: both, access: 'readonly' },
  { name: 'member', kind: 'SS', on: group, access: 'readonly' },
  { name: 'description', kind: 'S', on: both, access: 'other', searchable: true },
  { name: 'displayName', kind: 'S', on: both, access: 'other', searchable: true },
  { name: 'info', kind: 'S', on: both, access: 'other' },
  { name: 'wWWHomePage', kind: 'S', on: both, access: 'other' },
  { name: 'initials', kind: 'S', on: user, access: 'other' },
  { name: 'middleName', kind: 'S', on: user, access: 'other' },
  { name: 'title', kind: 'S', on: user, access: 'other' },
  { name: 'department', kind: 'S', on: user, access: 'other' },
  { name: 'division', kind: 'S', on: user, access: 'other' },
  { name: 'company', kind: 'S', on: user, access: 'other' },
  { name: 'employeeID', kind: 'S', on: user, access: 'other' },
  { name: 'employeeNumber', kind: 'S', on: user, access: 'other' },
  { name: 'employeeType', kind: 'S', on: user, access: 'other' },
  { name: 'telephoneNumber', kind: 'S', on: user, access: 'other' },
  { name: 'mobile', kind: 'S', on: user, access: 'other' },
  { name: 'homePhone', kind: 'S', on: user, access: 'other' },
  { name: 'pager', kind: 'S', on: user, access: 'other' },
  { name: 'ipPhone', kind: 'S', on: user, access: 'other' },
  { name: 'facsimileTelephoneNumber', kind: 'S', on: user, access: 'other' },
  { name: 'otherTelephone', kind: 'SS', on: user, access: 'other' },
  { name: 'otherMobile', kind: 'SS', on: user, access: 'other' },
  { name: 'streetAddress', kind: 'S', on: user, access: 'other' },
  { name: 'l', kind: 'S', on: user, access: 'other' },
  { name: 'st', kind: 'S', on: user, access: 'other' },
  { name: 'postalCode', kind: 'S', on: user, access: 'other' },
  { name: 'co', kind: 'S', on: user, access: 'other' },
  { name: 'c', kind: 'S', on: user, access: 'other' },
  { name: 'countryCode', kind: 'N', on: user, access: 'other' },
  { name: 'physicalDeliveryOfficeName', kind: 'S', on: user, access: 'other' },
  { name: 'homeDirectory', kind: 'S', on: user, access: 'other' },
  { name: 'homeDrive', kind: 'S', on: user, access: 'other' },
  { name: 'profilePath', kind: 'S', on: user, access: 'other' },
  { name: 'scriptPath', kind: 'S', on: user, access: 'other' },
  { name: 'url', kind: 'SS', on: user, access: 'other' },
  { name: 'proxyAddresses', kind: 'SS', on: both, access: 'other' },
];

const BY_KEY = new Map(SPECS.map((s) => [s.name.toLowerCase(), s]));

/** The known attribute `name` names, for an object of `target`; or the reason it cannot be used. */
function lookup(name: string, target: Target): Spec {
  const spec = BY_KEY.get(name.toLowerCase());
  if (!spec) throw validation('INVALID_ATTRIBUTE_NAME', `Attribute ${name} is not a supported attribute.`);
  if (!spec.on.includes(target)) {
    throw validation(target === 'user' ? 'INVALID_ATTRIBUTE_FOR_USER' : 'INVALID_ATTRIBUTE_FOR_GROUP', `Attribute ${name} does not apply to a ${target}.`);
  }
  return spec;
}

/** The display name of a stored (lower-case) key. */
export const displayName = (key: string): string => BY_KEY.get(key)?.name ?? key;

function kindOf(v: AttributeValue): Kind | undefined {
  const set = (['S', 'N', 'BOOL', 'SS'] as const).filter((k) => v[k] !== undefined);
  return set.length === 1 ? set[0] : undefined;
}

/**
 * OtherAttributes of a create or update: known, writable, for this kind of object, each
 * value of its attribute's type. Returns them by lower-case name.
 */
export function writableAttributes(attrs: Readonly<Record<string, AttributeValue>> | undefined, target: Target): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(attrs ?? {})) {
    const spec = lookup(name, target);
    const key = spec.name.toLowerCase();
    if (key in out) throw validation('DUPLICATE_ATTRIBUTE', `Attribute ${spec.name} is given more than once.`);
    if (spec.access === 'readonly') throw validation('INVALID_ATTRIBUTE_FOR_MODIFY', `Attribute ${spec.name} is read-only.`);
    if (spec.access === 'parameter') throw validation('INVALID_ATTRIBUTE_NAME', `Attribute ${spec.name} is set with its own request parameter, not in OtherAttributes.`);
    const kind = kindOf(value);
    if (kind !== spec.kind) throw validation('INVALID_ATTRIBUTE_VALUE', `Attribute ${spec.name} takes a value of type ${spec.kind}.`);
    if (kind === 'N' && !Number.isInteger(value.N)) throw validation('INVALID_ATTRIBUTE_VALUE', `Attribute ${spec.name} takes an integer.`);
    if (kind === 'SS' && new Set(value.SS).size !== value.SS!.length) throw validation('DUPLICATE_ATTRIBUTE', `Attribute ${spec.name} has a value more than once.`);
    out[key] = value;
  }
  return out;
}

/** Attribute names asked for by DescribeUser / DescribeGroup, by lower-case name (duplicates once). */
export function requestedAttributes(names: readonly string[] | undefined, target: Target): string[] {
  return [...new Set((names ?? []).map((n) => lookup(n, target).name.toLowerCase()))];
}

/** SearchAttributes: known, for this kind of object, and searchable. */
export function searchAttributes(names: readonly string[], target: Target): string[] {
  return [
    ...new Set(
      names.map((n) => {
        const spec = lookup(n, target);
        if (!spec.searchable) throw validation('INVALID_ATTRIBUTE_FOR_SEARCH', `Attribute ${spec.name} is not searchable.`);
        return spec.name.toLowerCase();
      }),
    ),
  ];
}

/**
 * Whether any of an object's `values` contains the search string, ignoring case. A `*` is
 * an ordinary character ("Wildcard (*) searches aren't supported").
 */
export function matches(values: readonly (AttributeValue | undefined)[], search: string): boolean {
  const needle = search.toLowerCase();
  return values.some((v) => (v?.S !== undefined && v.S.toLowerCase().includes(needle)) || (v?.SS ?? []).some((s) => s.toLowerCase().includes(needle)));
}

/**
 * Apply an update to attributes (by lower-case name). REPLACE (the default, a choice: the
 * API Reference names no default) sets; ADD sets an absent attribute or adds new values
 * to a multi-valued one; REMOVE clears an attribute, or removes the given values of a
 * multi-valued one.
 */
export function applyUpdate(current: Readonly<Record<string, AttributeValue>>, changes: Readonly<Record<string, AttributeValue>>, type: UpdateType = 'REPLACE'): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = { ...current };
  for (const [key, value] of Object.entries(changes)) {
    const had = out[key];
    const name = displayName(key);
    if (type === 'REPLACE') out[key] = value;
    else if (type === 'ADD') {
      if (had && value.SS && had.SS) {
        const dup = value.SS.find((s) => had.SS!.includes(s));
        if (dup !== undefined) throw validation('ATTRIBUTE_EXISTS', `Attribute ${name} already has the value ${dup}.`);
        out[key] = { SS: [...had.SS, ...value.SS] };
      } else if (had) throw validation('ATTRIBUTE_EXISTS', `Attribute ${name} already has a value. Use REPLACE to change it.`);
      else out[key] = value;
    } else {
      if (!had) throw validation('MISSING_ATTRIBUTE', `Attribute ${name} has no value to remove.`);
      if (value.SS && had.SS && value.SS.length > 0) {
        const absent = value.SS.find((s) => !had.SS!.includes(s));
        if (absent !== undefined) throw validation('MISSING_ATTRIBUTE', `Attribute ${name} does not have the value ${absent}.`);
        const left = had.SS.filter((s) => !value.SS!.includes(s));
        if (left.length) out[key] = { SS: left };
        else delete out[key];
      } else delete out[key];
    }
  }
  return out;
}

/** Stored attributes by display name, for output. */
export function attributesOut(attrs: Readonly<Record<string, AttributeValue>>, only?: readonly string[]): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [key, v] of Object.entries(attrs)) if (!only || only.includes(key)) out[displayName(key)] = v.SS ? { SS: [...v.SS] } : { ...v };
  return out;
}
