// Shell completion scripts, rendered from a plain description of the command tree.
export interface FlagSpec {
  long: string;
  short?: string;
  description: string;
  takesValue: boolean;
  values?: string[];
  file?: boolean;
  repeatable?: boolean;
}

export interface CommandSpec {
  name: string;
  description: string;
  flags: FlagSpec[];
  args?: string[];
}

export interface CompletionSpec {
  program: string;
  globalFlags: FlagSpec[];
  commands: CommandSpec[];
}

export type Shell = 'bash' | 'zsh' | 'fish';
export const SHELLS: Shell[] = ['bash', 'zsh', 'fish'];

const words = (flags: FlagSpec[]) =>
  flags.flatMap((f) => [f.long, ...(f.short ? [f.short] : [])]).join(' ');
const valueFlags = (flags: FlagSpec[], pick: (f: FlagSpec) => boolean) =>
  flags
    .filter(pick)
    .flatMap((f) => [f.long, ...(f.short ? [f.short] : [])])
    .join('|');

export function completionScript(shell: Shell, spec: CompletionSpec): string {
  if (shell === 'bash') return bash(spec);
  if (shell === 'zsh') return zsh(spec);
  return fish(spec);
}

function bash({ program, globalFlags, commands }: CompletionSpec): string {
  const fn = `_${program}_completion`;
  const all = [...globalFlags, ...commands.flatMap((c) => c.flags)];
  const enumCases = all
    .filter((f) => f.values)
    .map(
      (f) =>
        `    ${[f.long, ...(f.short ? [f.short] : [])].join('|')}) COMPREPLY=( $(compgen -W "${f.values?.join(' ')}" -- "$cur") ); return ;;`,
    )
    .join('\n');
  const files = valueFlags(all, (f) => !!f.file);
  const plain = valueFlags(all, (f) => f.takesValue && !f.file && !f.values);
  const commandCases = commands
    .map(
      (c) =>
        `    ${c.name}) opts="${[words(c.flags), words(globalFlags), ...(c.args ?? [])].join(' ')}" ;;`,
    )
    .join('\n');
  return `# bash completion for ${program}; load with: source <(${program} completion bash)
${fn}() {
  local cur prev cmd opts i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
${enumCases}
    ${files || '__none__'}) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
    ${plain || '__none__'}) return ;;
  esac
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${commands.map((c) => c.name).join('|')}) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$cmd" in
${commandCases}
    *) opts="${commands.map((c) => c.name).join(' ')} ${words(globalFlags)} --help --version" ;;
  esac
  COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
}
complete -F ${fn} ${program}
`;
}

const zshEscape = (text: string) =>
  text
    .replaceAll("'", "'\\''")
    .replaceAll('[', '\\[')
    .replaceAll(']', '\\]')
    .replaceAll(':', '\\:');

function zshFlag(f: FlagSpec): string[] {
  const action = f.values
    ? `:value:(${f.values.join(' ')})`
    : f.file
      ? ':file:_files'
      : f.takesValue
        ? ':value: '
        : '';
  const desc = `[${zshEscape(f.description)}]`;
  const many = f.repeatable ? '*' : '';
  return [f.long, ...(f.short ? [f.short] : [])].map((name) => `'${many}${name}${desc}${action}'`);
}

function zsh({ program, globalFlags, commands }: CompletionSpec): string {
  const cases = commands
    .map((c) => {
      const args = [...c.flags, ...globalFlags].flatMap(zshFlag);
      if (c.args) args.push(`'1:shell:(${c.args.join(' ')})'`);
      return `        ${c.name})\n          _arguments -s \\\n            ${args.join(' \\\n            ')}\n          ;;`;
    })
    .join('\n');
  // The outer _arguments takes global flags before the command; '*:: :->args' then shifts the
  // words so each command's _arguments sees its own flags from position 1.
  return `#compdef ${program}
# zsh completion for ${program}; load with: source <(${program} completion zsh)
_${program}() {
  local curcontext="$curcontext" state line
  local -a commands
  commands=(
${commands.map((c) => `    '${c.name}:${zshEscape(c.description)}'`).join('\n')}
  )
  _arguments -C -s \\
    ${[...globalFlags.flatMap(zshFlag), "'(- *)--help[show help]'", "'(- *)--version[print the version]'"].join(' \\\n    ')} \\
    '1:command:->command' \\
    '*:: :->args'
  case $state in
    command)
      _describe -t commands 'command' commands
      ;;
    args)
      case $line[1] in
${cases}
      esac
      ;;
  esac
}
compdef _${program} ${program}
`;
}

function fish({ program, globalFlags, commands }: CompletionSpec): string {
  const quote = (t: string) => `'${t.replaceAll("'", "\\'")}'`;
  const flagLine = (f: FlagSpec, condition: string) =>
    [
      `complete -c ${program} -n ${quote(condition)}`,
      `-l ${f.long.replace(/^--/, '')}`,
      f.short ? `-s ${f.short.replace(/^-/, '')}` : '',
      f.takesValue ? (f.file ? '-r -F' : '-r -f') : '',
      f.values ? `-a ${quote(f.values.join(' '))}` : '',
      `-d ${quote(f.description)}`,
    ]
      .filter(Boolean)
      .join(' ');
  const lines = [
    `# fish completion for ${program}; load with: ${program} completion fish | source`,
    `complete -c ${program} -f`,
    ...commands.map(
      (c) =>
        `complete -c ${program} -n '__fish_use_subcommand' -a ${c.name} -d ${quote(c.description)}`,
    ),
    ...globalFlags.map((f) => flagLine(f, 'true')),
    ...commands.flatMap((c) => [
      ...c.flags.map((f) => flagLine(f, `__fish_seen_subcommand_from ${c.name}`)),
      ...(c.args
        ? [
            `complete -c ${program} -n '__fish_seen_subcommand_from ${c.name}' -a ${quote(c.args.join(' '))}`,
          ]
        : []),
    ]),
  ];
  return `${lines.join('\n')}\n`;
}
