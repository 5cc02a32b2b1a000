// `npm run demo`: the same as `mirror-vip demo`.
import { main } from '../cli/main.ts';

await main(['demo', ...process.argv.slice(2)]);
