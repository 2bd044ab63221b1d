/** Anything routed by method and an API Gateway path template (`/v1/users/{userId}`). */
export interface RouteLike {
  readonly method: string;
  readonly path: string;
}

export interface RouteMatch<TRoute extends RouteLike> {
  readonly route: TRoute;
  /** Decoded values of the template's `{param}` segments. */
  readonly pathParameters: Readonly<Record<string, string>>;
}

type Segment = { readonly literal: string } | { readonly parameter: string };

interface CompiledRoute<TRoute extends RouteLike> {
  readonly route: TRoute;
  readonly segments: readonly Segment[];
}

const PARAMETER = /^\{([A-Za-z0-9_]+)\}$/;

/**
 * Builds a matcher with API Gateway's rules for what config/routes.ts uses: `{param}` matches one
 * non-empty path segment, a literal segment wins over a parameter in the same place, a trailing
 * slash is ignored, and the method must match exactly.
 */
export function createRouter<TRoute extends RouteLike>(
  routes: readonly TRoute[],
): (method: string, path: string) => RouteMatch<TRoute> | undefined {
  const compiled = routes
    .map(
      (route): CompiledRoute<TRoute> => ({
        route,
        segments: splitPath(route.path).map((segment) => {
          const parameter = PARAMETER.exec(segment)?.[1];
          return parameter === undefined ? { literal: segment } : { parameter };
        }),
      }),
    )
    .toSorted(bySpecificity);

  return (method, path) => {
    const requested = splitPath(path);
    for (const candidate of compiled) {
      if (candidate.route.method !== method) continue;
      const pathParameters = matchSegments(candidate.segments, requested);
      if (pathParameters) return { route: candidate.route, pathParameters };
    }
    return undefined;
  };
}

function splitPath(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed === '/' ? [] : trimmed.slice(1).split('/');
}

function matchSegments(
  template: readonly Segment[],
  requested: readonly string[],
): Record<string, string> | undefined {
  if (template.length !== requested.length) return undefined;
  const parameters: Record<string, string> = {};
  for (const [index, segment] of template.entries()) {
    const value = requested[index] ?? '';
    if ('literal' in segment) {
      if (segment.literal !== value) return undefined;
    } else {
      if (value === '') return undefined;
      parameters[segment.parameter] = decodeSegment(value);
    }
  }
  return parameters;
}

function decodeSegment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** At the first segment where two templates differ in kind, the literal one is more specific. */
function bySpecificity<TRoute extends RouteLike>(a: CompiledRoute<TRoute>, b: CompiledRoute<TRoute>): number {
  const length = Math.min(a.segments.length, b.segments.length);
  for (let index = 0; index < length; index += 1) {
    const aLiteral = isLiteral(a.segments[index]);
    const bLiteral = isLiteral(b.segments[index]);
    if (aLiteral !== bLiteral) return aLiteral ? -1 : 1;
  }
  return 0;
}

function isLiteral(segment: Segment | undefined): boolean {
  return segment !== undefined && 'literal' in segment;
}
