// The deployed Lambda entry point: configuration, keys and clients are built once, at cold start.
import { createAwsHandler } from './app.ts';

export const handler = await createAwsHandler(process.env);
