// The annotations EKS's pod identity webhook reads on a service account, and how it reads them.
import { ROLE_ARN_ANNOTATION } from './names.js';
import { type RoleArnParts, validateRoleArn } from './validate.js';

export const AUDIENCE_ANNOTATION = 'eks.amazonaws.com/audience';
/** What the pod identity webhook accepts as a role ARN (it only warns on others). */
const WEBHOOK_ROLE_ARN = /^arn:aws[a-z0-9-]*:iam::\d{12}:role\/[\w\-/.@+=,]+$/;

/** The role-arn annotation read as the webhook reads it: a role ARN, a problem, or nothing. */
export function readAnnotation(
  value: string | undefined,
): { arn: RoleArnParts & { arn: string } } | { problem: string } | undefined {
  if (value === undefined) return undefined;
  try {
    const parts = validateRoleArn(value, `${ROLE_ARN_ANNOTATION} annotation`);
    if (!WEBHOOK_ROLE_ARN.test(value)) return { problem: `"${value}" is not a role ARN` };
    return { arn: { ...parts, arn: value } };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}
