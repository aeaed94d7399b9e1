CREATE TABLE `audit_log` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`actor_user_id` text,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text,
	`request_id` text,
	`detail` text,
	`hash` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_target` ON `audit_log` (`target_type`,`target_id`);--> statement-breakpoint
CREATE TABLE `supervisee_flags` (
	`id` text PRIMARY KEY NOT NULL,
	`supervisee_id` text NOT NULL,
	`flag` text NOT NULL,
	`value` integer NOT NULL,
	`effective_from` text NOT NULL,
	`created_by` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`supervisee_id`) REFERENCES `supervisees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `supervisee_flags_supervisee` ON `supervisee_flags` (`supervisee_id`,`flag`,`effective_from`);--> statement-breakpoint
CREATE TABLE `supervisee_levels` (
	`id` text PRIMARY KEY NOT NULL,
	`supervisee_id` text NOT NULL,
	`level` text NOT NULL,
	`effective_from` text NOT NULL,
	`reason` text,
	`created_by` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`supervisee_id`) REFERENCES `supervisees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `supervisee_levels_supervisee` ON `supervisee_levels` (`supervisee_id`,`effective_from`);--> statement-breakpoint
CREATE TABLE `supervisees` (
	`id` text PRIMARY KEY NOT NULL,
	`case_number` text NOT NULL,
	`name` text NOT NULL,
	`gender` text NOT NULL,
	`birth_date` text NOT NULL,
	`id_number_enc` text NOT NULL,
	`id_number_hash` text NOT NULL,
	`phone_enc` text,
	`address_enc` text,
	`township_id` text NOT NULL,
	`sentence_type` text NOT NULL,
	`crime_type` text,
	`term_start` text NOT NULL,
	`term_end` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text,
	FOREIGN KEY (`township_id`) REFERENCES `townships`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `supervisees_case_number_unique` ON `supervisees` (`case_number`);--> statement-breakpoint
CREATE UNIQUE INDEX `supervisees_id_number_hash` ON `supervisees` (`id_number_hash`);--> statement-breakpoint
CREATE INDEX `supervisees_township` ON `supervisees` (`township_id`);--> statement-breakpoint
CREATE INDEX `supervisees_term` ON `supervisees` (`term_start`,`term_end`);--> statement-breakpoint
CREATE TABLE `townships` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`name_en` text,
	`code` text,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `townships_name_unique` ON `townships` (`name`);