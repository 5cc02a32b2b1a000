// `npm run drill`: the same as `mirror-vip drill` (every cloud, every variant, 5 runs, real scale; options pass through).
import { main } from '../cli/main.ts';

await main(['drill', ...process.argv.slice(2)]);
