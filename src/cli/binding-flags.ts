// The create-serviceaccount flags as a binding spec: this layer knows the flags and reads the files
// they name, so the use case gets documents labelled with the flag they came from.
import { type BindingSpec, FLAGS_SOURCE, type InlinePolicy } from '../actions/binding/spec.js';
import type { PartialSpec } from '../actions/binding/check.js';
import type { Command } from 'commander';
import { readInputFile } from '../input-file.js';
import { collect } from './globals.js';
import { parsePolicyJson, parseScopeFlags, parseTags } from '../policy/index.js';

export interface BindingFlags {
  cluster?: string;
  namespace?: string;
  name?: string;
  attachPolicyArn?: string[];
  attachPolicy?: string;
  wellKnownPolicies?: string[];
  wellKnownScope?: string[];
  attachRoleArn?: string;
  roleName?: string;
  rolePath?: string;
  permissionsBoundary?: string;
  tags?: string[];
  roleOnly?: boolean;
  overrideExistingServiceaccounts?: boolean;
  createNamespace?: boolean;
  mechanism?: string;
  targetRoleArn?: string;
  disableSessionTags?: boolean;
}

/** The well-known flags, added to every command that takes a binding's permissions. */
export function addWellKnownFlags<C extends Command>(command: C): C {
  return command
    .option(
      '--well-known-policies <keys>',
      'well-known controller policies, comma-separated (iamsa well-known-policies lists them)',
      collect,
    )
    .option(
      '--well-known-scope <key.field=value>',
      'scope of a well-known policy, e.g. externalDNS.hostedZoneARNs=ARN (repeatable)',
      collect,
    );
}

/** Reads and checks an --attach-policy file (small, so read synchronously: prompts validate with it). */
export function readPolicyFile(file: string): InlinePolicy {
  const text = readInputFile(
    file,
    '--attach-policy',
    'pass the path of a JSON IAM policy document',
  );
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
