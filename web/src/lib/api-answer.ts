import { type ApiProblem, toApiProblem } from './api-error';

export class ApiError extends Error {
  constructor(readonly problem: ApiProblem) {
    super(problem.message);
  }
}

/**
 * What an openapi-fetch call settles to: the success body its contract declares, or what the
 * failure answered (the error envelope, or whatever a proxy sent).
 */
type Answer<TData> =
  | { readonly data: TData; readonly error?: undefined; readonly response: Response }
  | { readonly data?: undefined; readonly error: unknown; readonly response: Response };

/**
 * The body of a successful answer, typed by the call's contract (no type argument: a contract
 * change breaks the caller), or an ApiError carrying the envelope. A success without the body its
 * contract declares (an empty answer from a proxy) is an error too, not an `undefined` to trip on.
 */
export async function unwrap<TData>(call: Promise<Answer<TData>>): Promise<NonNullable<TData>> {
  let result: Answer<TData>;
  try {
    result = await call;
  } catch {
    throw new ApiError(toApiProblem(0, undefined));
  }
  const { data, error, response } = result;
  if (!response.ok) throw new ApiError(toApiProblem(response.status, error));
  if (data === undefined || data === null) throw new ApiError(emptyAnswer(response.status));
  return data;
}

function emptyAnswer(status: number): ApiProblem {
  return {
    status,
    code: 'EMPTY_RESPONSE',
    message: 'The server answered without the expected content. Try again.',
    details: [],
  };
}

export function problemOf(error: unknown): ApiProblem {
  return error instanceof ApiError ? error.problem : toApiProblem(0, undefined);
}
