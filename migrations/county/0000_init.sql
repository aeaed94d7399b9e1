CREATE TABLE `batch_guard` (
	`id` integer PRIMARY KEY NOT NULL,
	`ok` integer NOT NULL,
	`reason` text,
	CONSTRAINT "batch_guard_never" CHECK("batch_guard"."ok" = 0)
);
--> statement-breakpoint
CREATE TABLE `activities` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`occurred_on` text NOT NULL,
	`start_time` text,
	`duration_minutes` integer NOT NULL,
	`provider_id` text,
	`township_id` text NOT NULL,
	`staff_user_id` text,
	`place` text,
	`summary` text,
	`outcome` text,
	`aid_amount_fen` integer,
	`ledger_id` text,
	`status` text DEFAULT 'active' NOT NULL,
	`void_reason` text,
	`voided_by` text,
	`voided_at` text,
	`amends` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_by` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text,
	FOREIGN KEY (`township_id`) REFERENCES `townships`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `activities_occurred` ON `activities` (`occurred_on`);--> statement-breakpoint
CREATE INDEX `activities_provider` ON `activities` (`provider_id`,`occurred_on`);--> statement-breakpoint
CREATE INDEX `activities_township` ON `activities` (`township_id`,`occurred_on`);--> statement-breakpoint
CREATE INDEX `activities_ledger` ON `activities` (`ledger_id`);--> statement-breakpoint
CREATE INDEX `activities_type` ON `activities` (`type`,`occurred_on`);--> statement-breakpoint
CREATE INDEX `activities_staff` ON `activities` (`staff_user_id`,`occurred_on`);--> statement-breakpoint
CREATE INDEX `activities_amends` ON `activities` (`amends`);--> statement-breakpoint
CREATE TABLE `activity_participants` (
	`activity_id` text NOT NULL,
	`supervisee_id` text NOT NULL,
	`minutes` integer NOT NULL,
	PRIMARY KEY(`activity_id`, `supervisee_id`),
	FOREIGN KEY (`activity_id`) REFERENCES `activities`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`supervisee_id`) REFERENCES `supervisees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `participants_supervisee` ON `activity_participants` (`supervisee_id`);--> statement-breakpoint
CREATE TABLE `custom_activity_types` (
	`code` text PRIMARY KEY NOT NULL,
	`label_zh` text NOT NULL,
	`label_en` text,
	`created_by` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`user_id` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`status` text NOT NULL,
	`response_status` integer,
	`response_body` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	PRIMARY KEY(`user_id`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_created` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
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
CREATE TABLE `contracts` (
	`id` text PRIMARY KEY NOT NULL,
	`provider_id` text NOT NULL,
	`programme_year` integer NOT NULL,
	`period_start` text NOT NULL,
	`period_end` text NOT NULL,
	`pricing` text NOT NULL,
	`procurement_method` text NOT NULL,
	`procurement_id` text,
	`title` text,
	`signed_on` text,
	`scope_township_ids` text,
	`scope_levels` text,
	`targets` text,
	`breach_terms` text,
	`service_content` text,
	`ceiling_fen` integer,
	`status` text DEFAULT 'active' NOT NULL,
	`created_by` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `contracts_provider` ON `contracts` (`provider_id`,`period_start`);--> statement-breakpoint
CREATE INDEX `contracts_year` ON `contracts` (`programme_year`);--> statement-breakpoint
CREATE TABLE `enrolments` (
	`id` text PRIMARY KEY NOT NULL,
	`contract_id` text NOT NULL,
	`supervisee_id` text NOT NULL,
	`from_date` text NOT NULL,
	`to_date` text,
	`created_by` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text,
	FOREIGN KEY (`contract_id`) REFERENCES `contracts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`supervisee_id`) REFERENCES `supervisees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `enrolments_contract` ON `enrolments` (`contract_id`,`supervisee_id`,`from_date`);--> statement-breakpoint
CREATE INDEX `enrolments_supervisee` ON `enrolments` (`supervisee_id`,`from_date`);--> statement-breakpoint
CREATE TABLE `procurements` (
	`id` text PRIMARY KEY NOT NULL,
	`programme_id` text NOT NULL,
	`method` text NOT NULL,
	`reference` text,
	`announced_on` text NOT NULL,
	`opened_on` text,
	`awarded_on` text,
	`bidders` text NOT NULL,
	`chosen_provider_ids` text NOT NULL,
	`notes` text,
	`created_by` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `procurements_programme` ON `procurements` (`programme_id`);--> statement-breakpoint
CREATE TABLE `programmes` (
	`id` text PRIMARY KEY NOT NULL,
	`year` integer NOT NULL,
	`name` text NOT NULL,
	`budget_fen` integer NOT NULL,
	`service_content` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_by` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `programmes_year_unique` ON `programmes` (`year`);--> statement-breakpoint
CREATE TABLE `disclosures` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`published_by` text NOT NULL,
	`published_at` text NOT NULL,
	`body` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `disclosures_id_unique` ON `disclosures` (`id`);--> statement-breakpoint
CREATE TABLE `evaluation_remarks` (
	`id` text PRIMARY KEY NOT NULL,
	`evaluation_id` text NOT NULL,
	`by_user_id` text NOT NULL,
	`role` text NOT NULL,
	`text` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `evaluation_remarks_evaluation` ON `evaluation_remarks` (`evaluation_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `evaluation_sample_items` (
	`sample_id` text NOT NULL,
	`activity_id` text NOT NULL,
	`rank` integer NOT NULL,
	`finding` text,
	`note` text,
	`checked_by` text,
	`checked_at` text,
	PRIMARY KEY(`sample_id`, `activity_id`)
);
--> statement-breakpoint
CREATE TABLE `evaluation_samples` (
	`id` text PRIMARY KEY NOT NULL,
	`contract_id` text NOT NULL,
	`seed` text NOT NULL,
	`share` real NOT NULL,
	`from_date` text NOT NULL,
	`to_date` text NOT NULL,
	`population_size` integer NOT NULL,
	`sample_size` integer NOT NULL,
	`drawn_by` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `evaluation_samples_contract` ON `evaluation_samples` (`contract_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `evaluations` (
	`id` text PRIMARY KEY NOT NULL,
	`contract_id` text NOT NULL,
	`rule_set_id` text NOT NULL,
	`scores` text NOT NULL,
	`total_score` real NOT NULL,
	`release_ratio` real NOT NULL,
	`status` text DEFAULT 'submitted' NOT NULL,
	`report` text,
	`agency` text,
	`evaluated_on` text NOT NULL,
	`sample_id` text,
	`submitted_by` text NOT NULL,
	`accepted_by` text,
	`accepted_at` text,
	`accepted_seq` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `evaluations_contract` ON `evaluations` (`contract_id`,`accepted_seq`);--> statement-breakpoint
CREATE TABLE `import_chunks` (
	`import_id` text NOT NULL,
	`seq` integer NOT NULL,
	`rows_enc` text,
	`results_enc` text,
	PRIMARY KEY(`import_id`, `seq`),
	FOREIGN KEY (`import_id`) REFERENCES `imports`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `imports` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`dry_run` integer NOT NULL,
	`file_name` text,
	`format` text NOT NULL,
	`encoding` text,
	`sheet` text,
	`header_row` integer NOT NULL,
	`columns` text NOT NULL,
	`options` text NOT NULL,
	`total` integer NOT NULL,
	`processed` integer DEFAULT 0 NOT NULL,
	`chunk_size` integer NOT NULL,
	`created` integer DEFAULT 0 NOT NULL,
	`updated` integer DEFAULT 0 NOT NULL,
	`unchanged` integer DEFAULT 0 NOT NULL,
	`refused` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_by` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text,
	`finished_at` text
);
--> statement-breakpoint
CREATE INDEX `imports_created` ON `imports` (`created_at`);--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`supervisee_id` text NOT NULL,
	`township_id` text NOT NULL,
	`provider_id` text NOT NULL,
	`kind` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`occurred_at` text,
	`description_enc` text NOT NULL,
	`reported_by` text NOT NULL,
	`reported_at` text NOT NULL,
	`rule_set_id` text,
	`acknowledge_within_hours` real NOT NULL,
	`escalate_after_hours` real NOT NULL,
	`acknowledge_by` text NOT NULL,
	`escalate_at` text NOT NULL,
	`acknowledged_by` text,
	`acknowledged_at` text,
	`acknowledge_note_enc` text,
	`resolved_by` text,
	`resolved_at` text,
	`resolution_enc` text,
	`escalation_notified_at` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`supervisee_id`) REFERENCES `supervisees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `incidents_township` ON `incidents` (`township_id`,`reported_at`);--> statement-breakpoint
CREATE INDEX `incidents_provider` ON `incidents` (`provider_id`,`reported_at`);--> statement-breakpoint
CREATE INDEX `incidents_supervisee` ON `incidents` (`supervisee_id`,`reported_at`);--> statement-breakpoint
CREATE INDEX `incidents_status_escalate` ON `incidents` (`status`,`escalate_at`);--> statement-breakpoint
CREATE INDEX `incidents_reported` ON `incidents` (`reported_at`);--> statement-breakpoint
CREATE TABLE `ledger_events` (
	`id` text PRIMARY KEY NOT NULL,
	`ledger_id` text NOT NULL,
	`action` text NOT NULL,
	`by_user_id` text NOT NULL,
	`at` text NOT NULL,
	`reason` text,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `ledger_events_ledger` ON `ledger_events` (`ledger_id`,`at`);--> statement-breakpoint
CREATE TABLE `ledgers` (
	`id` text PRIMARY KEY NOT NULL,
	`provider_id` text NOT NULL,
	`township_id` text NOT NULL,
	`cycle` text NOT NULL,
	`cycle_start` text NOT NULL,
	`cycle_end` text NOT NULL,
	`due_by` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`submitted_at` text,
	`submitted_by` text,
	`late` integer DEFAULT false NOT NULL,
	`returned_reason` text,
	`confirmed_at` text,
	`confirmed_by` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledgers_provider_township_cycle` ON `ledgers` (`provider_id`,`township_id`,`cycle`);--> statement-breakpoint
CREATE INDEX `ledgers_cycle` ON `ledgers` (`cycle`,`status`);--> statement-breakpoint
CREATE INDEX `ledgers_township` ON `ledgers` (`township_id`,`cycle`);--> statement-breakpoint
CREATE TABLE `payments` (
	`id` text PRIMARY KEY NOT NULL,
	`contract_id` text NOT NULL,
	`programme_id` text NOT NULL,
	`kind` text NOT NULL,
	`amount_fen` integer NOT NULL,
	`due_on` text,
	`note` text,
	`status` text DEFAULT 'recorded' NOT NULL,
	`recorded_by` text NOT NULL,
	`recorded_at` text NOT NULL,
	`approved_by` text,
	`approved_at` text,
	`paid_by` text,
	`paid_at` text,
	`paid_on` text,
	`reference` text,
	`cancelled_by` text,
	`cancelled_at` text,
	`cancel_reason` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `payments_programme` ON `payments` (`programme_id`,`status`);--> statement-breakpoint
CREATE INDEX `payments_contract` ON `payments` (`contract_id`,`status`);--> statement-breakpoint
CREATE INDEX `payments_status` ON `payments` (`status`,`recorded_at`);--> statement-breakpoint
CREATE TABLE `qualification_verifications` (
	`qualification_id` text PRIMARY KEY NOT NULL,
	`provider_id` text NOT NULL,
	`verified_by` text NOT NULL,
	`verified_at` text NOT NULL,
	`note` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `qualification_verifications_provider` ON `qualification_verifications` (`provider_id`);--> statement-breakpoint
CREATE TABLE `rule_sets` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`status` text NOT NULL,
	`name` text NOT NULL,
	`effective_from` text NOT NULL,
	`body` text NOT NULL,
	`based_on` text,
	`created_by` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text,
	`published_by` text,
	`published_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rule_sets_version_unique` ON `rule_sets` (`version`);--> statement-breakpoint
CREATE INDEX `rule_sets_status` ON `rule_sets` (`status`,`effective_from`,`published_at`);--> statement-breakpoint
CREATE TABLE `assessments` (
	`id` text PRIMARY KEY NOT NULL,
	`supervisee_id` text NOT NULL,
	`kind` text NOT NULL,
	`assessed_on` text NOT NULL,
	`result` text NOT NULL,
	`notes_enc` text,
	`assessed_by` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`supervisee_id`) REFERENCES `supervisees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `assessments_supervisee` ON `assessments` (`supervisee_id`,`assessed_on`);--> statement-breakpoint
CREATE TABLE `assignments` (
	`id` text PRIMARY KEY NOT NULL,
	`supervisee_id` text NOT NULL,
	`provider_id` text NOT NULL,
	`worker_user_id` text,
	`from_date` text NOT NULL,
	`to_date` text,
	`created_by` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`supervisee_id`) REFERENCES `supervisees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `assignments_supervisee` ON `assignments` (`supervisee_id`,`from_date`);--> statement-breakpoint
CREATE INDEX `assignments_provider` ON `assignments` (`provider_id`,`from_date`);--> statement-breakpoint
CREATE INDEX `assignments_worker` ON `assignments` (`worker_user_id`);--> statement-breakpoint
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
CREATE TABLE `supervisee_profiles` (
	`supervisee_id` text PRIMARY KEY NOT NULL,
	`employment` text,
	`family` text,
	`interests` text,
	`health_enc` text,
	`difficulties` text,
	`volunteer_since` text,
	`version` integer DEFAULT 1 NOT NULL,
	`updated_by` text,
	`updated_at` text,
	FOREIGN KEY (`supervisee_id`) REFERENCES `supervisees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `supervisee_profiles_volunteer` ON `supervisee_profiles` (`volunteer_since`);--> statement-breakpoint
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
	`level` text NOT NULL,
	`key_person` integer DEFAULT false NOT NULL,
	`able_to_work` integer DEFAULT true NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_by` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text,
	FOREIGN KEY (`township_id`) REFERENCES `townships`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `supervisees_case_number_unique` ON `supervisees` (`case_number`);--> statement-breakpoint
CREATE UNIQUE INDEX `supervisees_id_number_hash` ON `supervisees` (`id_number_hash`);--> statement-breakpoint
CREATE INDEX `supervisees_township` ON `supervisees` (`township_id`);--> statement-breakpoint
CREATE INDEX `supervisees_term` ON `supervisees` (`term_start`,`term_end`);--> statement-breakpoint
CREATE INDEX `supervisees_name` ON `supervisees` (`name`);--> statement-breakpoint
CREATE TABLE `townships` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`name_en` text,
	`code` text,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `townships_name_unique` ON `townships` (`name`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`webhook_id` text NOT NULL,
	`event_key` text NOT NULL,
	`kind` text NOT NULL,
	`text` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_status_code` integer,
	`last_error` text,
	`next_attempt_at` text,
	`delivered_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_deliveries_event` ON `webhook_deliveries` (`webhook_id`,`event_key`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_status` ON `webhook_deliveries` (`status`);--> statement-breakpoint
CREATE TABLE `webhooks` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`url` text NOT NULL,
	`secret_enc` text NOT NULL,
	`events` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_by` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `verification_callbacks` (
	`id` text PRIMARY KEY NOT NULL,
	`activity_id` text NOT NULL,
	`callback_activity_id` text NOT NULL,
	`supervisee_id` text,
	`provider_id` text NOT NULL,
	`township_id` text NOT NULL,
	`service_on` text NOT NULL,
	`called_on` text NOT NULL,
	`happened` integer NOT NULL,
	`satisfaction` integer,
	`note` text,
	`by_user_id` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`activity_id`) REFERENCES `activities`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`callback_activity_id`) REFERENCES `activities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `verification_provider` ON `verification_callbacks` (`provider_id`,`service_on`);--> statement-breakpoint
CREATE INDEX `verification_township` ON `verification_callbacks` (`township_id`,`service_on`);--> statement-breakpoint
CREATE INDEX `verification_activity` ON `verification_callbacks` (`activity_id`);