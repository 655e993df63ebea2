import { parseArgs } from 'node:util';
import { DomainError } from '@retail/domain';
import { runBackup } from './backup';
import { runFixture } from './fixture';
import { runInit } from './init';
import { runReEnroll } from './re-enroll';
import { runRestore } from './restore';
import { OPTIONS, UsageError, processIo, type CliIo, type ParsedOptions } from './options';
import { withSecrets } from './secret-options';
import { runStart } from './start';

export const USAGE = `pos-store — the store node without the desktop window: local database, commands and the
local server that tills and handhelds connect to.

Usage:
  pos-store init --data DIR --store-id ID --store-code CODE --device-no N --currency CUR
                 [--locale en-US] [--timezone UTC] [--cash-rounding 1]
                 [--manager-code CODE --manager-name NAME]
  pos-store init --data DIR --hub URL --enroll-file FILE [--device-name NAME] [--locale en-US]
                 [--cash-rounding 1] [--manager-code CODE --manager-name NAME]
  pos-store [start] --data DIR [--port 7420] [--hub URL [--enroll-file FILE]] [--lan [--lan-port 7443]] [--fixture FILE] [--ui DIR]
  pos-store backup --data DIR --out FILE
  pos-store restore --data DIR --from FILE
  pos-store re-enroll --data DIR [--hub URL] --enroll-file FILE [--device-name NAME]
  pos-store fixture --out FILE [--skus 1000] [--seed 42] [--store-id store-1] [--store-code S001] [--now ISO]
                 [--region north] [--currency EUR]
  pos-store --help

Commands:
  init      Create the data folder's database and record which store and device this node is,
            optionally with the first manager (PIN from POS_STORE_MANAGER_PIN or --manager-pin-file).
            With --hub and an enrollment code, the store, device number and currency come from the hub, which
            issues this till's credential (kept in the database, never printed or logged).
  start     Run the node: open the database, load --fixture if given, and serve the command channel
            and the renderer on 127.0.0.1 (--lan: also HTTPS on every interface for paired lanes).
            Prints the URL and a per-launch access token, also written to DIR/pos-store.token (0600).
  backup    Copy the database with SQLite's online backup (safe while the node runs) and verify it.
  restore   Put a backup back as DIR's database (the node must be stopped; the old one is moved to
            DIR/replaced-TIME/). The restored till asks the hub before it issues any receipt number;
            if the hub holds sales the backup lacks, it becomes a new device of its store and sends
            again whatever the hub lacks.
  re-enroll Make a till that already is a device of its store (restored, or revoked at HQ) a new device
            with a one-time code (the node stopped); its events the hub lacks are sent at the next start.
  fixture   Write a demo fixture (catalog, prices, promotions, stock, staff) for --fixture.

Options:
  --data DIR        Data folder (holds store.db and pos-store.token), created readable by its owner
                    only (0700, files 0600).
  --port N          Port of the local server; 0 picks a free one. Default 7420.
  --hub URL         The hub this node syncs with. Once enrolled, start syncs in the background: the
                    first start downloads the hub's data (progress on stdout), then follows its feed
                    and sends this till's events; sales never wait for the hub.
  --enroll-file F   A file holding the one-time code from HQ (pos-hub enroll-code --store CODE), or
                    the code in POS_STORE_ENROLL_CODE: enrolls this till at --hub. With start on a new
                    data folder it also sets the node up, as init would; start ignores it on a till
                    already enrolled (use re-enroll). (--enroll CODE works but shows the code to every
                    user of the machine in ps.)
  --manager-pin-file F  A file holding the first manager's PIN, or POS_STORE_MANAGER_PIN (--manager-pin
                    works but shows in ps).
  --device-name N   How HQ sees this till in the device list (default POS).
  --lan             Also serve lanes, handhelds and customer displays on the store network: HTTPS and
                    WSS on every interface (--lan-port, default 7443) with a certificate the node
                    generates once; each device pairs with a code a manager creates on the main till.
                    --lan-host ADDRESS listens on one interface only (default 0.0.0.0).
  --fixture FILE    Load hub data and staff from a fixture file through the feed apply path.
  --out FILE        Where backup (or fixture) writes; it never overwrites a file.
  --from FILE       The backup restore puts back.
  --ui DIR          Renderer build to serve. Default: the app's dist/renderer.
  --help            Show this text.

Exit codes: 0 success, 1 the command failed (the message says why), 2 wrong usage.`;

const COMMANDS = ['start', 'init', 'backup', 'restore', 're-enroll', 'fixture', 'help'] as const;
type CliCommand = (typeof COMMANDS)[number];

/**
 * Runs one CLI invocation. Resolves with the exit code for commands that finish, or once the server is
 * up for `start` (which then keeps the process alive until a signal).
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let command: CliCommand;
  let values: ParsedOptions;
  try {
    const parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    values = withSecrets(parsed.values, io);
    const [first, ...rest] = parsed.positionals;
    if (rest.length > 0) throw new UsageError(`Unexpected argument ${JSON.stringify(rest[0])}.`);
    if (first !== undefined && !(COMMANDS as readonly string[]).includes(first)) {
      throw new UsageError(`Unknown command ${JSON.stringify(first)}.`);
    }
    command = values.help ? 'help' : ((first as CliCommand | undefined) ?? 'start');
  } catch (error) {
    io.err(`pos-store: ${error instanceof Error ? error.message : String(error)}`);
    io.err('Run pos-store --help for usage.');
    return 2;
  }
  try {
    switch (command) {
      case 'help':
        io.out(USAGE);
        return 0;
      case 'init':
        return await runInit(values, io);
      case 'backup':
        return await runBackup(values, io);
      case 'restore':
        return await runRestore(values, io);
      case 're-enroll':
        return await runReEnroll(values, io);
      case 'fixture':
        return runFixture(values, io);
      case 'start':
        return await runStart(values, io);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`pos-store ${command}: ${error.message}`);
      io.err('Run pos-store --help for usage.');
      return 2;
    }
    if (error instanceof DomainError) {
      io.err(`pos-store ${command}: ${error.message}`);
      return 1;
    }
    io.err(
      `pos-store ${command}: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return 1;
  }
}
