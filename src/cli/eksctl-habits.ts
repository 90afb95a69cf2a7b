// eksctl's spellings of what iamsa does, so a habit typed here gets the iamsa command as its hint.
// eksctl's binding flags (--cluster, --namespace, --name, --attach-policy-arn, --role-only,
// --override-existing-serviceaccounts) are iamsa's too.
const EKSCTL: Record<string, Record<string, string>> = {
  create: {
    iamserviceaccount: 'iamsa create-serviceaccount',
    podidentityassociation: 'iamsa create-serviceaccount --mechanism pod-identity',
  },
  get: {
    iamserviceaccount: 'iamsa get-serviceaccounts',
    podidentityassociation: 'iamsa get-serviceaccounts',
  },
  update: {
    iamserviceaccount: 'iamsa update-serviceaccount',
    podidentityassociation: 'iamsa update-serviceaccount --mechanism pod-identity',
  },
  delete: {
    iamserviceaccount: 'iamsa delete-serviceaccount',
    podidentityassociation: 'iamsa delete-serviceaccount --mechanism pod-identity',
  },
  utils: {
    'associate-iam-oidc-provider': 'iamsa enable-oidc',
    'migrate-to-pod-identity': 'iamsa migrate-to-pod-identity',
  },
};

/** The iamsa command for an eksctl verb and noun (`create iamserviceaccount`), if there is one. */
export function eksctlEquivalent(verb: string, noun: string | undefined): string | undefined {
  // `create-iamserviceaccount`: the habit with a hyphen for the space.
  const joined = /^([a-z]+)-(.+)$/.exec(verb);
  if (joined?.[1] && joined[2] && Object.hasOwn(EKSCTL, joined[1])) {
    const nouns = EKSCTL[joined[1]] ?? {};
    const singular = joined[2].replace(/s$/, '');
    return Object.hasOwn(nouns, singular) ? nouns[singular] : undefined;
  }
  const nouns = EKSCTL[verb];
  if (!nouns || !Object.hasOwn(EKSCTL, verb)) return undefined;
  const singular = noun?.replace(/s$/, '') ?? '';
  if (Object.hasOwn(nouns, singular)) return nouns[singular];
  // `iamsa create` alone: eksctl's verb, iamsa's command is create-serviceaccount.
  return noun === undefined || noun.startsWith('-') ? Object.values(nouns)[0] : undefined;
}
