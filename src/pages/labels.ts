/** Labels of the rules' codes, in the reader's language. */
import { ACTIVITY_TYPE_LABELS, isBaseActivityType } from '../rules';
import type { Lang } from './i18n';

export const typeName = (code: string, lang: Lang) =>
  isBaseActivityType(code) ? ACTIVITY_TYPE_LABELS[code][lang] : code;
