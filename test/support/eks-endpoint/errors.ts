// EKS errors as the restJson1 protocol sends them: the HTTP status of the model's error shape, the
// shape's name in `x-amzn-errortype`, and a JSON body with `message` and the shape's other members.
export type EksErrorName =
  | 'BadRequestException'
  | 'InvalidParameterException'
  | 'InvalidRequestException'
  | 'ResourceInUseException'
  | 'ResourceLimitExceededException'
  | 'ResourceNotFoundException';

/** The `httpError` of each shape in the model (@aws-sdk/client-eks schemas). */
const STATUS: Record<EksErrorName, number> = {
  BadRequestException: 400,
  InvalidParameterException: 400,
  InvalidRequestException: 400,
  ResourceInUseException: 409,
  ResourceLimitExceededException: 400,
  ResourceNotFoundException: 404,
};

export class EksError extends Error {
  readonly status: number;
  constructor(
    readonly type: EksErrorName,
    message: string,
    /** Other members of the shape: clusterName, addonName... */
    readonly members: Record<string, string> = {},
  ) {
    super(message);
    this.status = STATUS[type];
  }
}

export const invalidParameter = (message: string, clusterName?: string) =>
  new EksError('InvalidParameterException', message, clusterName ? { clusterName } : {});
