// A region's name checked against the SDK's own partition data (@aws-sdk/core's partitions.json,
// kept current with each SDK release), so a typo (us-est-1) is exit 2 with the nearest region
// instead of an endpoint error, while a region newer than the SDK still works.
import { partition } from '@aws-sdk/core/client';
import { ValidationError } from '../errors.js';
import { validateRegion } from '../policy/validate.js';
import { closest } from '../suggest.js';

/** Whether the SDK knows the region by name (its entries all carry a description). */
const known = (region: string) =>
  (partition(region) as { description?: string }).description !== undefined;

// The words region names are made of; which of their combinations exist is the SDK's to say.
const AREAS = ['us', 'eu', 'ap', 'sa', 'ca', 'me', 'af', 'il', 'mx', 'cn'];
const ENCLAVES = ['', '-gov', '-iso', '-isob', '-isoe', '-isof', '-de'];
const DIRECTIONS = ['east', 'west', 'north', 'south', 'central'].flatMap((d) =>
  ['north', 'south'].includes(d) ? [d, `${d}east`, `${d}west`] : [d],
);

let knownRegions: string[] | undefined;
/** Every region the SDK knows whose name is made of those words. */
function regions(): string[] {
  knownRegions ??= [...AREAS, 'eusc']
    .flatMap((a) => ENCLAVES.map((e) => `${a}${e}`))
    .flatMap((p) => DIRECTIONS.map((d) => `${p}-${d}`))
    .flatMap((p) => Array.from({ length: 9 }, (_, i) => `${p}-${i + 1}`))
    .filter(known);
  return knownRegions;
}

/**
 * The region's shape (validateRegion), then its name: one the SDK does not know is refused only
 * when no known region shares its name but for the number (ap-east-3 may be newer than the SDK;
 * us-est-1 is a typo), naming the nearest known region.
 */
export function checkRegion(region: string, what = 'region'): string {
  try {
    validateRegion(region, what);
  } catch (error) {
    // A region missing a dash (us-east1) is refused by its shape; the nearest name still helps.
    const near =
      error instanceof ValidationError &&
      !/did you mean|availability zone/.test(error.message) &&
      closest(region, regions());
    if (near) throw new ValidationError(error.message, { hint: `did you mean ${near}?` });
    throw error;
  }
  if (known(region)) return region;
  const stem = region.replace(/\d+$/, '');
  if (regions().some((r) => r.startsWith(stem) && /^\d+$/.test(r.slice(stem.length)))) {
    return region;
  }
  const near = closest(region, regions());
  throw new ValidationError(
    `invalid ${what} ${JSON.stringify(region)}: no AWS region has that name`,
    {
      hint: near
        ? `did you mean ${near}?`
        : `AWS regions are like ${['us-east-1', 'eu-west-1', 'ap-southeast-2'].join(', ')}`,
    },
  );
}

/**
 * AWS_REGION before the SDK reads it: empty is unset (as the AWS CLI takes it), so the profile's
 * region or "no AWS region configured" follows; a value that is not a region (a stray newline or
 * space) is exit 2 naming the variable, not the SDK's endpoint error.
 */
export function checkRegionEnv(env: NodeJS.ProcessEnv = process.env): void {
  const value = env.AWS_REGION;
  if (value === undefined) return;
  if (value === '') {
    delete env.AWS_REGION;
    return;
  }
  checkRegion(value, 'AWS_REGION');
}
