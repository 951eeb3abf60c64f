CREATE TABLE `ncb_escalations` (
	`notification_id` text NOT NULL,
	`level` integer NOT NULL,
	`escalated_at` integer NOT NULL,
	`still_due` integer NOT NULL,
	PRIMARY KEY(`notification_id`, `level`),
	FOREIGN KEY (`notification_id`) REFERENCES `ncb_notifications`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "ncb_escalations_still_due" CHECK("ncb_escalations"."still_due" = 1)
);
