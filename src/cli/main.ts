import { Command, Option } from 'commander';
import { openConfiguredDatabase } from '../app/boot.js';
import { createApplication, resetPassword } from '../auth/accounts.js';
import { loadConfig } from '../core/config.js';
import { migrate } from '../db/migrator.js';
import { registerAteraCommands } from './atera.js';
import { registerDemoCommand } from './demo.js';
import { runCommand } from './run.js';
import { serveCommand, workerCommand } from './serve.js';

const program = new Command()
  .name('keel')
  .description('Keel: a self-hosted PSA with a first-class Atera RMM integration')
  .showHelpAfterError();

program
  .command('serve')
  .description('Run the web server and API (embedded database unless DATABASE_URL is set)')
  .option('-p, --port <port>', 'port to listen on (default PORT or 8080)')
  .option('--host <host>', 'address to bind (default HOST or 127.0.0.1)')
  .option('--no-worker', 'serve HTTP only; run `keel worker` processes for jobs and schedules (PostgreSQL)')
  .action((opts: { port?: string; host?: string; worker?: boolean }) => runCommand(() => serveCommand(opts)));

program
  .command('worker')
  .description('Run a worker only: jobs and schedules, no web server (scale out on PostgreSQL)')
  .action(() => runCommand(() => workerCommand()));

program
  .command('migrate')
  .description('Apply database migrations and seed defaults, then exit')
  .action(() =>
    runCommand(async () => {
      const config = loadConfig();
      const database = await openConfiguredDatabase(config);
      const again = await migrate(database.db);
      process.stdout.write(
        `database is up to date (${database.kind}${again.length ? `, applied ${again.join(', ')}` : ''})\n`,
      );
      await database.close();
    }),
  );

const admin = program.command('admin').description('Administer agents');
admin
  .command('reset-password')
  .description('Set a new password for an agent (a random one is printed when --password is not given)')
  .option('--login <login>', 'agent login', 'admin')
  .option('--password <password>', 'the new password (at least 8 characters)')
  .action((opts: { login: string; password?: string }) =>
    runCommand(async () => {
      const database = await openConfiguredDatabase(loadConfig());
      const pw = await resetPassword(database.db, opts.login, opts.password);
      process.stdout.write(
        opts.password ? `password of ${opts.login} changed\n` : `new password of ${opts.login}: ${pw}\n`,
      );
      await database.close();
    }),
  );

const app = program.command('app').description('API applications (OAuth2 client credentials)');
app
  .command('create')
  .description('Create an API application and print its client id and secret (shown once, stored hashed)')
  .requiredOption('--name <name>', 'a name to recognise the application by')
  .addOption(new Option('--role <role>', 'what it may do').choices(['admin', 'technician']).default('admin'))
  .action((opts: { name: string; role: 'admin' | 'technician' }) =>
    runCommand(async () => {
      const database = await openConfiguredDatabase(loadConfig());
      const created = await createApplication(database.db, opts.name, opts.role);
      process.stdout.write(
        `application "${created.name}" (${created.role})\nclient_id:     ${created.client_id}\nclient_secret: ${created.client_secret}\n` +
          'Store the secret now: Keel keeps only its hash.\n',
      );
      await database.close();
    }),
  );

registerAteraCommands(program);
registerDemoCommand(program);

await program.parseAsync(process.argv);
