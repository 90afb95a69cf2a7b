// Narrow IAM adapter: only the calls iamsa makes, with tags as plain records.
import {
  AddClientIDToOpenIDConnectProviderCommand,
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetOpenIDConnectProviderCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  ListOpenIDConnectProvidersCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  ListPolicyVersionsCommand,
  TagOpenIDConnectProviderCommand,
  TagPolicyCommand,
  TagRoleCommand,
  type Tag,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
  paginateListAttachedRolePolicies,
  paginateGetAccountAuthorizationDetails,
  paginateListPolicies,
  paginateListRolePolicies,
  paginateListRoles,
  paginateSimulatePrincipalPolicy,
} from '@aws-sdk/client-iam';
import { tagsFromList, tagsToList } from '../policy/index.js';
import { aws, awsOptional, retryWhileNotFound } from './errors.js';

export type Tags = Record<string, string>;

export interface OidcProvider {
  arn: string;
  url: string;
  clientIds: string[];
  thumbprints: string[];
  tags: Tags;
}

export interface Role {
  arn: string;
  name: string;
  path: string;
  /** The trust policy as IAM returns it (URL-encoded JSON). */
  trustPolicy: string;
  tags: Tags;
  permissionsBoundaryArn?: string;
}

export interface NewRole {
  name: string;
  path: string;
  trustPolicy: string;
  description: string;
  tags: Tags;
  permissionsBoundaryArn?: string;
}

export interface PolicySummary {
  arn: string;
  name: string;
  description?: string;
  awsManaged: boolean;
}

/** A customer-managed policy with its default version's document. */
export interface ManagedPolicy {
  arn: string;
  name: string;
  defaultVersionId: string;
  /** The default version's document as IAM returns it (URL-encoded JSON). */
  document: string;
  tags: Tags;
  /** How many roles, users and groups it is attached to (GetPolicy's AttachmentCount). */
  attachmentCount: number;
}

export interface NewManagedPolicy {
  name: string;
  path: string;
  document: string;
  description: string;
  tags: Tags;
}

export interface PolicyVersionSummary {
  versionId: string;
  isDefault: boolean;
  created?: Date;
}

/** One action's verdict from iam:SimulatePrincipalPolicy. */
export interface SimulationResult {
  action: string;
  resource: string;
  /** allowed, implicitDeny or explicitDeny */
  decision: string;
  /** The policies whose statements decided it (ids as IAM reports them). */
  matchedPolicies: string[];
}

export interface IamGateway {
  getOidcProvider(arn: string): Promise<OidcProvider | undefined>;
  createOidcProvider(p: {
    url: string;
    clientIds: string[];
    thumbprints?: string[];
    tags: Tags;
  }): Promise<string>;
  addOidcClientId(arn: string, clientId: string): Promise<void>;
  updateOidcThumbprints(arn: string, thumbprints: string[]): Promise<void>;
  tagOidcProvider(arn: string, tags: Tags): Promise<void>;
  getRole(name: string): Promise<Role | undefined>;
  createRole(role: NewRole): Promise<Role>;
  updateTrustPolicy(roleName: string, trustPolicy: string): Promise<void>;
  putPermissionsBoundary(roleName: string, arn: string): Promise<void>;
  tagRole(roleName: string, tags: Tags): Promise<void>;
  listAttachedPolicyArns(roleName: string): Promise<string[]>;
  listOidcProviderArns(): Promise<string[]>;
  simulatePrincipalPolicy(
    principalArn: string,
    actions: string[],
    resources: string[],
  ): Promise<SimulationResult[]>;
  attachPolicy(roleName: string, policyArn: string): Promise<void>;
  policyExists(policyArn: string): Promise<boolean>;
  getInlinePolicy(roleName: string, policyName: string): Promise<string | undefined>;
  putInlinePolicy(roleName: string, policyName: string, document: string): Promise<void>;
  listPolicies(scope: 'AWS' | 'Local'): Promise<PolicySummary[]>;
  detachPolicy(roleName: string, policyArn: string): Promise<void>;
  listInlinePolicyNames(roleName: string): Promise<string[]>;
  deleteInlinePolicy(roleName: string, policyName: string): Promise<void>;
  deletePermissionsBoundary(roleName: string): Promise<void>;
  untagRole(roleName: string, keys: string[]): Promise<void>;
  deleteRole(roleName: string): Promise<void>;
  /** Every role of the account with its trust policy (ListRoles returns no tags). */
  listRoles(): Promise<RoleSummary[]>;
  /**
   * Every role with its tags and policies in a few paginated calls (GetAccountAuthorizationDetails):
   * cheaper than three reads per role once there are more than a handful.
   */
  listRoleDetails(): Promise<RoleDetail[]>;
  /** GetPolicy, then GetPolicyVersion of its default version. */
  getManagedPolicy(arn: string): Promise<ManagedPolicy | undefined>;
  createManagedPolicy(policy: NewManagedPolicy): Promise<string>;
  /** A new version, made the default. */
  createPolicyVersion(arn: string, document: string): Promise<void>;
  listPolicyVersions(arn: string): Promise<PolicyVersionSummary[]>;
  deletePolicyVersion(arn: string, versionId: string): Promise<void>;
  deletePolicy(arn: string): Promise<void>;
  tagPolicy(arn: string, tags: Tags): Promise<void>;
}

export interface RoleDetail extends Role {
  attachedPolicyArns: string[];
  inlinePolicyNames: string[];
  /** Inline documents by name as IAM returns them (URL-encoded JSON), when the scan has them. */
  inlinePolicies?: Record<string, string>;
}

export interface RoleSummary {
  arn: string;
  name: string;
  path: string;
  trustPolicy: string;
}

export function createIamGateway(client: IAMClient): IamGateway {
  return {
    async getOidcProvider(arn) {
      const out = await awsOptional(`reading OIDC provider ${arn}`, () =>
        client.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
      );
      if (!out) return undefined;
      return {
        arn,
        url: out.Url ?? '',
        clientIds: out.ClientIDList ?? [],
        thumbprints: out.ThumbprintList ?? [],
        tags: tagsFromList(out.Tags),
      };
    },
    async createOidcProvider(p) {
      const out = await aws(`creating the OIDC provider for ${p.url}`, () =>
        client.send(
          new CreateOpenIDConnectProviderCommand({
            Url: p.url,
            ClientIDList: p.clientIds,
            ...(p.thumbprints?.length ? { ThumbprintList: p.thumbprints } : {}),
            Tags: tagsToList(p.tags),
          }),
        ),
      );
      return out.OpenIDConnectProviderArn ?? '';
    },
    async addOidcClientId(arn, clientId) {
      await aws(`adding audience ${clientId} to ${arn}`, () =>
        client.send(
          new AddClientIDToOpenIDConnectProviderCommand({
            OpenIDConnectProviderArn: arn,
            ClientID: clientId,
          }),
        ),
      );
    },
    async updateOidcThumbprints(arn, thumbprints) {
      await aws(`updating the thumbprints of ${arn}`, () =>
        client.send(
          new UpdateOpenIDConnectProviderThumbprintCommand({
            OpenIDConnectProviderArn: arn,
            ThumbprintList: thumbprints,
          }),
        ),
      );
    },
    async tagOidcProvider(arn, tags) {
      await aws(`tagging ${arn}`, () =>
        client.send(
          new TagOpenIDConnectProviderCommand({
            OpenIDConnectProviderArn: arn,
            Tags: tagsToList(tags),
          }),
        ),
      );
    },
    async getRole(name) {
      const out = await awsOptional(`reading role ${name}`, () =>
        client.send(new GetRoleCommand({ RoleName: name })),
      );
      return out?.Role ? toRole(out.Role) : undefined;
    },
    async createRole(role) {
      const out = await aws(`creating role ${role.name}`, () =>
        client.send(
          new CreateRoleCommand({
            RoleName: role.name,
            Path: role.path,
            AssumeRolePolicyDocument: role.trustPolicy,
            Description: role.description,
            Tags: tagsToList(role.tags),
            ...(role.permissionsBoundaryArn
              ? { PermissionsBoundary: role.permissionsBoundaryArn }
              : {}),
          }),
        ),
      );
      return toRole(out.Role ?? {});
    },
    async updateTrustPolicy(roleName, trustPolicy) {
      await aws(`updating the trust policy of role ${roleName}`, () =>
        client.send(
          new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: trustPolicy }),
        ),
      );
    },
    async putPermissionsBoundary(roleName, arn) {
      await aws(`setting the permissions boundary of role ${roleName}`, () =>
        client.send(
          new PutRolePermissionsBoundaryCommand({ RoleName: roleName, PermissionsBoundary: arn }),
        ),
      );
    },
    async tagRole(roleName, tags) {
      await aws(`tagging role ${roleName}`, () =>
        client.send(new TagRoleCommand({ RoleName: roleName, Tags: tagsToList(tags) })),
      );
    },
    async listAttachedPolicyArns(roleName) {
      const arns: string[] = [];
      await aws(`listing the policies attached to role ${roleName}`, async () => {
        for await (const page of paginateListAttachedRolePolicies(
          { client },
          { RoleName: roleName },
        )) {
          for (const p of page.AttachedPolicies ?? []) if (p.PolicyArn) arns.push(p.PolicyArn);
        }
      });
      return arns;
    },
    async listOidcProviderArns() {
      const out = await aws('listing IAM OIDC providers', () =>
        client.send(new ListOpenIDConnectProvidersCommand({})),
      );
      return (out.OpenIDConnectProviderList ?? []).flatMap((p) => (p.Arn ? [p.Arn] : []));
    },
    async simulatePrincipalPolicy(principalArn, actions, resources) {
      const results: SimulationResult[] = [];
      await aws(`simulating ${actions.join(', ')} for ${principalArn}`, async () => {
        for await (const page of paginateSimulatePrincipalPolicy(
          { client },
          {
            PolicySourceArn: principalArn,
            ActionNames: actions,
            ...(resources.length ? { ResourceArns: resources } : {}),
          },
        )) {
          for (const r of page.EvaluationResults ?? []) {
            const action = r.EvalActionName ?? '';
            // IAM answers one result per action: the most restrictive decision over the
            // resources on top, each resource's own decision in ResourceSpecificResults.
            const each = r.ResourceSpecificResults?.length
              ? r.ResourceSpecificResults.map((s) => ({
                  resource: s.EvalResourceName,
                  decision: s.EvalResourceDecision,
                  statements: s.MatchedStatements,
                }))
              : [
                  {
                    resource: r.EvalResourceName,
                    decision: r.EvalDecision,
                    statements: r.MatchedStatements,
                  },
                ];
            for (const e of each) {
              const resource = e.resource ?? '*';
              if (results.some((x) => x.action === action && x.resource === resource)) continue;
              results.push({
                action,
                resource,
                decision: e.decision ?? 'implicitDeny',
                matchedPolicies: [
                  ...new Set(
                    (e.statements ?? []).flatMap((m) =>
                      m.SourcePolicyId ? [m.SourcePolicyId] : [],
                    ),
                  ),
                ],
              });
            }
          }
        }
      });
      return results;
    },
    async attachPolicy(roleName, policyArn) {
      await aws(`attaching ${policyArn} to role ${roleName}`, () =>
        retryWhileNotFound(() =>
          client.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn })),
        ),
      );
    },
    async policyExists(policyArn) {
      const out = await awsOptional(`reading policy ${policyArn}`, () =>
        client.send(new GetPolicyCommand({ PolicyArn: policyArn })),
      );
      return out?.Policy !== undefined;
    },
    async getInlinePolicy(roleName, policyName) {
      const out = await awsOptional(`reading inline policy ${policyName} of role ${roleName}`, () =>
        client.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })),
      );
      return out?.PolicyDocument;
    },
    async putInlinePolicy(roleName, policyName, document) {
      await aws(`writing inline policy ${policyName} of role ${roleName}`, () =>
        retryWhileNotFound(() =>
          client.send(
            new PutRolePolicyCommand({
              RoleName: roleName,
              PolicyName: policyName,
              PolicyDocument: document,
            }),
          ),
        ),
      );
    },
    async detachPolicy(roleName, policyArn) {
      await awsOptional(`detaching ${policyArn} from role ${roleName}`, () =>
        client.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn })),
      );
    },
    async listInlinePolicyNames(roleName) {
      const names: string[] = [];
      await aws(`listing the inline policies of role ${roleName}`, async () => {
        for await (const page of paginateListRolePolicies({ client }, { RoleName: roleName }))
          names.push(...(page.PolicyNames ?? []));
      });
      return names;
    },
    async deleteInlinePolicy(roleName, policyName) {
      await awsOptional(`deleting inline policy ${policyName} of role ${roleName}`, () =>
        client.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })),
      );
    },
    async deletePermissionsBoundary(roleName) {
      await aws(`removing the permissions boundary of role ${roleName}`, () =>
        client.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: roleName })),
      );
    },
    async untagRole(roleName, keys) {
      await aws(`untagging role ${roleName}`, () =>
        client.send(new UntagRoleCommand({ RoleName: roleName, TagKeys: keys })),
      );
    },
    async deleteRole(roleName) {
      // Already gone (a re-run after a lost answer) is what we wanted.
      await awsOptional(`deleting role ${roleName}`, () =>
        client.send(new DeleteRoleCommand({ RoleName: roleName })),
      );
    },
    async listRoles() {
      const roles: RoleSummary[] = [];
      await aws('listing IAM roles', async () => {
        for await (const page of paginateListRoles({ client }, {})) {
          for (const r of page.Roles ?? []) {
            roles.push({
              arn: r.Arn ?? '',
              name: r.RoleName ?? '',
              path: r.Path ?? '/',
              trustPolicy: r.AssumeRolePolicyDocument ?? '',
            });
          }
        }
      });
      return roles;
    },
    async listRoleDetails() {
      const roles: RoleDetail[] = [];
      await aws('reading the roles of the account', async () => {
        for await (const page of paginateGetAccountAuthorizationDetails(
          { client },
          { Filter: ['Role'], MaxItems: 1000 },
        )) {
          for (const r of page.RoleDetailList ?? []) {
            roles.push({
              ...toRole(r),
              attachedPolicyArns: (r.AttachedManagedPolicies ?? []).flatMap((p) =>
                p.PolicyArn ? [p.PolicyArn] : [],
              ),
              inlinePolicyNames: (r.RolePolicyList ?? []).flatMap((p) =>
                p.PolicyName ? [p.PolicyName] : [],
              ),
              inlinePolicies: Object.fromEntries(
                (r.RolePolicyList ?? []).flatMap((p) =>
                  p.PolicyName && p.PolicyDocument !== undefined
                    ? [[p.PolicyName, p.PolicyDocument]]
                    : [],
                ),
              ),
            });
          }
        }
      });
      return roles;
    },
    async listPolicies(scope) {
      const out: PolicySummary[] = [];
      await aws('listing IAM policies', async () => {
        for await (const page of paginateListPolicies(
          { client },
          { Scope: scope, OnlyAttached: false },
        )) {
          for (const p of page.Policies ?? []) {
            if (p.Arn && p.PolicyName) {
              out.push({
                arn: p.Arn,
                name: p.PolicyName,
                description: p.Description,
                awsManaged: scope === 'AWS',
              });
            }
          }
        }
      });
      return out;
    },
    async getManagedPolicy(arn) {
      const out = await awsOptional(`reading policy ${arn}`, () =>
        client.send(new GetPolicyCommand({ PolicyArn: arn })),
      );
      const policy = out?.Policy;
      if (!policy?.DefaultVersionId) return undefined;
      const versionId = policy.DefaultVersionId;
      const version = await aws(`reading version ${versionId} of policy ${arn}`, () =>
        client.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId })),
      );
      return {
        arn,
        name: policy.PolicyName ?? '',
        defaultVersionId: versionId,
        document: version.PolicyVersion?.Document ?? '',
        tags: tagsFromList(policy.Tags),
        attachmentCount: policy.AttachmentCount ?? 0,
      };
    },
    async createManagedPolicy(p) {
      const out = await aws(`creating policy ${p.name}`, () =>
        client.send(
          new CreatePolicyCommand({
            PolicyName: p.name,
            Path: p.path,
            PolicyDocument: p.document,
            Description: p.description,
            Tags: tagsToList(p.tags),
          }),
        ),
      );
      return out.Policy?.Arn ?? '';
    },
    async createPolicyVersion(arn, document) {
      await aws(`writing a new version of policy ${arn}`, () =>
        client.send(
          new CreatePolicyVersionCommand({
            PolicyArn: arn,
            PolicyDocument: document,
            SetAsDefault: true,
          }),
        ),
      );
    },
    async listPolicyVersions(arn) {
      const out = await aws(`listing the versions of policy ${arn}`, () =>
        client.send(new ListPolicyVersionsCommand({ PolicyArn: arn })),
      );
      // At most 5 versions exist, so one page holds them all.
      return (out.Versions ?? []).map((v) => ({
        versionId: v.VersionId ?? '',
        isDefault: !!v.IsDefaultVersion,
        ...(v.CreateDate ? { created: v.CreateDate } : {}),
      }));
    },
    async deletePolicyVersion(arn, versionId) {
      await aws(`deleting version ${versionId} of policy ${arn}`, () =>
        client.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: versionId })),
      );
    },
    async deletePolicy(arn) {
      await aws(`deleting policy ${arn}`, () =>
        client.send(new DeletePolicyCommand({ PolicyArn: arn })),
      );
    },
    async tagPolicy(arn, tags) {
      await aws(`tagging policy ${arn}`, () =>
        client.send(new TagPolicyCommand({ PolicyArn: arn, Tags: tagsToList(tags) })),
      );
    },
  };
}

function toRole(r: {
  Arn?: string;
  RoleName?: string;
  Path?: string;
  AssumeRolePolicyDocument?: string;
  Tags?: Tag[];
  PermissionsBoundary?: { PermissionsBoundaryArn?: string };
}): Role {
  return {
    arn: r.Arn ?? '',
    name: r.RoleName ?? '',
    path: r.Path ?? '/',
    trustPolicy: r.AssumeRolePolicyDocument ?? '',
    tags: tagsFromList(r.Tags),
    permissionsBoundaryArn: r.PermissionsBoundary?.PermissionsBoundaryArn,
  };
}
