import { parseArgs } from 'node:util';
import { FedsynthError } from '@fedsynth/gan';
import type { CommandEntry, Io } from './command';
import { COMMANDS } from './commands';

const TOP_HELP_HEAD = `fedsynth — federated GAN training of synthetic patient diagnosis records

Usage: fedsynth <command> [options]
       fedsynth <command> --help

Commands:`;

function topHelp(commands: readonly CommandEntry[]): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  const lines = commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return `${TOP_HELP_HEAD}\n${lines.join('\n')}\n\nEnvironment:\n  FEDSYNTH_BACKEND  force a TensorFlow.js backend: tensorflow | wasm | cpu\n`;
}

/** The entry whose path is the longest prefix of argv, if any. */
function findCommand(argv: string[], commands: readonly CommandEntry[]): CommandEntry | undefined {
  let best: CommandEntry | undefined;
  for (const entry of commands) {
    const matches = entry.path.every((word, i) => argv[i] === word);
    if (matches && (!best || entry.path.length > best.path.length)) best = entry;
  }
  return best;
}

/** Runs one CLI invocation and returns its exit code (0 ok, 1 crash, 2 usage or input error). */
export async function runCli(argv: string[], io: Io, commands: readonly CommandEntry[] = COMMANDS): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(topHelp(commands));
    return argv.length === 0 ? 2 : 0;
  }
  const entry = findCommand(argv, commands);
  if (!entry) {
    const group = commands.filter((c) => c.path[0] === argv[0]);
    if (group.length > 0) {
      io.err(`fedsynth ${argv[0]}: expected a subcommand: ${group.map((c) => c.path.join(' ')).join(', ')}\n`);
    } else {
      io.err(`fedsynth: unknown command '${argv[0]}'. Run 'fedsynth --help' for the list.\n`);
    }
    return 2;
  }
  const rest = argv.slice(entry.path.length);
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
    return 0;
  }
  const name = `fedsynth ${command.path.join(' ')}`;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
  } catch (error) {
    io.err(`${name}: ${(error as Error).message}\nRun '${name} --help' for usage.\n`);
    return 2;
  }
  try {
    const code = await command.run(parsed.values as Record<string, string | boolean | undefined>, parsed.positionals, io);
    return code ?? 0;
  } catch (error) {
    if (error instanceof FedsynthError) {
      io.err(`${name}: error: ${error.message}\n`);
      return 2;
    }
    io.err(`${name}: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
