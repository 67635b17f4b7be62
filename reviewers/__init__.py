"""Everything about clinical review: the term flagger, the roster, the approval policy, decisions."""
