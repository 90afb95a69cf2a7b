// How actions tell the outside world what they are doing. src/ui renders it (spinner, plain lines
// or nothing); actions never print.
export interface Reporter {
  /** Runs one piece of work under a progress label. */
  progress<T>(label: string, work: () => Promise<T>): Promise<T>;
  warn(message: string): void;
}
