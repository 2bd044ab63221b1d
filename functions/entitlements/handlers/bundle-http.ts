import { z } from 'zod';
import { versionTag } from '../../shared/http/request-parsing';
import { BUNDLE_ID, type Bundle } from '../domain/bundle';

/** What the bundle routes share: the path parameter and the response with the bundle's ETag. */
export const bundleParams = z.object({
  bundleId: z.string().regex(BUNDLE_ID, 'a bundle id: a-z, 0-9, _ and -'),
});

export const withVersionTag = (bundle: Bundle, statusCode: number) => ({
  statusCode,
  body: bundle,
  headers: { etag: versionTag(bundle.version) },
});
