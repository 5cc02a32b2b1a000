/** One batch of jobs that a single convergence answers. */
interface Batch<J, R> {
  jobs: J[];
  open: boolean;
  done: Promise<R[]>;
}

interface Lane<J, R> {
  tail: Promise<unknown>;
  batches: Batch<J, R>[];
}

/**
 * The per-mirror queue of one instance: batches run one after another, and a job joins the last batch that has not
 * started yet when `joinable` says so. With every job joinable (probes on: a convergence reads the world anyway),
 * at most one batch runs and one waits, so a job is never behind more than one convergence, however many arrive.
 */
export class MirrorQueue<J, R> {
  private readonly lanes = new Map<string, Lane<J, R>>();

  /** Queue `job` for `key`; `run` answers a whole batch, one result per job, in order. */
  submit(key: string, job: J, joinable: boolean, run: (jobs: J[]) => Promise<R[]>): Promise<R> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { tail: Promise.resolve(), batches: [] };
      this.lanes.set(key, lane);
    }
    const last = lane.batches.at(-1);
    if (joinable && last?.open) {
      const i = last.jobs.push(job) - 1;
      return last.done.then((rs) => rs[i] as R);
    }
    const batch = this.start(key, lane, [job], run);
    return batch.done.then((rs) => rs[0] as R);
  }

  /** How many batches are queued or running for `key` (a bound the tests check). */
  depth(key: string): number {
    return this.lanes.get(key)?.batches.length ?? 0;
  }

  private start(key: string, lane: Lane<J, R>, jobs: J[], run: (jobs: J[]) => Promise<R[]>): Batch<J, R> {
    const batch = { jobs, open: true } as Batch<J, R>;
    const go = () => {
      batch.open = false;
      return run(batch.jobs);
    };
    batch.done = lane.tail.then(go, go);
    lane.batches.push(batch);
    lane.tail = batch.done
      .catch(() => undefined)
      .then(() => {
        lane.batches.splice(lane.batches.indexOf(batch), 1);
        if (lane.batches.length === 0) this.lanes.delete(key);
      });
    return batch;
  }
}
