// How a use case asks a person something. src/ui implements it with inquirer; Ctrl-C or Esc
// surfaces as CancelledError.
import type { CommandResult } from './plan.js';

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
}

export interface Prompter {
  select<T>(message: string, choices: Array<Choice<T>>, defaultValue?: T): Promise<T>;
  /** Type to filter; source is called with the text typed so far. */
  search<T>(message: string, source: (term: string) => Promise<Array<Choice<T>>>): Promise<T>;
  input(
    message: string,
    options?: { default?: string; validate?: (value: string) => string | true },
  ): Promise<string>;
  confirm(message: string, defaultValue?: boolean): Promise<boolean>;
  /** Shows a plan or result exactly as the flag-driven command prints it. */
  show(result: CommandResult): void;
  say(message: string): void;
}
