// The create-serviceaccount flags as a binding spec: this layer knows the flags and reads the files
// they name, so the use case gets documents labelled with the flag they came from. Loaded by the
// commands' actions only (the policy layer is not part of the first load, see binding-flags.ts).
import { type BindingSpec, FLAGS_SOURCE, type InlinePolicy } from '../actions/binding/spec.js';
import type { PartialSpec } from '../actions/binding/check.js';
import { INPUT_LIMITS, readInputFile } from '../input-file.js';
import type { BindingFlags } from './binding-flags.js';
import { parsePolicyJson } from '../policy/policy-document.js';
import { parseTags } from '../policy/validate.js';
import { parseScopeFlags } from '../policy/well-known/resolve.js';

/** Reads and checks an --attach-policy file (small, so read synchronously: prompts validate with it). */
export function readPolicyFile(file: string): InlinePolicy {
  const text = readInputFile(file, '--attach-policy', {
    limit: INPUT_LIMITS.policy,
    hint: 'pass the path of a JSON IAM policy document',
  });
  return { document: parsePolicyJson(text, `--attach-policy file ${file}`), origin: file, file };
}

/** A spec from flags: what has no default may be missing (the wizard asks for it). */
export type FlagSpec = PartialSpec &
  Pick<BindingSpec, 'policyArns' | 'tags' | 'roleOnly' | 'overrideExisting' | 'createNamespace'>;

/** The given flags as a (partial) spec: names only, every other check is the use case's. */
export function specFromFlags(flags: BindingFlags): FlagSpec {
  return {
    cluster: flags.cluster,
    namespace: flags.namespace,
    name: flags.name,
    policyArns: flags.attachPolicyArn ?? [],
    inlinePolicy: flags.attachPolicy !== undefined ? readPolicyFile(flags.attachPolicy) : undefined,
    wellKnownPolicies:
      flags.wellKnownPolicies || flags.wellKnownScope
        ? parseScopeFlags(flags.wellKnownPolicies ?? [], flags.wellKnownScope ?? [], {
            keys: '--well-known-policies',
            scope: '--well-known-scope',
          })
        : undefined,
    attachRoleArn: flags.attachRoleArn,
    roleName: flags.roleName,
    rolePath: flags.rolePath,
    permissionsBoundary: flags.permissionsBoundary,
    tags: parseTags(flags.tags ?? [], '--tags'),
    roleOnly: !!flags.roleOnly,
    overrideExisting: !!flags.overrideExistingServiceaccounts,
    createNamespace: !!flags.createNamespace,
    // Checked by the use case, which names the flag in its error.
    mechanism: flags.mechanism as BindingSpec['mechanism'],
    targetRoleArn: flags.targetRoleArn,
    disableSessionTags: flags.disableSessionTags ? true : undefined,
    source: FLAGS_SOURCE,
  };
}
