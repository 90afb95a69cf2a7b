import type { Command } from 'commander';
import { ValidationError } from '../../errors.js';
import { collect, type GlobalOptions } from '../globals.js';
import { exit, exitWithError } from '../run.js';

interface Flags {
  cluster?: string;
  wellKnownScope?: string[];
}

export function registerWellKnownPolicies(program: Command): void {
  program
    .command('well-known-policies [key]')
    .description(
      'list the well-known controller policies, or print the exact policy documents of one',
    )
    .option('-c, --cluster <name>', "fill in this cluster's partition, account, region and name")
    .option(
      '--well-known-scope <key.field=value>',
      'scope of the key, e.g. externalDNS.hostedZoneARNs=ARN (repeatable)',
      collect,
    )
    .action(async (key: string | undefined, flags: Flags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions & Flags>();
      try {
        // No AWS SDK unless a cluster is asked for: listing and printing stay instant.
        const [actions, policy, ui, style, terminal] = await Promise.all([
          import('../../actions/lifecycle/well-known-policies.js'),
          import('../../policy/index.js'),
          import('../../ui/render-well-known.js'),
          import('../../ui/style.js'),
          import('../../ui/terminal.js'),
        ]);
        const paint = style.makeStyle(terminal.detectTerminal(globals).stdoutColor);
        const machine = globals.output !== 'text';
        const print = async (document: unknown, text: string) => {
          if (!machine) return exit(0, text);
          const { formatDocument } = await import('../../ui/output.js');
          return exit(0, await formatDocument(document, globals.output as 'json' | 'yaml'));
        };
        if (key === undefined) {
          if (flags.cluster !== undefined || flags.wellKnownScope) {
            throw new ValidationError('--cluster and --well-known-scope need a KEY', {
              hint: 'iamsa well-known-policies KEY --cluster NAME',
            });
          }
          const rows = actions.listWellKnown();
          return await print(rows, ui.renderWellKnownList(rows, paint));
        }
        const scopes = policy.parseScopeFlags([key], flags.wellKnownScope ?? [], {
          keys: 'KEY',
          scope: '--well-known-scope',
        });
        const [[canonical, scope] = [key, {}]] = Object.entries(scopes);
        let cluster;
        if (flags.cluster !== undefined) {
          policy.validateClusterName(flags.cluster, '--cluster');
          const { createAwsClients } = await import('../../aws/clients.js');
          const clients = await createAwsClients({
            region: globals.region,
            profile: globals.profile,
          });
          cluster = await clients.eks.describeCluster(flags.cluster);
        }
        const documents = actions.describeWellKnown(canonical, scope, cluster);
        return await print(documents, ui.renderWellKnownDocuments(documents, paint));
      } catch (error) {
        return exitWithError(error, globals);
      }
    });
}
