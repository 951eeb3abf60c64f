/**
 * @module Legal-instrument presets: which instrument a formal request follows and how long the investigator has to
 * submit it. They live in one JSON file operators can edit (config/legal-instruments.json by default).
 */
import { z } from 'zod';

export const InstrumentsFileSchema = z.object({
  instruments: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z0-9_]+$/, 'ids are lower-case letters, digits and _'),
        name: z.string().min(3),
        deadlineHours: z.number().positive(),
        default: z.boolean().optional(),
        channels: z.array(z.string().regex(/^[a-z0-9_]+$/)).min(1),
      }),
    )
    .min(1)
    .refine((list) => list.filter((i) => i.default).length === 1, 'exactly one instrument must be marked "default": true')
    .refine((list) => new Set(list.map((i) => i.id)).size === list.length, 'instrument ids must be unique'),
});

export type LegalInstrument = z.infer<typeof InstrumentsFileSchema>['instruments'][number];

/** Parses the presets file's JSON text; throws an Error naming the problem so an operator can fix the file. */
export function parseInstruments(json: string, source: string): LegalInstrument[] {
  const parsed = InstrumentsFileSchema.safeParse(JSON.parse(json));
  if (!parsed.success) throw new Error(`${source}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data.instruments;
}

export function defaultInstrument(instruments: readonly LegalInstrument[]): LegalInstrument {
  return instruments.find((i) => i.default) ?? instruments[0]!;
}
