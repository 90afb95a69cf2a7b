// Runs the wizard at a terminal: wires the inquirer prompter and lazily built AWS access into the
// wizard use case, then prints the result, the equivalent CI command line and the next step.
import type { WizardPrefill } from '../actions/lifecycle/wizard.js';
import { CancelledError, ValidationError } from '../errors.js';
import { formatDocument } from '../ui/output.js';
import { renderNextStep, renderResult } from '../ui/render-result.js';
import { makeStyle } from '../ui/style.js';
import { createServiceAccountCommandLine, enableOidcCommandLine } from './wizard-command-line.js';
import type { Factory } from './factory.js';
import { nextStep } from './next-step.js';
import type { GlobalOptions } from './globals.js';
import { readPolicyFile } from './flags-to-spec.js';
import { exitWithError, finish } from './run.js';
import { write } from './io.js';

export async function runInteractive(
  f: Factory,
  globals: GlobalOptions,
  given: () => WizardPrefill,
): Promise<number> {
  const { io } = f;
  try {
    let prefill = given();
    const terminal = io.terminal(globals);
    const machine = globals.output !== 'text';
    // With -o json|yaml the prompts go to stderr and the document to stdout, which may be a file.
    if (!(machine ? terminal.stderrInteractive : terminal.interactive)) {
      throw new ValidationError(
        `the wizard needs an interactive terminal (stdin and ${machine ? 'stderr' : 'stdout'} a TTY, CI unset, no --no-input)`,
        {
          hint: 'in scripts use: iamsa create-serviceaccount --cluster NAME --name SA --attach-policy-arn ARN --approve',
        },
      );
    }
    const style = makeStyle(terminal.color);
    const outStyle = makeStyle(terminal.stdoutColor);
    const reporter = f.reporter(globals);
    const [{ runWizard }, prompter] = await Promise.all([
      import('../actions/lifecycle/wizard.js'),
      f.prompter(
        (result) => renderResult(result, machine ? style : outStyle, { footer: false }),
        machine ? io.stderr : io.stdout,
      ),
    ]);
    const configured = globals.region ?? (await f.configuredRegion(globals.profile));
    // A cluster named on the command line lives in the configured region: no need to ask.
    if (prefill.cluster && configured) prefill = { ...prefill, region: configured };
    const outcome = await runWizard(prefill, {
      prompter,
      reporter,
      defaultRegion: configured,
      readPolicyFile,
      connect: (region) => f.access({ region, profile: globals.profile }),
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
      return await finish(io, 0, await formatDocument(document, globals.output as 'json' | 'yaml'));
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
    return await finish(io, 0, `${lines.join('\n')}\n`);
  } catch (error) {
    if (error instanceof CancelledError && globals.output === 'text') {
      // The README promises the command for scripts: declining the plan is when one wants it most
      // (the wizard's module is loaded already when its plan was declined).
      const { OidcDeclinedError, PlanDeclinedError } =
        await import('../actions/lifecycle/wizard.js');
      const bold = makeStyle(io.terminal(globals).stdoutColor).bold;
      const said =
        error instanceof PlanDeclinedError
          ? `${bold('The same, without prompts (for CI scripts):')}\n  ${createServiceAccountCommandLine(error.region, error.spec, given().kube, globals.profile)}`
          : error instanceof OidcDeclinedError
            ? `${bold('To enable IRSA on the cluster later (then run the wizard again):')}\n  ${enableOidcCommandLine(error.region, error.cluster, globals.profile)}`
            : undefined;
      if (said) await write(io.stdout, `${said}\n`).catch(() => undefined);
    }
    return exitWithError(io, error, globals);
  }
}
