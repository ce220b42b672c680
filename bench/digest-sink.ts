/**
 * The SMTP sink of the digest benchmark, a process of its own so that it outlives the senders the
 * fault test kills: accepts every message on 127.0.0.1, appends "<X-Paperboy-Digest value>\t<bytes>"
 * per message to a log file, prints its port.
 *
 *   node --import tsx bench/digest-sink.ts LOG_FILE
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

const log = process.argv[2]!;
fs.writeFileSync(log, '');
const server = new SMTPServer({
  secure: false, disabledCommands: ['STARTTLS', 'AUTH'], authOptional: true, logger: false, closeTimeout: 100, maxClients: 256,
  onData(stream, _session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const raw = Buffer.concat(chunks);
      const key = /X-Paperboy-Digest: ([^\r\n]+)/.exec(raw.subarray(0, 8192).toString())?.[1] ?? 'none';
      fs.appendFileSync(log, `${key}\t${raw.length}\n`);
      callback();
    });
  },
});
server.on('error', () => { /* a sender killed mid-session */ });
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${((server as unknown as { server: { address(): AddressInfo } }).server.address()).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
