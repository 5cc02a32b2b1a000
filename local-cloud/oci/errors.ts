/** An OCI API error response: HTTP status and the `{code, message}` body the SDK turns into OciError. */
export class OciApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'OciApiError';
  }
  toJSON() {
    return { code: this.code, message: this.message };
  }
}

export const notFound = (what: string) =>
  new OciApiError(404, 'NotAuthorizedOrNotFound', `Authorization failed or requested resource not found: ${what}`);
export const invalid = (message: string) => new OciApiError(400, 'InvalidParameter', message);
/** A required query parameter absent (API Errors: 400 MissingParameter). */
export const missing = (name: string) =>
  new OciApiError(400, 'MissingParameter', `Missing required parameter: ${name}`);
export const conflict = (message: string) => new OciApiError(409, 'Conflict', message);
export const staleEtag = () =>
  new OciApiError(412, 'NoEtagMatch', 'The resource has been modified since the etag in if-match was read');
/** A resource named in the request body is missing or not visible (API Errors: 400 RelatedResourceNotAuthorizedOrNotFound). */
export const relatedNotFound = (what: string) =>
  new OciApiError(
    400,
    'RelatedResourceNotAuthorizedOrNotFound',
    `A resource named in the request body was not found or is not authorized: ${what}`,
  );
