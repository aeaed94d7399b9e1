CREATE TABLE `job_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`county` text NOT NULL,
	`trigger` text NOT NULL,
	`day` text NOT NULL,
	`status` text NOT NULL,
	`started_at` text NOT NULL,
	`finished_at` text,
	`duration_ms` integer,
	`summary` text,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `job_runs_county` ON `job_runs` (`county`,`started_at`);--> statement-breakpoint
CREATE INDEX `job_runs_day` ON `job_runs` (`county`,`day`,`status`);--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`county` text NOT NULL,
	`kind` text NOT NULL,
	`title_zh` text NOT NULL,
	`title_en` text NOT NULL,
	`link` text,
	`dedupe_key` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`read_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_dedupe` ON `notifications` (`user_id`,`dedupe_key`);--> statement-breakpoint
CREATE INDEX `notifications_user` ON `notifications` (`user_id`,`created_at`);