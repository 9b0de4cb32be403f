/**
 * Retention drops old content; content is deduplicated by hash, so the same bytes may be stored
 * again later (a repeated chunk of output, the same diff). This lets them come back into a row
 * whose content was dropped, where until now the row refused any content at all.
 */
import { BLOBS_RESTORE_TRIGGER } from '../blob-table';

export const sql = BLOBS_RESTORE_TRIGGER;
