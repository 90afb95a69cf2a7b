import type { Command } from 'commander';
import { FLAGS_SOURCE } from '../../actions/binding/spec.js';
import { onAction } from '../action.js';
import type { Factory } from '../factory.js';
import type { GlobalOptions } from '../globals.js';
import { kubeAccess, type KubeFlags } from '../kube-access.js';
import { addKubeFlags } from '../kube-flags.js';

export function registerWizard(program: Command, f: Factory): void {
  const command = addKubeFlags(
    program
      .command('wizard')
      .description('step by step at a terminal: pick a cluster, a service account and permissions'),
  );
  onAction(command, async (flags: KubeFlags, command: Command) => {
    const globals = command.optsWithGlobals<GlobalOptions>();
    const { runInteractive } = await import('../interactive.js');
    return runInteractive(f, globals, () => ({
      region: globals.region,
      kube: kubeAccess(flags),
      source: FLAGS_SOURCE,
    }));
  });
}
