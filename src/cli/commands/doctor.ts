import type { Command } from 'commander';
import { ValidationError } from '../../errors.js';
import {
  validateClusterName,
  validateNamespace,
  validateServiceAccountName,
} from '../../policy/validate.js';
import { renderDoctor } from '../../ui/render-report.js';
import { onAction } from '../action.js';
import type { Factory } from '../factory.js';
import type { GlobalOptions } from '../globals.js';
import { addKubeFlags } from '../kube-flags.js';
import { kubeAccess, type KubeFlags } from '../kube-access.js';
import { missingFlags } from '../required-flags.js';
import { exitWithError, report } from '../run.js';

interface Flags extends KubeFlags {
  cluster?: string;
  namespace: string;
  name?: string;
  simulate?: string[];
  resource?: string[];
}

const ACTION = /^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/;
const split = (values: string[] | undefined) =>
  (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim());

/** --simulate s3:GetObject,s3:PutObject (repeatable) and --resource ARN (repeatable). */
function simulation(flags: Flags): { actions: string[]; resources: string[] } | undefined {
  const actions = split(flags.simulate);
  const resources = split(flags.resource);
  if (resources.length && !actions.length) {
    throw new ValidationError('--resource goes with --simulate', {
      hint: 'e.g. --simulate s3:GetObject --resource arn:aws:s3:::my-bucket/*',
    });
  }
  if (!actions.length) return undefined;
  for (const a of actions) {
    if (!ACTION.test(a)) {
      throw new ValidationError(`invalid --simulate action "${a}": must look like s3:GetObject`);
    }
  }
  for (const r of resources) {
    if (r !== '*' && !r.startsWith('arn:')) {
      throw new ValidationError(`invalid --resource "${r}": must be an ARN or *`);
    }
  }
  return { actions, resources };
}

export function registerDoctor(program: Command, f: Factory): void {
  const command = program
    .command('doctor')
    .description("say why a service account's pods can or cannot get its IAM role (read-only)")
    .option('-c, --cluster <name>', 'EKS cluster name (required)')
    .option('-n, --namespace <ns>', 'Kubernetes namespace', 'default')
    .option('--name <sa>', 'service account name (required)')
    .option(
      '--simulate <action,...>',
      'also ask IAM whether the role may do these actions (iam:SimulatePrincipalPolicy)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      '--resource <arn>',
      'resource for --simulate (repeatable; default *)',
      (v: string, prev: string[] = []) => [...prev, v],
    );
  onAction(addKubeFlags(command), async (flags: Flags, cmd: Command) => {
    const globals = cmd.optsWithGlobals<GlobalOptions & Flags>();
    try {
      const missing = missingFlags(
        'doctor',
        'iamsa doctor --cluster NAME -n NAMESPACE --name SERVICE_ACCOUNT',
        { '--cluster': flags.cluster, '--name': flags.name },
      );
      if (missing) throw missing;
      const cluster = validateClusterName(flags.cluster ?? '', '--cluster');
      const namespace = validateNamespace(flags.namespace, '--namespace');
      const name = validateServiceAccountName(flags.name ?? '', '--name');
      const simulate = simulation(flags);
      const kube = kubeAccess(flags);
      return await report(
        f,
        globals,
        async ({ access, reporter }) => {
          const [{ runDoctor }, clients] = await Promise.all([
            import('../../actions/report/doctor.js'),
            access(),
          ]);
          return runDoctor(
            { cluster, namespace, name, kube, ...(simulate ? { simulate } : {}) },
            { ...clients, reporter },
          );
        },
        renderDoctor,
        (r) => r.exitCode,
      );
    } catch (error) {
      return exitWithError(f.io, error, globals);
    }
  });
}
