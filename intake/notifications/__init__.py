"""Reaching patients: the outbox (models), its delivery (delivery, tasks) and message texts.

Every message is written to the outbox in the transaction of the change that causes it
(intake/services/notifications.py); a background task then delivers it, by id only.
"""
