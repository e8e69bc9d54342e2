"""The moderation log: hide, report or delete under the council's house rules."""
