"""The cases capability's queries, by what reads or writes them: `lifecycle` (cases and their
event log: the watch, the FoI clock, officers' commands), `reading` (the case page, the FoI
register, response times), `replies` (replies from the case and their figures) and `digests`
(the team digests)."""
