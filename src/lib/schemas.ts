/** zod building blocks shared by the API's route definitions. */
import { z } from '@hono/zod-openapi';

const isCivilDate = (s: string) => {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};

export const CivilDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine(isCivilDate, 'not a real calendar date')
  .openapi({ example: '2026-03-01', format: 'date' });

export const Id = z.string().min(1).max(64);

export const CountyParam = z.object({
  county: z
    .string()
    .min(1)
    .max(40)
    .openapi({ param: { name: 'county', in: 'path' }, example: 'deqing' }),
});

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    requestId: z.string().nullable(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

export const problemDoc = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

/** The error answers every authenticated route can give. */
export const STANDARD_ERRORS = {
  400: problemDoc('Invalid input; `errors` names each field'),
  401: problemDoc('Not signed in'),
  403: problemDoc('Signed in, but not allowed'),
  404: problemDoc('No such county or record'),
} as const;

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const jsonResponse = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
});
