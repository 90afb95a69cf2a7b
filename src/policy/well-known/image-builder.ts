// eksctl's imageBuilder: push and pull container images. eksctl attaches the AWS-managed power
// user policy (every repository of the account); naming repositories narrows it to those.
import { actions, allow, arnIn } from './statement.js';
import type { WellKnownPolicy } from './types.js';

export const imageBuilder: WellKnownPolicy = {
  key: 'imageBuilder',
  grants: 'push and pull images in Amazon ECR',
  defaultScope:
    'AWS-managed AmazonEC2ContainerRegistryPowerUser (every repository); repositoryARNs narrows it',
  fields: [
    {
      kind: 'arns',
      name: 'repositoryARNs',
      noun: 'ECR repository',
      service: 'ecr',
      resourcePrefix: 'repository/',
      example: 'arn:aws:ecr:us-east-1:123456789012:repository/my-app',
      everything: (ctx) => arnIn(ctx, 'ecr', 'repository/*'),
      defaultText: 'every repository (AWS-managed policy)',
    },
  ],
  managed: (s) => (s.list('repositoryARNs').length ? [] : ['AmazonEC2ContainerRegistryPowerUser']),
  statements: (s) => {
    const repos = s.list('repositoryARNs');
    if (!repos.length) return [];
    return [
      allow(['ecr:GetAuthorizationToken'], '*'),
      allow(
        actions('ecr', [
          'BatchCheckLayerAvailability',
          'BatchGetImage',
          'GetDownloadUrlForLayer',
          'DescribeImages',
          'ListImages',
          'DescribeRepositories',
          'InitiateLayerUpload',
          'UploadLayerPart',
          'CompleteLayerUpload',
          'PutImage',
        ]),
        repos,
      ),
    ];
  },
};
