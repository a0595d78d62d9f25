"""Messaging writes: contacts (the log, queueing), sending, reminders, notifications."""
