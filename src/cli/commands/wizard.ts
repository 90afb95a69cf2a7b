import type { Command } from 'commander';
import { FLAGS_SOURCE } from '../../actions/binding/spec.js';
import type { GlobalOptions } from '../globals.js';
import { runInteractive } from '../interactive.js';
import { kubeAccess, type KubeFlags } from '../kube-access.js';
import { addKubeFlags } from '../kube-flags.js';

export function registerWizard(program: Command): void {
  addKubeFlags(
    program
      .command('wizard')
      .description('step by step at a terminal: pick a cluster, a service account and permissions'),
  ).action(async (flags: KubeFlags, command: Command) => {
    const globals = command.optsWithGlobals<GlobalOptions>();
    await runInteractive(globals, () => ({
      region: globals.region,
      kube: kubeAccess(flags),
      source: FLAGS_SOURCE,
    }));
  });
}
