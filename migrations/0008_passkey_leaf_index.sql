CREATE INDEX `log_entries_credential` ON `log_entries` (json_extract(`data`, '$.subject.credentialId'));
