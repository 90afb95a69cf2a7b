// The flags of a binding's permissions, as commander registers them. Turning them into a spec
// (reading files, checking well-known keys) is flags-to-spec.ts, loaded when a command runs, so
// help and usage errors load none of the policy layer.
import type { Command } from 'commander';
import { collect } from './globals.js';

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
