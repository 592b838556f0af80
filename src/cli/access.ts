/**
 * `maillon admin create` makes the first admin (or another), and `maillon key create` an API key,
 * on the command line: what an operator does before anyone can sign in. The password or key is
 * printed once; only its hash is stored.
 */
import { Command, Option } from 'commander';
import { loadConfig } from '../../config/index.js';
import { makeApiKey, makeUser } from '../access/provision.js';
import { withLocalMongo } from '../devtools/local-env.js';
import { ROLES, type Role } from '../domain/vocabulary.js';
import { createAccessRepository } from '../store/access-repository.js';
import { connectMongo } from '../store/mongo.js';

type Env = Record<string, string | undefined>;

async function withAccess<T>(
  env: Env,
  quiet: boolean,
  run: (access: ReturnType<typeof createAccessRepository>) => Promise<T>,
): Promise<T> {
  const say = (msg: string) => process.stderr.write(`maillon: ${msg}\n`);
  const local = await withLocalMongo(env, quiet ? () => {} : say);
  try {
    const config = loadConfig({ LOG_LEVEL: 'warn', ...local.env });
    const mongo = await connectMongo(config.mongo);
    try {
      return await run(createAccessRepository(mongo.db));
    } finally {
      await mongo.close();
    }
  } finally {
    await local.stop();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Registers the commands; `env` is the process's environment (read by the entry point). */
export function accessCommands(program: Command, env: Env): void {
  program
    .command('admin')
    .description('administrators')
    .command('create')
    .description('make an admin who signs in to the dashboard with an e-mail and a password')
    .requiredOption('--email <email>', 'the e-mail address they sign in with')
    .requiredOption('--name <name>', 'their name, as shown in alerts’ histories')
    .option('--password-stdin', 'read the password from standard input (else one is generated)')
    .option('--json', 'print the result as one JSON object')
    .action(
      async (opts: { email: string; name: string; passwordStdin?: boolean; json?: boolean }) => {
        const password = opts.passwordStdin ? await readStdin() : undefined;
        if (password !== undefined && password.length < 12)
          throw new Error('the password needs at least 12 characters');
        const made = await withAccess(env, Boolean(opts.json), (access) =>
          makeUser(access, {
            email: opts.email,
            name: opts.name,
            role: 'admin',
            createdBy: 'cli',
            ...(password !== undefined ? { password } : {}),
          }),
        );
        if (!made) throw new Error(`a user ${opts.email.toLowerCase()} exists already`);
        if (opts.json) process.stdout.write(`${JSON.stringify(made)}\n`);
        else
          process.stdout.write(
            `admin ${made.user.id} created.\n` +
              (made.password
                ? `password (shown once, keep it safe): ${made.password}\n`
                : 'password: the one given on standard input\n'),
          );
      },
    );

  program
    .command('key')
    .description('API keys')
    .command('create')
    .description('make an API key (for Prometheus, an integration, a script)')
    .requiredOption('--name <name>', 'what it is for')
    .addOption(new Option('--role <role>', 'what it may do').choices(ROLES).default('viewer'))
    .option('--json', 'print the result as one JSON object')
    .action(async (opts: { name: string; role: Role; json?: boolean }) => {
      const made = await withAccess(env, Boolean(opts.json), (access) =>
        makeApiKey(access, { name: opts.name, role: opts.role, createdBy: 'cli' }),
      );
      if (opts.json) process.stdout.write(`${JSON.stringify(made)}\n`);
      else
        process.stdout.write(
          `key ${made.apiKey.id} (${made.apiKey.role}) created; shown once, keep it safe:\n${made.key}\n`,
        );
    });
}
