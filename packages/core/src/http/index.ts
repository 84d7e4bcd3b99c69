export { HTTP_DEFAULTS, NON_IDEMPOTENT_METHODS, NOT_SENT_ERROR_CODES, UNSAFE_METHODS } from './constants.js';
export { HttpClient, retryRule } from './HttpClient.js';
export type {
  HttpAuth,
  HttpBody,
  HttpClientOptions,
  HttpMethod,
  HttpQuery,
  HttpRequest,
  HttpRequestOptions,
  HttpResponse,
  QueryValue,
  ResponseType,
} from './types.js';
