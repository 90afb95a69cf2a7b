// The policies of a role as moto holds them, read through the SDK like any IAM client would:
// the attached managed policies (each one's default version), the inline ones, the boundary.
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
} from '@aws-sdk/client-iam';
import { parseJsonText, type PolicyDocument } from '../../../src/policy/index.js';
import type { SourcePolicy } from './simulate.js';

export interface RolePolicies {
  policies: SourcePolicy[];
  boundary?: PolicyDocument;
}

const documentOf = (text: string | undefined, what: string) =>
  parseJsonText(text ?? '{}', what) as PolicyDocument;

async function managedDocument(iam: IAMClient, arn: string): Promise<PolicyDocument> {
  const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
  const version = await iam.send(
    new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy?.DefaultVersionId }),
  );
  return documentOf(version.PolicyVersion?.Document, arn);
}

export async function readRolePolicies(iam: IAMClient, roleName: string): Promise<RolePolicies> {
  const role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
  const attached: { arn: string; name: string }[] = [];
  for await (const page of paginateListAttachedRolePolicies(
    { client: iam },
    { RoleName: roleName },
  ))
    for (const p of page.AttachedPolicies ?? [])
      if (p.PolicyArn) attached.push({ arn: p.PolicyArn, name: p.PolicyName ?? p.PolicyArn });
  const inline: string[] = [];
  for await (const page of paginateListRolePolicies({ client: iam }, { RoleName: roleName }))
    inline.push(...(page.PolicyNames ?? []));
  const boundaryArn = role?.PermissionsBoundary?.PermissionsBoundaryArn;
  const [managed, inlineDocs, boundary] = await Promise.all([
    Promise.all(attached.map((p) => managedDocument(iam, p.arn))),
    Promise.all(
      inline.map(async (name) =>
        documentOf(
          (await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name })))
            .PolicyDocument,
          name,
        ),
      ),
    ),
    boundaryArn ? managedDocument(iam, boundaryArn) : undefined,
  ]);
  return {
    policies: [
      ...attached.map((p, i) => ({
        id: p.name,
        type: p.arn.includes(':iam::aws:policy/')
          ? ('aws-managed' as const)
          : ('user-managed' as const),
        document: managed[i] as PolicyDocument,
      })),
      ...inline.map((name, i) => ({
        id: name,
        type: 'role' as const,
        document: inlineDocs[i] as PolicyDocument,
      })),
    ],
    ...(boundary ? { boundary } : {}),
  };
}
