// The trust policies iamsa must write, written out literally (not with iamsa's own builders), for
// the tests that compare what IAM stores against them.

/** The IRSA trust of irsa.md: exactly one service account of the provider's cluster. */
export function irsaTrust(providerArn: string, namespace: string, name: string) {
  const host = providerArn.split('oidc-provider/')[1];
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${host}:sub`]: `system:serviceaccount:${namespace}:${name}`,
            [`${host}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    ],
  };
}

/** The Pod Identity trust of the EKS user guide (pod-id-role), narrowed to one cluster. */
export function podIdentityTrust(account: string, clusterArn: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnEquals: { 'aws:SourceArn': clusterArn },
        },
      },
    ],
  };
}
