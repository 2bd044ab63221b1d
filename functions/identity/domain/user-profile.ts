import { z } from 'zod';

/**
 * The optional profile fields of a user: stored on the user item, carried by an import row, copied
 * from one to the other. One list, so the three can't drift apart.
 */
export const userProfileSchema = z.object({
  givenName: z.string().optional(),
  familyName: z.string().optional(),
  displayName: z.string().optional(),
  employeeId: z.string().optional(),
  department: z.string().optional(),
  jobFamily: z.string().optional(),
  phone: z.string().optional(),
  managerEmail: z.string().optional(),
  locale: z.string().optional(),
});

export const USER_PROFILE_FIELDS = userProfileSchema.keyof().options;
