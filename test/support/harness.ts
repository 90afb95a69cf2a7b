// Runs iamsa in-process: the real commander program, the real runners and renderers, over a test
// IO (buffers, chosen TTY flags) and a factory over the stateful fakes of fakes.ts. The same parsing,
// validation, plan, rendering and exit code as the binary, in milliseconds; the binary tests keep
// what only a process shows (start-up, streams, TTY, signals, the tarball, real shells).
import { Readable, Writable } from 'node:stream';
import type { CommandResult } from '../../src/actions/engine/plan.js';
import type { Choice, Prompter } from '../../src/actions/engine/prompter.js';
import { CancelledError } from '../../src/errors.js';
import { type Access, createFactory, type Factory } from '../../src/cli/factory.js';
import { createIO, type IO, type OutStream } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import type { KubeAccess } from '../../src/kube/connection.js';
import { checkRegion } from '../../src/aws/regions.js';
import { VERSION } from '../../src/version.js';
import { FakeEks, FakeIam, FakeKube } from './fakes.js';

export const REGION = 'us-east-1';

/** A stream that keeps what is written, with the TTY flags a test chooses. */
class Buffer extends Writable {
  text = '';
  constructor(
    readonly isTTY: boolean,
    readonly columns?: number,
  ) {
    super({ decodeStrings: false });
  }
  override _write(chunk: unknown, _encoding: string, done: () => void) {
    this.text += String(chunk);
    done();
  }
  // What a spinner moves the cursor with on a terminal.
  cursorTo = () => true;
  moveCursor = () => true;
  clearLine = () => true;
}

export interface RunOptions {
  /** What stdin holds (`apply -f -`). */
  stdin?: string;
  /** Which streams are terminals: true for all three, or each (default: none, as in CI logs). */
  tty?: boolean | { stdin?: boolean; stdout?: boolean; stderr?: boolean };
  /** The environment terminal detection reads (CI, NO_COLOR, FORCE_COLOR); default empty. */
  env?: NodeJS.ProcessEnv;
  /** Answers for the prompts, in order (a run that prompts without them fails). */
  answers?: Answer[];
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The prompts asked, in order, as "kind: message". */
  asked: string[];
}

/** The default choice, value or yes/no of a prompt. */
export const DEFAULT = Symbol('default');
/** Ctrl-C or Esc at a prompt. */
export const CANCEL = Symbol('cancel');

export interface Question {
  kind: 'select' | 'search' | 'input' | 'confirm';
  message: string;
  choices: Array<Choice<unknown>>;
}

/**
 * One answer: `[message, reply]`, where the prompt's message must match `message` and reply is
 * - DEFAULT or CANCEL;
 * - for select: a RegExp matched against the choices' names (the first that matches);
 * - for search: `{ type: 'text', pick?: RegExp }` (the text typed, then the first match or choice);
 * - for input: the text (a refused one is followed by the next answer, as inquirer asks again);
 *   for confirm: true or false;
 * - or a function of the question that returns the value.
 */
export type Answer = [
  RegExp,
  (
    | typeof DEFAULT
    | typeof CANCEL
    | RegExp
    | string
    | boolean
    | { type: string; pick?: RegExp }
    | ((q: Question) => unknown)
  ),
];

/** A prompter that answers from a script and writes what a person would see to `output`. */
export function scriptedPrompter(
  answers: Answer[],
  render: (result: CommandResult) => string,
  output: OutStream,
  asked: string[],
): Prompter {
  const next = async (q: Question, defaultValue: unknown): Promise<unknown> => {
    asked.push(`${q.kind}: ${q.message}`);
    const answer = answers.shift();
    if (!answer) throw new Error(`unscripted prompt: ${q.kind} "${q.message}"`);
    const [expected, reply] = answer;
    if (!expected.test(q.message))
      throw new Error(`prompt "${q.message}" asked where the script expects ${expected}`);
    if (reply === CANCEL) throw new CancelledError('nothing was changed');
    let value: unknown;
    if (reply === DEFAULT) value = defaultValue ?? q.choices[0]?.value;
    else if (typeof reply === 'function') value = reply(q);
    else if (reply instanceof RegExp) {
      const choice = q.choices.find((c) => reply.test(c.name));
      if (!choice)
        throw new Error(
          `no choice matches ${reply} at "${q.message}": ${q.choices.map((c) => c.name).join(' | ')}`,
        );
      value = choice.value;
    } else value = reply;
    const shown = q.choices.find((c) => c.value === value)?.name ?? String(value);
    output.write(`? ${q.message} ${shown}\n`);
    return value;
  };
  return {
    show: (result) => output.write(`${render(result)}\n`),
    say: (message) => output.write(`${message}\n`),
    select: (message, choices, defaultValue) =>
      next({ kind: 'select', message, choices }, defaultValue) as never,
    async search(message, source) {
      const answer = answers[0];
      const reply = answer?.[1];
      const typed = reply && typeof reply === 'object' && 'type' in reply ? reply : undefined;
      const choices = await source(typed?.type ?? '');
      if (typed) {
        const pick = typed.pick;
        const choice = pick ? choices.find((c) => pick.test(c.name)) : choices[0];
        if (!choice)
          throw new Error(
            `no choice for "${typed.type}" at "${message}": ${choices.map((c) => c.name).join(' | ')}`,
          );
        answers[0] = [answer?.[0] ?? /./, () => choice.value];
      }
      return next({ kind: 'search', message, choices }, undefined) as never;
    },
    async input(message, options = {}) {
      // As inquirer does, a refused value shows the validator's message and asks again (the
      // script's next answer for the same prompt).
      for (;;) {
        const value = (await next(
          { kind: 'input', message, choices: [] },
          options.default,
        )) as string;
        const valid = options.validate?.(value) ?? true;
        if (valid === true) return value;
        output.write(`> ${valid}\n`);
      }
    },
    confirm: (message, defaultValue = false) =>
      next({ kind: 'confirm', message, choices: [] }, defaultValue) as Promise<boolean>,
  };
}

/** A connection that was opened: which cluster, with which access mode. */
export interface Connection {
  cluster: string;
  access: KubeAccess;
}

export interface Harness {
  /** IAM is global: one account for every region. */
  iam: FakeIam;
  /** EKS of a region (made on first use; REGION by default). */
  eks(region?: string): FakeEks;
  /** The Kubernetes API of a cluster (made on first use). */
  kube(cluster: string): FakeKube;
  /** Kubernetes connections opened, in order. */
  connections: Connection[];
  /** Everything the fakes hold, as plain data: equal snapshots mean nothing was written. */
  state(): unknown;
  /** Runs `iamsa ...args` in-process. */
  run(args: string[], options?: RunOptions): Promise<RunResult>;
}

/**
 * The fake as the real gateways are: a plain object of functions (use cases spread gateways to
 * override a method, which would drop a class's prototype methods).
 */
export function asGateway<T extends object>(fake: T): T {
  const methods: Record<string, unknown> = {};
  for (let o = fake; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) {
      const value = (fake as Record<string, unknown>)[key];
      if (key !== 'constructor' && typeof value === 'function' && !(key in methods))
        methods[key] = (value as (...args: unknown[]) => unknown).bind(fake);
    }
  }
  return methods as T;
}

export interface HarnessOptions {
  /** Clusters of REGION made up front. */
  clusters?: string[];
  /** The region of the SDK's chain (AWS_REGION); undefined: none configured. */
  configuredRegion?: string;
}

export function createHarness(options: HarnessOptions = {}): Harness {
  const iam = new FakeIam();
  const regions = new Map<string, FakeEks>();
  const kubes = new Map<string, FakeKube>();
  const connections: Connection[] = [];
  const configured = 'configuredRegion' in options ? options.configuredRegion : REGION;
  const eks = (region = REGION) => {
    let e = regions.get(region);
    if (!e) regions.set(region, (e = FakeEks.inRegion(region)));
    return e;
  };
  const kube = (cluster: string) => {
    let k = kubes.get(cluster);
    if (!k) kubes.set(cluster, (k = new FakeKube()));
    return k;
  };
  for (const c of options.clusters ?? []) {
    eks().addCluster(c);
    kube(c);
  }

  const access = async (settings: { region?: string; profile?: string }): Promise<Access> => {
    // What createAwsClients checks before any call.
    if (settings.region) checkRegion(settings.region, '--region');
    const region = settings.region ?? configured;
    if (!region) throw new Error('no region: give the harness a configuredRegion or --region');
    return {
      region,
      ...(settings.profile ? { profile: settings.profile } : {}),
      iam: asGateway(iam),
      eks: asGateway(eks(region)),
      eksIn: (other) => asGateway(eks(other)),
      openKube: async (mode, name, cluster) => {
        await cluster;
        connections.push({ cluster: name, access: mode });
        return { gateway: kube(name), warnings: [] };
      },
    };
  };

  const plain = (value: unknown): unknown =>
    value instanceof Map
      ? Object.fromEntries([...value].map(([k, v]) => [k, plain(v)]))
      : value instanceof Set
        ? [...value].sort()
        : Array.isArray(value)
          ? value.map(plain)
          : value && typeof value === 'object'
            ? Object.fromEntries(
                Object.entries(value)
                  // Call logs and counters are not state.
                  .filter(
                    ([k, v]) =>
                      typeof v !== 'function' &&
                      !['calls', 'denied', 'describes', 'version'].includes(k),
                  )
                  .map(([k, v]) => [k, plain(v)]),
              )
            : value;

  return {
    iam,
    eks,
    kube,
    connections,
    state: () => plain({ iam, eks: regions, kube: kubes }),
    async run(args, runOptions = {}) {
      const tty = runOptions.tty;
      const is = (stream: 'stdin' | 'stdout' | 'stderr') =>
        typeof tty === 'object' ? !!tty[stream] : !!tty;
      const stdout = new Buffer(is('stdout'), 80);
      const stderr = new Buffer(is('stderr'), 80);
      const stdin = Object.assign(Readable.from([runOptions.stdin ?? '']), {
        isTTY: is('stdin'),
      });
      const io: IO = createIO({ stdin, stdout, stderr, env: runOptions.env ?? {} });
      const answers = [...(runOptions.answers ?? [])];
      const asked: string[] = [];
      const real = createFactory(args, io);
      const f: Factory = {
        ...real,
        access,
        configuredRegion: async () => configured,
        prompter: async (render, output) => scriptedPrompter(answers, render, output, asked),
      };
      const code = await runCli(VERSION, f);
      if (answers.length)
        throw new Error(
          `${answers.length} scripted answer(s) left unused: ${answers.map((a) => a[0]).join(', ')}`,
        );
      return { code, stdout: stdout.text, stderr: stderr.text, asked };
    },
  };
}
