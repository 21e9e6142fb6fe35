/**
 * Directory Service Data's inputs and outputs, written from the model
 * (src/models/ds-data.json, 2023-05-31): no JavaScript SDK client for ds-data is installed
 * here, so these small interfaces stand in for the SDK's types. Members follow the model's
 * names; `required` members of the model are required here.
 */
import type { AttributeValue, GroupScope, GroupType, MemberType } from './objects.js';

export type { AttributeValue, GroupScope, GroupType, MemberType };
export type Attributes = Readonly<Record<string, AttributeValue>>;
export type UpdateType = 'ADD' | 'REPLACE' | 'REMOVE';

interface DirectoryInput {
  readonly DirectoryId: string;
}
interface Idempotent {
  readonly ClientToken?: string;
}
interface Paged {
  readonly MaxResults?: number;
  readonly NextToken?: string;
}

// Users
export interface CreateUserRequest extends DirectoryInput, Idempotent {
  readonly SAMAccountName: string;
  readonly GivenName?: string;
  readonly Surname?: string;
  readonly EmailAddress?: string;
  readonly OtherAttributes?: Attributes;
}
export interface CreateUserResult {
  readonly DirectoryId?: string;
  readonly SAMAccountName?: string;
  readonly SID?: string;
}
export interface DescribeUserRequest extends DirectoryInput {
  readonly SAMAccountName: string;
  readonly Realm?: string;
  readonly OtherAttributes?: readonly string[];
}
export interface User {
  readonly SAMAccountName: string;
  readonly DistinguishedName?: string;
  readonly EmailAddress?: string;
  readonly Enabled?: boolean;
  readonly GivenName?: string;
  readonly OtherAttributes?: Attributes;
  readonly SID?: string;
  readonly Surname?: string;
  readonly UserPrincipalName?: string;
}
export interface DescribeUserResult extends User {
  readonly DirectoryId?: string;
  readonly Realm?: string;
}
export interface UpdateUserRequest extends DirectoryInput, Idempotent {
  readonly SAMAccountName: string;
  readonly GivenName?: string;
  readonly Surname?: string;
  readonly EmailAddress?: string;
  readonly OtherAttributes?: Attributes;
  readonly UpdateType?: UpdateType;
}
export interface UserNameRequest extends DirectoryInput, Idempotent {
  readonly SAMAccountName: string;
}
export interface ListUsersRequest extends DirectoryInput, Paged {
  readonly Realm?: string;
}
export interface UserSummary {
  readonly Enabled: boolean;
  readonly SAMAccountName: string;
  readonly SID: string;
  readonly GivenName?: string;
  readonly Surname?: string;
}
export interface ListUsersResult {
  readonly DirectoryId?: string;
  readonly Realm?: string;
  readonly Users?: UserSummary[];
  readonly NextToken?: string;
}
export interface SearchRequest extends DirectoryInput, Paged {
  readonly SearchAttributes: readonly string[];
  readonly SearchString: string;
  readonly Realm?: string;
}
export interface SearchUsersResult {
  readonly DirectoryId?: string;
  readonly Realm?: string;
  readonly Users?: User[];
  readonly NextToken?: string;
}

// Groups
export interface CreateGroupRequest extends DirectoryInput, Idempotent {
  readonly SAMAccountName: string;
  readonly GroupScope?: GroupScope;
  readonly GroupType?: GroupType;
  readonly OtherAttributes?: Attributes;
}
export interface CreateGroupResult {
  readonly DirectoryId?: string;
  readonly SAMAccountName?: string;
  readonly SID?: string;
}
export interface DescribeGroupRequest extends DirectoryInput {
  readonly SAMAccountName: string;
  readonly Realm?: string;
  readonly OtherAttributes?: readonly string[];
}
export interface Group {
  readonly SAMAccountName: string;
  readonly DistinguishedName?: string;
  readonly GroupScope?: GroupScope;
  readonly GroupType?: GroupType;
  readonly OtherAttributes?: Attributes;
  readonly SID?: string;
}
export interface DescribeGroupResult extends Group {
  readonly DirectoryId?: string;
  readonly Realm?: string;
}
export interface UpdateGroupRequest extends DirectoryInput, Idempotent {
  readonly SAMAccountName: string;
  readonly GroupScope?: GroupScope;
  readonly GroupType?: GroupType;
  readonly OtherAttributes?: Attributes;
  readonly UpdateType?: UpdateType;
}
export interface GroupNameRequest extends DirectoryInput, Idempotent {
  readonly SAMAccountName: string;
}
export interface ListGroupsRequest extends DirectoryInput, Paged {
  readonly Realm?: string;
}
export interface GroupSummary {
  readonly GroupScope: GroupScope;
  readonly GroupType: GroupType;
  readonly SAMAccountName: string;
  readonly SID: string;
}
export interface ListGroupsResult {
  readonly DirectoryId?: string;
  readonly Realm?: string;
  readonly Groups?: GroupSummary[];
  readonly NextToken?: string;
}
export interface SearchGroupsResult {
  readonly DirectoryId?: string;
  readonly Realm?: string;
  readonly Groups?: Group[];
  readonly NextToken?: string;
}

// Memberships
export interface GroupMemberRequest extends DirectoryInput, Idempotent {
  readonly GroupName: string;
  readonly MemberName: string;
  readonly MemberRealm?: string;
}
export interface ListGroupMembersRequest extends DirectoryInput, Paged {
  readonly SAMAccountName: string;
  readonly Realm?: string;
  readonly MemberRealm?: string;
}
export interface Member {
  readonly MemberType: MemberType;
  readonly SAMAccountName: string;
  readonly SID: string;
}
export interface ListGroupMembersResult {
  readonly DirectoryId?: string;
  readonly Realm?: string;
  readonly MemberRealm?: string;
  readonly Members?: Member[];
  readonly NextToken?: string;
}
export interface ListGroupsForMemberRequest extends DirectoryInput, Paged {
  readonly SAMAccountName: string;
  readonly Realm?: string;
  readonly MemberRealm?: string;
}
export interface ListGroupsForMemberResult {
  readonly DirectoryId?: string;
  readonly Realm?: string;
  readonly MemberRealm?: string;
  readonly Groups?: GroupSummary[];
  readonly NextToken?: string;
}
