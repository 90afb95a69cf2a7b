// Checks the Kubernetes connection settings before the first call (they come from flags).
import { ValidationError } from '../errors.js';
import { readCaFile } from '../kube/ca-file.js';
import type { KubeAccess } from '../kube/connection.js';

export function checkKubeAccess(access: KubeAccess): void {
  if (access.mode !== 'eks') return;
  if (access.server !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(access.server);
    } catch {
      url = undefined;
    }
    if (url?.protocol !== 'https:') {
      throw new ValidationError(
        `invalid --kube-server "${access.server}": must be an https:// URL`,
        {
          hint: 'for example --kube-server https://127.0.0.1:8443',
        },
      );
    }
  }
  if (access.caFile !== undefined && access.server === undefined) {
    throw new ValidationError('--kube-ca-file goes with --kube-server', {
      hint: 'the cluster endpoint is verified with the CA that EKS reports',
    });
  }
  if (access.caFile !== undefined) readCaFile(access.caFile);
}
