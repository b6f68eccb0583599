#!/usr/bin/env node
import { runCli } from './run-cli';

const io = {
  out: (text: string) => process.stdout.write(text),
  err: (text: string) => process.stderr.write(text),
  interactive: Boolean(process.stderr.isTTY),
};

runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`fedsynth: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
