// The Kubernetes connection flags, shared by create-serviceaccount and wizard.
import type { Command } from 'commander';

export function addKubeFlags(command: Command): Command {
  return command
    .option('--kubeconfig <file>', 'use this kubeconfig instead of connecting through the EKS API')
    .option('--context <name>', 'kubeconfig context to use')
    .option(
      '--kube-server <url>',
      'talk to the API server at this address (tunnel/proxy), keeping the EKS token',
    )
    .option('--kube-ca-file <file>', 'CA that signs the --kube-server certificate');
}
