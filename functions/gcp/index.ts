// The deployed Cloud Functions (2nd gen) entry: configuration and keys are read once, at cold start.
// Registered for the Functions Framework and exported by name, so a runtime whose framework is not the
// bundled copy still finds them (--target=mirrorVip, or mirrorVipEvents with --signature-type=cloudevent).
import { cloudEvent, http } from '@google-cloud/functions-framework';
import { createGcpFunctions, FUNCTION_NAMES } from './app.ts';

export const { mirrorVip, mirrorVipEvents } = await createGcpFunctions(process.env);
http(FUNCTION_NAMES.http, mirrorVip);
cloudEvent(FUNCTION_NAMES.events, mirrorVipEvents);
