// What the command line adds to a file: --cluster and --region fill in what the file leaves
// open and are refused when they name something else than the file (never silently ignored).
import { checkRegion } from '../../aws/regions.js';
import { type FileContext, problemAt } from './draft.js';
import { pathLabel, type SourceDocument, type YamlPath } from './yaml-source.js';

export interface FileOptions {
  cluster?: string;
  region?: string;
  overrideExisting?: boolean;
  allowSubjectPattern?: boolean;
}

export interface Defaults {
  flagCluster?: string;
  /** The region of clusters the file gives none for (--region; else the SDK's chain). */
  defaultRegion?: string;
  overrideExisting: boolean;
  allowSubjectPattern: boolean;
  /** A cluster name the file gives, checked against --cluster. */
  cluster(doc: SourceDocument, path: YamlPath, name: string): string;
  region(doc: SourceDocument, path: YamlPath, region: string): string;
}

export function fileDefaults(ctx: FileContext, options: FileOptions): Defaults {
  const conflict =
    (flag: string, given: string | undefined) =>
    (doc: SourceDocument, path: YamlPath, value: string) => {
      if (given !== undefined && value !== given) {
        problemAt(
          ctx,
          doc,
          path,
          `the file says ${flag.slice(2)} ${value} but ${flag} says ${given}; drop ${flag} (the file decides) or fix the file`,
        );
      }
      return value;
    };
  const region = conflict('--region', options.region);
  return {
    flagCluster: options.cluster,
    defaultRegion: options.region,
    overrideExisting: !!options.overrideExisting,
    allowSubjectPattern: !!options.allowSubjectPattern,
    cluster: conflict('--cluster', options.cluster),
    // A region the file names is checked as --region is (a typo gets the nearest region), at its line.
    region: (doc, path, value) => {
      try {
        checkRegion(value, pathLabel(path));
      } catch (error) {
        problemAt(ctx, doc, path, error);
        return value;
      }
      return region(doc, path, value);
    },
  };
}
