// The single chalk instance, levelled by the terminal (colour only where someone sees it).
import { Chalk, type ChalkInstance } from 'chalk';

export function makeStyle(color: boolean): ChalkInstance {
  return new Chalk({ level: color ? 1 : 0 });
}
