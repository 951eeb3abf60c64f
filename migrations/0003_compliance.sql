CREATE TABLE `review_answers` (
	`id` text PRIMARY KEY NOT NULL,
	`decision_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`author_user_id` text NOT NULL,
	`answer` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`decision_id`) REFERENCES `review_decisions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`contact_id`) REFERENCES `urgent_contacts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `review_answers_contact` ON `review_answers` (`contact_id`);--> statement-breakpoint
CREATE TABLE `review_decisions` (
	`id` text PRIMARY KEY NOT NULL,
	`contact_id` text NOT NULL,
	`reviewer_user_id` text NOT NULL,
	`decision` text NOT NULL,
	`comment` text NOT NULL,
	`question` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`contact_id`) REFERENCES `urgent_contacts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reviewer_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `review_decisions_contact` ON `review_decisions` (`contact_id`,`created_at`);--> statement-breakpoint
-- Hand-corrected: drizzle-kit 0.31 splits expression indexes into bogus column names.
CREATE INDEX `log_entries_contact` ON `log_entries` (json_extract(`data`, '$.subject.urgentContactId'));