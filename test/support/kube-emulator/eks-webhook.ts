// What the amazon-eks-pod-identity-webhook does on EKS when a pod is created with a service
// account annotated eks.amazonaws.com/role-arn: env vars and a projected web identity token.
import type { Obj } from './status.js';
import { isObj } from './validate.js';

const ROLE = 'eks.amazonaws.com/role-arn';
const MOUNT = '/var/run/secrets/eks.amazonaws.com/serviceaccount';
const VOLUME = 'aws-iam-token';

const strings = (v: unknown): Record<string, string> =>
  isObj(v) ? (v as Record<string, string>) : {};

export function injectWebIdentity(pod: Obj, serviceAccount: Obj, region: string): void {
  const saAnnotations = strings((serviceAccount.metadata as Obj | undefined)?.annotations);
  const roleArn = saAnnotations[ROLE];
  if (!roleArn) return;
  const audience = saAnnotations['eks.amazonaws.com/audience'] || 'sts.amazonaws.com';
  const expiration = Number(saAnnotations['eks.amazonaws.com/token-expiration']) || 86400;
  const podAnnotations = strings((pod.metadata as Obj | undefined)?.annotations);
  const skip = new Set(
    (podAnnotations['eks.amazonaws.com/skip-containers'] ?? '').split(',').map((s) => s.trim()),
  );
  const spec = pod.spec as Obj;
  const env = [
    ...(saAnnotations['eks.amazonaws.com/sts-regional-endpoints'] === 'false'
      ? []
      : [{ name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' }]),
    { name: 'AWS_DEFAULT_REGION', value: region },
    { name: 'AWS_REGION', value: region },
    { name: 'AWS_ROLE_ARN', value: roleArn },
    { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: `${MOUNT}/token` },
  ];
  for (const field of ['initContainers', 'containers']) {
    const containers = Array.isArray(spec[field]) ? (spec[field] as Obj[]) : [];
    for (const c of containers) {
      if (skip.has(String(c.name))) continue;
      const current = Array.isArray(c.env) ? (c.env as Obj[]) : [];
      c.env = [...current, ...env.filter((e) => !current.some((x) => x.name === e.name))];
      const mounts = Array.isArray(c.volumeMounts) ? (c.volumeMounts as Obj[]) : [];
      if (!mounts.some((m) => m.name === VOLUME)) {
        c.volumeMounts = [...mounts, { name: VOLUME, readOnly: true, mountPath: MOUNT }];
      }
    }
  }
  const volumes = Array.isArray(spec.volumes) ? (spec.volumes as Obj[]) : [];
  if (!volumes.some((v) => v.name === VOLUME)) {
    spec.volumes = [
      ...volumes,
      {
        name: VOLUME,
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { audience, expirationSeconds: expiration, path: 'token' } },
          ],
        },
      },
    ];
  }
}
