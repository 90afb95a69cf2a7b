// Runs the wizard at a terminal: wires the inquirer prompter and lazily built AWS access into the
// wizard use case, then prints the result, the equivalent CI command line and the next step.
import type { WizardPrefill } from '../actions/lifecycle/wizard.js';
import { ValidationError } from '../errors.js';
import { formatDocument } from '../ui/output.js';
import { renderNextStep, renderResult } from '../ui/render-result.js';
import { createReporter } from '../ui/reporter.js';
import { makeStyle } from '../ui/style.js';
import { detectTerminal } from '../ui/terminal.js';
import { createServiceAccountCommandLine, enableOidcCommandLine } from './command-line.js';
import { nextStep } from './next-step.js';
import type { GlobalOptions } from './globals.js';
import { readPolicyFile } from './binding-flags.js';
import { kubeOpener } from './kube-access.js';
import { exit, exitWithError } from './run.js';

export async function runInteractive(
  globals: GlobalOptions,
  given: () => WizardPrefill,
): Promise<never> {
  try {
    let prefill = given();
    const terminal = detectTerminal(globals);
    if (!terminal.interactive) {
      throw new ValidationError(
        'the wizard needs an interactive terminal (stdin and stdout a TTY, CI unset, no --no-input)',
        {
          hint: 'in scripts use: iamsa create-serviceaccount --cluster NAME --name SA --attach-policy-arn ARN --approve',
        },
      );
    }
    const style = makeStyle(terminal.color);
    const outStyle = makeStyle(terminal.stdoutColor);
    const reporter = createReporter(terminal, style, !!globals.verbose);
    const [{ runWizard }, { createPrompter }, clientsModule] = await Promise.all([
      import('../actions/lifecycle/wizard.js'),
      import('../ui/prompts.js'),
      import('../aws/clients.js'),
    ]);
    const machine = globals.output !== 'text';
    const prompter = await createPrompter(
      (result) => renderResult(result, machine ? style : outStyle, { footer: false }),
      machine ? process.stderr : process.stdout,
    );
    const configured = globals.region ?? (await clientsModule.configuredRegion(globals.profile));
    // A cluster named on the command line lives in the configured region: no need to ask.
    if (prefill.cluster && configured) prefill = { ...prefill, region: configured };
    const outcome = await runWizard(prefill, {
      prompter,
      reporter,
      defaultRegion: configured,
      readPolicyFile,
      async connect(region) {
        const clients = await clientsModule.createAwsClients({ region, profile: globals.profile });
        return { ...clients, openKube: kubeOpener(clients) };
      },
    });
    const { spec, enabledCluster, bound } = outcome;
    const command = createServiceAccountCommandLine(
      outcome.region,
      spec,
      prefill.kube,
      globals.profile,
    );
    // A run that enabled the cluster did what enable-oidc does first.
    const enable = enabledCluster
      ? enableOidcCommandLine(outcome.region, spec.cluster, globals.profile)
      : undefined;
    if (machine) {
      const document = {
        ...outcome.result,
        equivalentCommand: command,
        ...(enable ? { enableOidcCommand: enable } : {}),
      };
      return await exit(0, await formatDocument(document, globals.output as 'json' | 'yaml'));
    }
    const lines = [
      // The counts are those of the plan shown last; the provider made before is its own line.
      ...(enabledCluster && bound.providerArn
        ? [`Enabled cluster ${spec.cluster} for IRSA: created ${bound.providerArn}`]
        : []),
      renderResult({ ...bound, applied: true }, outStyle, { summaryOnly: true }),
      '',
      outStyle.bold('The same, without prompts (for CI scripts):'),
      ...(enable ? [`  ${enable}`] : []),
      `  ${command}`,
    ];
    // Nothing bound anew, nothing to restart.
    const next = bound.changed ? nextStep(bound, spec.namespace, spec.name, spec.roleOnly) : [];
    if (next.length) lines.push('', renderNextStep(next, outStyle));
    return await exit(0, `${lines.join('\n')}\n`);
  } catch (error) {
    return exitWithError(error, globals);
  }
}
