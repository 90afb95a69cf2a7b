// Coded warnings: a stable code at the start of a warning's text, so scripts and tests can match
// it (`IRSA-W001 ...`) however the words change. docs/apply.md#warnings lists them.
export const WARNING_KINDS = {
  'IRSA-W001': {
    title: 'an IRSA binding undoes a migration to Pod Identity',
    anchor: 'docs/apply.md#declaring-the-mechanism',
  },
  'IRSA-W002': {
    title: 'the role has policies the flags did not ask for (left alone)',
    anchor: 'docs/apply.md#the-file-is-the-whole-state-of-its-roles',
  },
  'IRSA-W003': {
    title: 'the old role of a binding moved between one cluster and several',
    anchor: 'docs/apply.md#moving-a-binding-between-one-cluster-and-several',
  },
  'IRSA-W004': {
    title: 'over-broad trust from a subject pattern',
    anchor: 'docs/apply.md#eksctl-clusterconfig',
  },
  'IRSA-W005': {
    title: "more managed policies than IAM's default quota",
    anchor: 'docs/apply.md#warnings',
  },
  'IRSA-W006': {
    title: 'an association iamsa did not make for the binding hands out its role',
    anchor: 'docs/apply.md#associations-made-outside-the-binding',
  },
} as const;

export type WarningCode = keyof typeof WARNING_KINDS;

/** `IRSA-W001 text`: the warning with its code in front. */
export const coded = (code: WarningCode, text: string): string => `${code} ${text}`;
