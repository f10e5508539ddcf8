import { z } from "zod";

/** A list in an API answer: the vendors leave it out, or send null, when there is nothing in it; both read as empty. */
export function listField<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .nullish()
    .transform((items) => items ?? []);
}
