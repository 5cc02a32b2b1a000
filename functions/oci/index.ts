// The deployed OCI Function: configuration and keys are read once at cold start, then the FDK serves
// http-stream on FN_LISTENER's unix socket, the raw body as a Buffer (the signature covers the exact bytes), each
// body read only up to its cap (functions/oci/body-cap.ts).
import fdk from '@fnproject/fdk';
import { createOciFunction } from './app.ts';
import { withBodyCap } from './body-cap.ts';

const handler = await createOciFunction(process.env);
withBodyCap(() => fdk.handle(handler, { inputMode: 'buffer' }));
