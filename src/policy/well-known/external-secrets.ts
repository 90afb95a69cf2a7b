// External Secrets Operator: read the named secrets and parameters (and, if asked, write secrets).
import { actions, allow, arnIn, kmsKeyField } from './statement.js';
import type { WellKnownPolicy } from './types.js';

export const externalSecrets: WellKnownPolicy = {
  key: 'externalSecrets',
  grants: 'read the named Secrets Manager secrets and SSM parameters; decrypt with the named keys',
  defaultScope: 'none: secretsManagerARNs or ssmParameterARNs is required',
  fields: [
    {
      kind: 'arns',
      name: 'secretsManagerARNs',
      noun: 'secret',
      service: 'secretsmanager',
      resourcePrefix: 'secret:',
      example: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:my-app/*',
      everything: (ctx) => arnIn(ctx, 'secretsmanager', 'secret:*'),
    },
    {
      kind: 'arns',
      name: 'ssmParameterARNs',
      noun: 'SSM parameter',
      service: 'ssm',
      resourcePrefix: 'parameter/',
      example: 'arn:aws:ssm:us-east-1:123456789012:parameter/my-app/*',
      everything: (ctx) => arnIn(ctx, 'ssm', 'parameter/*'),
    },
    kmsKeyField(),
    {
      kind: 'flag',
      name: 'createSecrets',
      description: 'also create, update and delete (its own) secrets, for PushSecret',
    },
  ],
  requires: (s) =>
    s.list('secretsManagerARNs').length || s.list('ssmParameterARNs').length
      ? undefined
      : 'secretsManagerARNs or ssmParameterARNs',
  statements: (s) => {
    const secrets = s.list('secretsManagerARNs');
    const parameters = s.list('ssmParameterARNs');
    const keys = s.list('kmsKeyARNs');
    return [
      ...(parameters.length
        ? [
            allow(['ssm:DescribeParameters'], '*'),
            allow(
              actions('ssm', ['GetParameter', 'GetParameters', 'GetParametersByPath']),
              parameters,
            ),
          ]
        : []),
      ...(secrets.length
        ? [
            allow(actions('secretsmanager', ['ListSecrets', 'BatchGetSecretValue']), '*'),
            allow(
              actions('secretsmanager', [
                'GetResourcePolicy',
                'GetSecretValue',
                'DescribeSecret',
                'ListSecretVersionIds',
              ]),
              secrets,
            ),
          ]
        : []),
      ...(secrets.length && s.flag('createSecrets')
        ? [
            allow(
              actions('secretsmanager', ['CreateSecret', 'PutSecretValue', 'TagResource']),
              secrets,
            ),
            allow(['secretsmanager:DeleteSecret'], secrets, {
              StringEquals: { 'secretsmanager:ResourceTag/managed-by': 'external-secrets' },
            }),
          ]
        : []),
      ...(keys.length ? [allow(['kms:Decrypt'], keys)] : []),
    ];
  },
};
