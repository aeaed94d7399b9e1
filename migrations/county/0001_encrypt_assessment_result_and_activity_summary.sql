-- ADR 0403: assessment results and activity summaries are personal facts, encrypted with the
-- county's field key like the other personal fields. SQL cannot encrypt (the key is a Worker
-- secret), so the plaintext columns are dropped, not moved: pre-production, no deployment holds
-- such rows; a development database's existing results and summaries read as empty afterwards.
ALTER TABLE `activities` ADD `summary_enc` text;--> statement-breakpoint
ALTER TABLE `activities` DROP COLUMN `summary`;--> statement-breakpoint
ALTER TABLE `assessments` ADD `result_enc` text;--> statement-breakpoint
ALTER TABLE `assessments` DROP COLUMN `result`;