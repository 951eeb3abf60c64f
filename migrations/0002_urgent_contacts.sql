CREATE TABLE `contact_counterparts` (
	`contact_id` text NOT NULL,
	`user_id` text NOT NULL,
	`handling_acknowledged_at` integer,
	PRIMARY KEY(`contact_id`, `user_id`),
	FOREIGN KEY (`contact_id`) REFERENCES `urgent_contacts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `contact_counterparts_user` ON `contact_counterparts` (`user_id`);--> statement-breakpoint
CREATE TABLE `urgent_contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`requester_user_id` text NOT NULL,
	`requester_agency_id` text NOT NULL,
	`requesting_country` text NOT NULL,
	`requested_country` text NOT NULL,
	`grounds` text NOT NULL,
	`narrative` text NOT NULL,
	`case_reference` text NOT NULL,
	`offence_category` text NOT NULL,
	`sought_information` text NOT NULL,
	`handling_code` text NOT NULL,
	`handling_conditions` text,
	`legal_instrument` text NOT NULL,
	`status` text NOT NULL,
	`conversation_id` text NOT NULL,
	`justification` text NOT NULL,
	`justification_hash` text NOT NULL,
	`credential_id` text NOT NULL,
	`authenticator_data` text NOT NULL,
	`client_data_json` text NOT NULL,
	`signature` text NOT NULL,
	`credential_public_key` blob NOT NULL,
	`opened_at` integer NOT NULL,
	`closed_at` integer,
	`closed_by` text,
	`close_reason` text,
	FOREIGN KEY (`requester_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`requester_agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`requesting_country`) REFERENCES `countries`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`requested_country`) REFERENCES `countries`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `urgent_contacts_requester` ON `urgent_contacts` (`requester_user_id`);--> statement-breakpoint
CREATE INDEX `urgent_contacts_opened` ON `urgent_contacts` (`opened_at`);--> statement-breakpoint
CREATE INDEX `urgent_contacts_countries` ON `urgent_contacts` (`requesting_country`,`requested_country`);--> statement-breakpoint
CREATE TABLE `ncb_notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`contact_id` text NOT NULL,
	`agency_id` text NOT NULL,
	`country_code` text NOT NULL,
	`side` text NOT NULL,
	`created_at` integer NOT NULL,
	`acknowledged_at` integer,
	`acknowledged_by` text,
	`escalation_level` integer DEFAULT 0 NOT NULL,
	`escalated_at` integer,
	FOREIGN KEY (`contact_id`) REFERENCES `urgent_contacts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`acknowledged_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ncb_notifications_contact_side` ON `ncb_notifications` (`contact_id`,`side`);--> statement-breakpoint
CREATE INDEX `ncb_notifications_agency` ON `ncb_notifications` (`agency_id`,`acknowledged_at`);--> statement-breakpoint
CREATE INDEX `ncb_notifications_pending` ON `ncb_notifications` (`acknowledged_at`,`escalation_level`,`created_at`);--> statement-breakpoint
CREATE TABLE `webhook_endpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`agency_id` text NOT NULL,
	`url` text NOT NULL,
	`secret` text NOT NULL,
	`created_at` integer NOT NULL,
	`disabled_at` integer,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `webhook_endpoints_agency` ON `webhook_endpoints` (`agency_id`);--> statement-breakpoint
CREATE TABLE `formal_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`contact_id` text NOT NULL,
	`instrument` text NOT NULL,
	`state` text NOT NULL,
	`opened_at` integer NOT NULL,
	`deadline_at` integer NOT NULL,
	`draft` text NOT NULL,
	`channel` text,
	`channel_reference` text,
	`submitted_at` integer,
	`withdrawn_reason` text,
	`updated_at` integer NOT NULL,
	`reminded_50_at` integer,
	`reminded_90_at` integer,
	`overdue_at` integer,
	FOREIGN KEY (`contact_id`) REFERENCES `urgent_contacts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `formal_requests_contact` ON `formal_requests` (`contact_id`);--> statement-breakpoint
CREATE INDEX `formal_requests_deadline` ON `formal_requests` (`state`,`deadline_at`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`target` text NOT NULL,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`delivered_at` integer
);
--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox` (`status`,`next_attempt_at`);