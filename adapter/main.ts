// The stand-alone debug adapter (dist/adapter.js, `contributes.debuggers[0].program`):
//   node dist/adapter.js                 DAP over stdin/stdout
//   node dist/adapter.js --server=PORT   DAP server on 127.0.0.1:PORT (loopback only), one session per connection
import { createServer } from 'node:net';
import { TagvisorSession } from './session';

function main(argv: string[]): void {
  const server = argv.find(a => a.startsWith('--server'));
  if (server === undefined) {
    const session = new TagvisorSession();
    process.on('SIGTERM', () => session.shutdown());
    session.start(process.stdin, process.stdout);
    return;
  }
  const m = /^--server=([0-9]{1,5})$/.exec(server);
  const port = m ? Number(m[1]) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    process.stderr.write(`tagvisor adapter: ${server}: expected --server=PORT with PORT 0..65535\n`);
    process.exit(2);
  }
  const srv = createServer(socket => {
    const session = new TagvisorSession();
    session.setRunAsServer(true);
    session.start(socket, socket);
    socket.on('error', () => socket.destroy());
  });
  srv.on('error', e => { process.stderr.write(`tagvisor adapter: cannot listen on 127.0.0.1:${port}: ${e.message}\n`); process.exit(1); });
  srv.listen(port, '127.0.0.1', () => {
    const a = srv.address();
    process.stderr.write(`tagvisor adapter: listening on 127.0.0.1:${typeof a === 'object' && a ? a.port : port}\n`);
  });
}

main(process.argv.slice(2));
