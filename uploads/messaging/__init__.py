"""E-mail to customers and shops: templates, the contact log, sending, reminders, notifications."""
