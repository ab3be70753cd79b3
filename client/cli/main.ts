import { Command, CommanderError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { registerDoctor } from './commands/doctor';
import { registerEnv } from './commands/env';
import { registerExecutes } from './commands/executes';
import { registerMisc } from './commands/misc';
import { registerModels } from './commands/models';
import { registerRun } from './commands/run';
import { registerTemplates } from './commands/templates';
import { registerUsage } from './commands/usage';
import { createContext, type GlobalFlags } from './context';
import { describeFailure, EXIT } from './exit-codes';

/** The client package's version: the build inlines it (the bundle has no package.json beside it). */
const CLIENT_VERSION: string = packageJson.version;

const program = new Command('comfy-exec')
  .description('Run ComfyUI workflows on comfy-exec (serverless ComfyUI on AWS)')
  .option('--api-url <url>', 'the API (default: COMFY_EXEC_API_URL, a profile, or a running `npm start`)')
  .option('--api-key <key>', "the API key (default: COMFY_EXEC_API_KEY, a profile, or `npm start`'s)")
  .option(
    '-p, --profile <name>',
    'a profile from the config file (COMFY_EXEC_CONFIG or ~/.config/comfy-exec/config.json)',
  )
  .version(CLIENT_VERSION, '-V, --version', "print comfy-exec's version")
  .option('-v, --verbose', 'say where requests go, and each retry')
  .option('-q, --quiet', 'print only results')
  .showHelpAfterError('(comfy-exec --help for usage)')
  .exitOverride();

let exitCode: number = EXIT.success;
const context = createContext(
  () => program.opts<GlobalFlags>(),
  (code) => {
    exitCode = code;
  },
);
registerRun(program, context);
registerTemplates(program, context);
registerExecutes(program, context);
registerMisc(program, context);
registerModels(program, context);
registerDoctor(program, context);
registerEnv(program, context);
registerUsage(program, context);
for (const command of program.commands) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here too, successfully; usage mistakes are exit 2.
    exitCode = error.exitCode === 0 ? EXIT.success : EXIT.usage;
  } else {
    const { lines, code } = describeFailure(error);
    process.stderr.write(`comfy-exec: ${lines.join('\n')}\n`);
    exitCode = code;
  }
}
// Exit once what was written has reached the pipe (a plain exit can cut a long --json short).
process.stdout.write('', () => process.stderr.write('', () => process.exit(exitCode)));
