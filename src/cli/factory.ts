// What every command is built from (model: GitHub CLI's cmdutil.Factory): the IO, AWS access per
// region with its Kubernetes opener, the reporter, the prompter and the clock. main builds the
// real one; tests build one over the in-memory fakes (test/support/harness.ts). Heavy modules
// (AWS SDK, Kubernetes client, inquirer, ora) load only when a command asks for them.
import type { RegionAccess, OpenKube } from '../actions/binding/cluster-session.js';
import type { CommandResult } from '../actions/engine/plan.js';
import type { Prompter } from '../actions/engine/prompter.js';
import type { Reporter } from '../actions/engine/reporter.js';
import type { AwsSettings } from '../aws/clients.js';
import type { EksGateway } from '../aws/eks.js';
import { createReporter } from '../ui/reporter.js';
import { makeStyle } from '../ui/style.js';
import type { GlobalOptions } from './globals.js';
import { type IO, type OutStream, processIO } from './io.js';
import { kubeOpener } from './kube-access.js';

/** One region's clients, with the Kubernetes opener every cluster session needs. */
export interface Access extends RegionAccess {
  openKube: OpenKube;
  /** EKS of another region (audit looks up the clusters behind other regions' issuers). */
  eksIn(region: string): EksGateway;
}

export interface Factory {
  io: IO;
  /** This run's arguments (after `iamsa`), to print the command line that applies a plan. */
  argv: readonly string[];
  /** The clients of a region (default: --region, else the SDK's region chain). */
  access(settings: AwsSettings): Promise<Access>;
  /** The region the SDK chain would pick (env, profile), or undefined. */
  configuredRegion(profile?: string): Promise<string | undefined>;
  reporter(globals: Pick<GlobalOptions, 'color' | 'input' | 'verbose'>): Reporter;
  /** Prompts on `output` (stdout, or stderr when stdout carries a document). */
  prompter(render: (result: CommandResult) => string, output: OutStream): Promise<Prompter>;
  clock(): Date;
}

export function createFactory(argv: readonly string[], io: IO = processIO()): Factory {
  return {
    io,
    argv,
    async access(settings) {
      const { createAwsClients } = await import('../aws/clients.js');
      const clients = await createAwsClients(settings);
      return { ...clients, openKube: kubeOpener(clients) };
    },
    configuredRegion: async (profile) =>
      (await import('../aws/clients.js')).configuredRegion(profile),
    reporter(globals) {
      const terminal = io.terminal(globals);
      return createReporter(terminal, makeStyle(terminal.color), !!globals.verbose, io.stderr);
    },
    async prompter(render, output) {
      const { createPrompter } = await import('../ui/prompts.js');
      return createPrompter(render, output);
    },
    clock: () => new Date(),
  };
}
