/** The parts of @fnproject/fdk's Context that mirror-vip uses (the package ships no types). */
export interface FdkHttpGateway {
  readonly method: string | null;
  readonly requestURL: string | null;
  readonly headers: Record<string, string[]>;
  statusCode: number;
  setResponseHeader(key: string, ...values: string[]): void;
}

export interface FdkContext {
  getHeader(key: string): string | null;
  readonly httpGateway: FdkHttpGateway;
  readonly callID?: string;
}

export type FdkHandler = (input: Buffer, ctx: FdkContext) => Promise<unknown>;
