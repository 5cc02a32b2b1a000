// The FDK ships no types: the two calls mirror-vip makes.
declare module '@fnproject/fdk' {
  import type { FdkHandler } from './fdk-types.ts';
  /** Serve `fn` on FN_LISTENER (http-stream); returns a function that stops the server. */
  export function handle(fn: FdkHandler, options?: { inputMode?: 'json' | 'string' | 'buffer' }): () => void;
  const fdk: { handle: typeof handle };
  export default fdk;
}
