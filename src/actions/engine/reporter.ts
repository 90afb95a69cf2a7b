// How actions tell the outside world what they are doing. src/ui renders it (spinner, plain lines
// or nothing); actions never print.
import type { Warning } from './warning-kinds.js';

export interface Reporter {
  /** Runs one piece of work under a progress label. */
  progress<T>(label: string, work: () => Promise<T>): Promise<T>;
  /** A coded warning (engine/warning-kinds.ts). */
  warn(message: Warning): void;
}
