import type { Command } from 'commander';
import { ValidationError } from '../../errors.js';
import { onAction } from '../action.js';
import type { Factory } from '../factory.js';
import { collect, type GlobalOptions } from '../globals.js';
import { exitWithError, finish } from '../run.js';

interface Flags {
  cluster?: string;
  wellKnownScope?: string[];
}

export function registerWellKnownPolicies(program: Command, f: Factory): void {
  const command = program
    .command('well-known-policies [key]')
    .description(
      'list the well-known controller policies, or print the exact policy documents of one',
    )
    .option('-c, --cluster <name>', "fill in this cluster's partition, account, region and name")
    .option(
      '--well-known-scope <key.field=value>',
      'scope of the key, e.g. externalDNS.hostedZoneARNs=ARN (repeatable)',
      collect,
    );
  onAction(command, async (key: string | undefined, flags: Flags, command: Command) => {
    const globals = command.optsWithGlobals<GlobalOptions & Flags>();
    try {
      // No AWS SDK unless a cluster is asked for: listing and printing stay instant.
      const [actions, policy, ui, style] = await Promise.all([
        import('../../actions/lifecycle/well-known-policies.js'),
        import('../../policy/index.js'),
        import('../../ui/render-well-known.js'),
        import('../../ui/style.js'),
      ]);
      const paint = style.makeStyle(f.io.terminal(globals).stdoutColor);
      const machine = globals.output !== 'text';
      const print = async (document: unknown, text: string) => {
        if (!machine) return finish(f.io, 0, text);
        const { formatDocument } = await import('../../ui/output.js');
        return finish(f.io, 0, await formatDocument(document, globals.output as 'json' | 'yaml'));
      };
      if (key === undefined) {
        if (flags.cluster !== undefined || flags.wellKnownScope) {
          throw new ValidationError('--cluster and --well-known-scope need a KEY', {
            hint: 'iamsa well-known-policies KEY --cluster NAME',
          });
        }
        const rows = actions.listWellKnown();
        const listed = actions.wellKnownDocument({ policies: rows });
        return await print(listed, ui.renderWellKnownList(rows, paint));
      }
      // The key is named as given (the argument), not as a flag it was not.
      if (!policy.findWellKnown(key)) throw policy.unknownWellKnown(key);
      const scopes = policy.parseScopeFlags([key], flags.wellKnownScope ?? [], {
        keys: 'KEY',
        scope: '--well-known-scope',
      });
      const [[canonical, scope] = [key, {}]] = Object.entries(scopes);
      let cluster;
      if (flags.cluster !== undefined) {
        policy.validateClusterName(flags.cluster, '--cluster');
        const clients = await f.access({ region: globals.region, profile: globals.profile });
        cluster = await clients.eks.describeCluster(flags.cluster);
      }
      const documents = actions.describeWellKnown(canonical, scope, cluster);
      const text = ui.renderWellKnownDocuments(documents, paint);
      return await print(actions.wellKnownDocument(documents), text);
    } catch (error) {
      return exitWithError(f.io, error, globals);
    }
  });
}
