// The AWS profile in use, checked only once something failed: the SDK falls through a profile it
// cannot find to later sources (web identity, instance metadata), so a missing profile is not an
// error in itself, but it is the reason to give when credentials or the region then fail.
import { ValidationError } from '../errors.js';

export interface ProfileChoice {
  name: string;
  /** Where it was chosen: --profile or AWS_PROFILE. */
  from: string;
}

export function chosenProfile(flag?: string): ProfileChoice | undefined {
  if (flag) return { name: flag, from: '--profile' };
  const env = process.env.AWS_PROFILE;
  return env ? { name: env, from: 'AWS_PROFILE' } : undefined;
}

/** The error for a profile that none of the AWS config files defines, or undefined. */
export async function missingProfile(profile: ProfileChoice): Promise<ValidationError | undefined> {
  // The SDK's own reader: same files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE), same parsing.
  const { loadSharedConfigFiles } = await import('@smithy/core/config');
  const { configFile, credentialsFile } = await loadSharedConfigFiles();
  if (profile.name in configFile || profile.name in credentialsFile) return undefined;
  const known = [...new Set([...Object.keys(configFile), ...Object.keys(credentialsFile)])].filter(
    (name) => !/^(sso-session|services)\./.test(name),
  );
  const drop = profile.from === '--profile' ? 'drop --profile' : 'unset AWS_PROFILE';
  return new ValidationError(
    `AWS profile ${profile.name} not found in ~/.aws/config or ~/.aws/credentials (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE)`,
    {
      hint: known.length
        ? `profiles there: ${known.join(', ')}; or ${drop} to use the default credentials`
        : `create it (aws configure --profile ${profile.name}), or ${drop} to use the default credentials`,
    },
  );
}
