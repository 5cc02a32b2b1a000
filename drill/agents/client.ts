// The drill's client, run inside the client namespace: connects to VIP:1972 every INTERVAL ms (attempts overlap) and
// prints one JSON line per attempt {t0, t1, ok, member, role}: who answered, or that nobody did within TIMEOUT ms.
import { connect } from 'node:net';

const [vip = '', intervalArg = '20', timeoutArg = '200'] = process.argv.slice(2);
const interval = Number(intervalArg);
const timeout = Number(timeoutArg);
const now = () => performance.timeOrigin + performance.now();

function attempt(): void {
  const t0 = now();
  let answer = '';
  let done = false;
  const socket = connect({ host: vip, port: 1972 });
  const finish = (ok: boolean) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    socket.destroy();
    const [member, role] = answer.trim().split(' ');
    const line = ok && member ? { t0, t1: now(), ok: true, member, role } : { t0, t1: now(), ok: false };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  const timer = setTimeout(() => finish(false), timeout);
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => {
    answer += d;
  });
  socket.on('end', () => finish(answer.includes('\n')));
  socket.on('error', () => finish(false));
}

setInterval(attempt, interval);
attempt();
