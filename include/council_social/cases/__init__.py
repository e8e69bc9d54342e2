"""Response cases: the strategy's reply promises (24 hours, 20 working days for FoI) kept visible.

calendar (working days and deadlines), tables (cases, case_events, case_digests),
events (case references, the event log), routing (owning team, assignee), watch (open,
reply detection, overdue, escalation), queries (the list), notify (team digests),
foi (register, acknowledgement, reminders), reports (response times), cli; its demo stage is council_social.demo.cases.
"""
