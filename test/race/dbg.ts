import { awsAdapter } from './aws-adapter.ts';
import { gcpAdapter } from './gcp-adapter.ts';
import { notify, seeded } from './harness.ts';

const summary = (replies: any[]) => {
  const c: Record<string, number> = {};
  for (const r of replies) {
    const k = `${r.status} ${r.result.outcome} ${r.result.error?.code ?? ''} ${r.result.error?.message ?? ''}`;
    c[k] = (c[k] ?? 0) + 1;
  }
  return c;
};
{
  const w = await awsAdapter.start({
    instances: 50,
    jitterMs: [80, 160],
    rng: seeded(1),
    roles: { 'iris-a': 'primary', 'iris-b': 'backup' },
  });
  w.setRole('iris-a', 'down');
  w.setRole('iris-b', 'primary');
  const req = w.signed('iris-b');
  const replies = await Promise.all(w.instances.map((i) => notify(i, req)));
  console.log(summary(replies), w.bindings());
  await w.close();
}
{
  const w = await gcpAdapter('alias-ip').start({
    instances: 2,
    holder: 'none',
    jitterMs: [80, 160],
    rng: seeded(1),
    roles: { 'iris-a': 'primary', 'iris-b': 'primary' },
  });
  setTimeout(() => w.setRole('iris-b', 'backup'), 200);
  const replies = await Promise.all([
    notify(w.instances[0]!, w.signed('iris-a'), 1500),
    notify(w.instances[1]!, w.signed('iris-b'), 1500),
  ]);
  console.log(summary(replies), w.bindings());
  await w.close();
}
