"""The strategy's Promotion: follow-back suggestions, local trends to join, the council's
own hashtags, follower-only competitions and consistent messaging across accounts."""
