/**
 * A client whose real implementation is made on its first call: loading a cloud SDK costs hundreds of milliseconds
 * (seconds for Compute), which a request that never reaches the cloud (bad signature, unknown mirror) should not pay.
 * A failed make is tried again by the next call. `methods` names every method of the client (a missing one does not
 * compile), each forwarded as it is.
 */
export function lazyClient<T extends object>(
  make: () => Promise<T>,
  methods: Record<keyof T & string, true>,
): T & { loaded(): boolean } {
  let pending: Promise<T> | undefined;
  let ready = false;
  const get = () => {
    pending ??= make().then(
      (c) => {
        ready = true;
        return c;
      },
      (e: unknown) => {
        pending = undefined;
        throw e;
      },
    );
    return pending;
  };
  const forwarded = Object.fromEntries(
    Object.keys(methods).map((n) => [
      n,
      async (...args: unknown[]) => ((await get())[n as keyof T] as (...a: unknown[]) => unknown)(...args),
    ]),
  );
  return { ...forwarded, loaded: () => ready } as T & { loaded(): boolean };
}
