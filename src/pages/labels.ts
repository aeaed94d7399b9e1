/** Labels of the rules' codes, in the reader's language. */
import { ACTIVITY_TYPE_LABELS, isBaseActivityType } from '../rules';
import type { Lang } from './i18n';

export const typeName = (code: string, lang: Lang) =>
  isBaseActivityType(code) ? ACTIVITY_TYPE_LABELS[code][lang] : code;

/**
 * A label for a type code read from the address bar (`?doneType=`): only the base types, whose
 * words are ours; anything else is null, so a crafted link cannot print its own text.
 */
export const knownTypeName = (code: string | undefined, lang: Lang): string | null =>
  code !== undefined && isBaseActivityType(code) ? ACTIVITY_TYPE_LABELS[code][lang] : null;
