import type { CommandContext } from '../context';
import { print } from '../context';

/** `muster token`: a token from the local stack's issuer, bare on stdout for `$(muster token)`. */
export async function token(context: CommandContext): Promise<number> {
  const { globals } = context;
  const minted = await context.api.localToken({
    tenantId: globals.tenantId,
    email: globals.email,
    roles: globals.roles,
  });
  print(context, minted, () => minted.accessToken);
  return 0;
}
